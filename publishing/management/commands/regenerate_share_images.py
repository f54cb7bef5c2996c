import sys

from django.core.management.base import BaseCommand, CommandError
from wagtail.models import Locale

from home.models import LetterPage
from publishing.share_images.service import render_share_images


class Command(BaseCommand):
    help = "Render the share cards of live letters again where their inputs changed (or --force)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--locale", action="append", default=[], help="Language code; repeatable."
        )
        parser.add_argument(
            "--page", action="append", type=int, default=[], help="Page id; repeatable."
        )
        parser.add_argument(
            "--force", action="store_true", help="Draw every card again, even if unchanged."
        )

    def handle(self, *args, locale, page, force, **options):
        letters = LetterPage.objects.live().filter(alias_of__isnull=True).order_by("pk")
        if locale:
            known = set(Locale.objects.values_list("language_code", flat=True))
            unknown = sorted(set(locale) - known)
            if unknown:
                raise CommandError(
                    f"Unknown locale(s): {', '.join(unknown)}. Known: {', '.join(sorted(known))}."
                )
            letters = letters.filter(locale__language_code__in=locale)
        if page:
            letters = letters.filter(pk__in=page)
        total = letters.count()
        if not total:
            self.stdout.write("No live letters match.")
            return
        rendered = 0
        for index, letter in enumerate(letters.iterator(), start=1):
            if force:
                letter.share_images.all().update(input_hash="")
            result = render_share_images(letter)
            rendered += sum(result.values())
            self.progress(index, total, letter)
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(f"{total} letters checked, {rendered} cards rendered.")
        )

    def progress(self, done: int, total: int, letter) -> None:
        width = 30
        filled = round(width * done / total)
        bar = "█" * filled + "░" * (width - filled)
        line = f"\r{bar} {done}/{total} {letter.locale.language_code} {letter.title[:40]}"
        self.stdout.write(line.ljust(100), ending="")
        if hasattr(self.stdout, "flush"):
            self.stdout.flush()
        elif hasattr(sys.stdout, "flush"):
            sys.stdout.flush()
