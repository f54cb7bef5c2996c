"""Before an action puts source-language text on a live translated page, say so.

Publishing a translation (its editor, *Sync translated pages … Publish immediately*)
fills every segment without a translation with the source text (wagtail-localize's
`fallback=True`). Changed segments are carried over (`review`), so what remains is new
text nobody translated yet. The source is kept current on every publish (`sync`), so
its stored segments are what a publish would use.
"""

from __future__ import annotations

from dataclasses import dataclass

from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, TranslationSource


@dataclass(frozen=True)
class Fallback:
    """The passages of one language that publishing would show in the source language."""

    locale: Locale
    live: bool  # the translation is live: readers would see them
    passages: list[tuple[str, str]]  # (field path, source text)


def untranslated_passages(source: TranslationSource, locale: Locale) -> list[tuple[str, str]]:
    """[(field path, source text)] of the source's segments with no usable translation."""
    return list(
        StringSegment.objects.filter(source=source)
        .annotate_translation(locale)
        .filter(translation__isnull=True)
        .order_by("order")
        .values_list("context__path", "string__data")
    )


def fallbacks_for(source: TranslationSource) -> list[Fallback]:
    """Per enabled translation of `source` with untranslated passages, in language order."""
    translations = source.translations.filter(enabled=True).select_related("target_locale")
    live = set(
        Page.objects.filter(
            translation_key=source.object_id, live=True, alias_of__isnull=True
        ).values_list("locale_id", flat=True)
    )
    result = []
    for translation in translations.order_by("target_locale__language_code"):
        passages = untranslated_passages(source, translation.target_locale)
        if passages:
            locale = translation.target_locale
            result.append(Fallback(locale, locale.pk in live, passages))
    return result
