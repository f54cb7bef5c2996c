"""Page rendering figures: queries and median time per page, on the demo content.

    .venv/bin/python bench/pages.py [--requests 50]

Builds a throw-away SQLite database (or uses DATABASE_URL), loads the demo,
then requests each page type repeatedly through Django's test client. Also
compares Broadside's signatory localization (one query for all signatories)
with the obvious alternative, `organization.localized` per signatory.
"""

from __future__ import annotations

import argparse

from _setup import count_queries, load_demo, median_ms, setup_django

setup_django()

from django.test import Client  # noqa: E402
from django.utils import translation  # noqa: E402


def measure(client: Client, url: str, requests: int) -> tuple[int, float]:
    client.get(url)  # warm caches
    status = []
    queries = count_queries(lambda: status.append(client.get(url).status_code))
    assert status == [200], (url, status)
    return queries, median_ms(lambda: client.get(url), requests)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()

    load_demo()

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
        t_ours = median_ms(lambda: resolve_signatories(arabic), args.requests)
        t_naive = median_ms(naive, args.requests)
    print()
    print("signatory localization, 13 organizations (ar)")
    print(f"  Broadside resolve_signatories: {ours:>3} queries {t_ours:7.2f} ms")
    print(f"  per-signatory .localized:      {theirs:>3} queries {t_naive:7.2f} ms")
    print(f"  ratio (naive / ours): queries x{theirs / ours:.1f}, time x{t_naive / t_ours:.1f}")


if __name__ == "__main__":
    main()
