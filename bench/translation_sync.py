"""What keeping translations right costs the editor's publish of a source letter.

    .venv/bin/python bench/translation_sync.py [--repeat 5]

The flagship demo letter, live in all eight languages, is published in English with
a changed standfirst each time:

1. without `translations` (its receiver disconnected): Wagtail's publish and the
   pipeline's receivers alone — the floor;
2. with it: the source updated, previous translations carried over and flagged,
   facts copied into the seven live translations;
3. the obvious alternative: the publish, then wagtail-localize's *Sync translated
   pages* with *Publish immediately* (update the source, republish every
   translation) — which also puts English text on the live translations.
"""

from __future__ import annotations

import argparse
import itertools
import os

from _setup import count_queries, load_demo, median_ms, setup_django

setup_django()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402
from wagtail.models import Locale  # noqa: E402
from wagtail.signals import page_published  # noqa: E402
from wagtail_localize.models import Translation, TranslationSource  # noqa: E402

from home.demo.loader import translate_from_strings  # noqa: E402
from home.models import LetterPage  # noqa: E402
from translations.sync import on_page_published  # noqa: E402

FLAGSHIP = "private-messaging-russia"
edits = itertools.count()


class Prefixing(dict):
    """Every string "translated" as "[xx] source" (the demo lacks five languages)."""

    def __init__(self, language: str):
        super().__init__()
        self.language = language

    def __contains__(self, key) -> bool:
        return True

    def __missing__(self, key: str) -> str:
        return f"[{self.language}] {key}"

    def get(self, key, default=None):
        return self[key]


def flagship() -> LetterPage:
    return LetterPage.objects.get(slug=FLAGSHIP, locale__language_code=settings.LANGUAGE_CODE)


def publish_edited(also_sync_and_republish: bool = False) -> None:
    letter = flagship()
    letter.standfirst = f"{letter.standfirst.split(' [edit')[0]} [edit {next(edits)}]"
    with transaction.atomic():
        letter.save_revision().publish()
        if also_sync_and_republish:
            source = TranslationSource.objects.get(
                object_id=letter.translation_key, locale=letter.locale
            )
            source.update_from_db()
            for translation in Translation.objects.filter(source=source, enabled=True):
                translation.save_target(publish=True)


def measure(label: str, function, repeat: int) -> None:
    queries = count_queries(function)
    print(f"{label:<58} {median_ms(function, repeat):>9.0f} ms {queries:>7} queries")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    load_demo()
    letter = flagship()
    with transaction.atomic():
        for code, _name in settings.LANGUAGES[1:]:
            locale = Locale.objects.get(language_code=code)
            translate_from_strings(letter, locale, Prefixing(code))
    live = LetterPage.objects.filter(translation_key=letter.translation_key, live=True).count()
    database = os.environ["DATABASE_URL"].split(":")[0]
    print(f"Flagship letter live in {live} languages; median of {repeat}; {database}")
    page_published.disconnect(dispatch_uid="translations-sync-facts")
    measure("publish, translations not kept (floor)", publish_edited, repeat)
    page_published.connect(on_page_published, dispatch_uid="translations-sync-facts")
    measure("publish + facts synced, passages carried and flagged", publish_edited, repeat)
    measure(
        "publish + Sync translated pages, Publish immediately",
        lambda: publish_edited(also_sync_and_republish=True),
        repeat,
    )


if __name__ == "__main__":
    main()
