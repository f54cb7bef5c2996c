import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from tqdm import tqdm
from wagtail.models import Locale

from home.models import LetterPage
from publishing.share_images.service import render_share_images
from publishing.share_images.warm import warm_up


def _render_letter(pk: int, force: bool) -> int:
    """Draw one letter's cards (in a worker process); returns how many were drawn."""
    letter = LetterPage.objects.get(pk=pk)
    if force:
        letter.share_images.all().update(input_hash="")
    return sum(render_share_images(letter).values())


class Command(BaseCommand):
    help = (
        "Render the share cards of live letters again where their inputs changed (or --force). "
        "Cards already current are skipped, so an interrupted run resumes where it stopped."
    )

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
        parser.add_argument(
            "--processes",
            type=int,
            default=os.cpu_count() or 1,
            help="Worker processes drawing cards (default: one per core).",
        )

    def handle(self, *args, locale, page, force, processes, **options):
        if processes < 1:
            raise CommandError("--processes must be at least 1.")
        # Live originals, private ones too (not `.shareable()`): their editors see the card
        # in the Sharing tab, and the file view decides who else may (home.privacy).
        letters = LetterPage.objects.live().originals().order_by("pk")
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
        pks = list(letters.values_list("pk", flat=True))
        workers = min(processes, total)
        start = time.perf_counter()
        rendered = 0
        bar = tqdm(total=total, unit="letter", file=sys.stderr, dynamic_ncols=True)
        # Fonts opened and character maps read once, before forking: workers inherit them.
        warm_up()
        with bar:
            if workers == 1:
                results = (_render_letter(pk, force) for pk in pks)
                rendered = self._count(results, bar, start)
            else:
                connections.close_all()
                context = multiprocessing.get_context("fork")
                # Forked workers open their own database connections.
                with ProcessPoolExecutor(workers, mp_context=context) as pool:
                    results = pool.map(_render_letter, pks, [force] * len(pks))
                    rendered = self._count(results, bar, start)
        elapsed = time.perf_counter() - start
        self.stdout.write(
            self.style.SUCCESS(f"{total} letters checked, {rendered} cards rendered.")
        )
        self.stdout.write(
            f"{elapsed:.1f} s, {rendered / elapsed:.1f} cards/s with {workers} process(es)."
        )

    def _count(self, results, bar, start: float) -> int:
        rendered = 0
        for count in results:
            rendered += count
            bar.update(1)
            bar.set_postfix(cards_per_s=f"{rendered / (time.perf_counter() - start):.1f}")
        return rendered
