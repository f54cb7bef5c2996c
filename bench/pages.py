"""Page rendering figures: queries and median time per page, on the demo content.

    .venv/bin/python bench/pages.py [--requests 50]

Builds a throw-away SQLite database (or uses DATABASE_URL), loads the demo,
then requests each page type repeatedly through Django's test client. Also
compares Broadside's signatory localization (one query for all signatories)
with the obvious alternative, `organization.localized` per signatory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{tempfile.mkdtemp(prefix='broadside-bench-')}/db.sqlite3"
    )
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import translation  # noqa: E402


class QueryCounter:
    """Counts queries through an execute wrapper (survives connection closes between requests)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __len__(self) -> int:
        return self.count


def count_queries(function) -> int:
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        function()
    return len(counter)


def measure(client: Client, url: str, requests: int) -> tuple[int, float]:
    client.get(url)  # warm caches
    response = None

    def get():
        nonlocal response
        response = client.get(url)

    queries = count_queries(get)
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return queries, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))

    from home.models import LetterPage
    from home.signatories import resolve_signatories

    client = Client(HTTP_HOST="localhost")
    letter = LetterPage.objects.get(slug="private-messaging-russia", locale__language_code="en")
    arabic = letter.get_translation(letter.locale.__class__.objects.get(language_code="ar"))
    urls = {
        "home (fr)": "/fr/",
        "letter index (fr)": "/fr/lettres/",
        "letter, 13 signatories (en)": letter.url,
        "letter, 13 signatories (ar)": arabic.url,
        "organization index (ar)": "/ar/organizations/",
        "organization (fr)": "/fr/organisations/ccla/",
        "search (fr)": "/fr/search/?query=reconnaissance",
    }
    print(f"{'page':32} {'queries':>8} {'median ms':>10}")
    for name, url in urls.items():
        queries, median = measure(client, url, args.requests)
        print(f"{name:32} {queries:>8} {median:>10.1f}")

    # Signatory localization: one query for all vs. .localized per organization.
    def naive():
        rows = arabic.signatories.select_related("organization")
        return [row.organization.localized for row in rows]

    with translation.override("ar"):
        ours, theirs = count_queries(lambda: resolve_signatories(arabic)), count_queries(naive)
        t_ours = timeit(lambda: resolve_signatories(arabic), args.requests)
        t_naive = timeit(naive, args.requests)
    print()
    print("signatory localization, 13 organizations (ar)")
    print(f"  Broadside resolve_signatories: {ours:>3} queries {t_ours:7.2f} ms")
    print(f"  per-signatory .localized:      {theirs:>3} queries {t_naive:7.2f} ms")
    print(f"  ratio (naive / ours): queries x{theirs / ours:.1f}, time x{t_naive / t_ours:.1f}")


def timeit(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
