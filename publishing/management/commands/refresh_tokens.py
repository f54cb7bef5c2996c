"""Refresh social accounts' tokens ahead of expiry (publishing/social/connect/refresh.py).

Run it on a timer, like publish_scheduled and resume_deliveries (`make run` does,
every minute); an account with nothing due costs one query.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from publishing.social.connect.refresh import refresh_due


class Command(BaseCommand):
    help = "Refresh social accounts' tokens that expire soon."

    def handle(self, *args, **options):
        counts = refresh_due()
        if options["verbosity"] > 0:
            summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
            self.stdout.write(f"Tokens: {summary or 'nothing due'}.")
