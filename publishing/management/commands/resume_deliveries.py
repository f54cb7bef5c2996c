"""Pick up deliveries a stopped worker left behind. Run it on a timer (every minute),
like Wagtail's publish_scheduled."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from publishing.social.tasks import resume_deliveries


class Command(BaseCommand):
    help = "Retry or flag deliveries left 'sending' by a dead worker; enqueue due retries."

    def add_arguments(self, parser):
        parser.add_argument(
            "--stale-after",
            type=float,
            default=None,
            help="Seconds after which a 'sending' delivery is stale (default: its lease).",
        )

    def handle(self, *args, stale_after=None, **options):
        counts = resume_deliveries(stale_after=stale_after)
        if options["verbosity"]:
            self.stdout.write(
                _(
                    "Retried %(retried)s, looking for %(doubts)s post(s) that may exist, "
                    "enqueued %(enqueued)s."
                )
                % counts
            )
