"""Which translations are out of date, read once for every place that shows it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Exists, Max, OuterRef
from django.urls import reverse
from wagtail.models import Page
from wagtail_localize.models import Translation

from home.templatetags.broadside import language_name_for_reader

from .models import OutdatedSegment


def outdated_counts(translation_ids: Iterable[int]) -> dict[int, int]:
    """{translation id: segments to review} for those that have any (one query)."""
    rows = (
        OutdatedSegment.objects.filter(translation_id__in=list(translation_ids))
        .values("translation_id")
        .annotate(count=Count("pk"))
    )
    return {row["translation_id"]: row["count"] for row in rows}


def outdated_translations(
    language_codes: Iterable[str] | None = None, limit: int = 50
) -> list[tuple[Translation, int]]:
    """Translations with segments to review and how many, most recently changed first
    (two queries). `language_codes` limits them to those target languages."""
    reviews = OutdatedSegment.objects.all()
    if language_codes is not None:
        reviews = reviews.filter(translation__target_locale__language_code__in=list(language_codes))
    rows = list(
        reviews.values("translation_id")
        .annotate(count=Count("pk"), latest=Max("changed_at"))
        .order_by("-latest")[:limit]
    )
    translations = Translation.objects.select_related("source", "target_locale").in_bulk(
        [row["translation_id"] for row in rows]
    )
    return [(translations[row["translation_id"]], row["count"]) for row in rows]


def page_is_outdated():
    """An `Exists` expression for a page queryset: the page is a translation to review."""
    return Exists(
        OutdatedSegment.objects.filter(
            translation__source__object_id=OuterRef("translation_key"),
            translation__target_locale_id=OuterRef("locale_id"),
        )
    )


def reviews_for(translation: Translation) -> list[OutdatedSegment]:
    """The segments of one translation to review, in source order, with their field path."""
    return list(OutdatedSegment.objects.filter(translation=translation).select_related("context"))


def edit_urls(translations: Iterable[Translation]) -> dict[int, str]:
    """{translation id: admin path of its editor} for page translations (one query).

    Editing a translated page opens wagtail-localize's translation editor.
    """
    translations = list(translations)
    keys = {t.source.object_id for t in translations}
    pages = {
        (key, locale_id): pk
        for pk, key, locale_id in Page.objects.filter(translation_key__in=keys).values_list(
            "pk", "translation_key", "locale_id"
        )
    }
    urls = {}
    for item in translations:
        page_id = pages.get((item.source.object_id, item.target_locale_id))
        if page_id is not None:
            urls[item.pk] = reverse("wagtailadmin_pages:edit", args=[page_id])
    return urls


def translations_summary(page: Page) -> str:
    """For the editor who published `page`: its live translations got the new facts, and
    which languages now have passages to review ("" when it has no translations)."""
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    live = (
        Page.objects.filter(translation_key=page.translation_key, live=True, alias_of__isnull=True)
        .exclude(locale_id=page.locale_id)
        .count()
    )
    if not live:
        return ""
    languages = sorted(
        set(
            OutdatedSegment.objects.filter(
                translation__source__object_id=page.translation_key,
                translation__source__locale_id=page.locale_id,
            ).values_list("translation__target_locale__language_code", flat=True)
        )
    )
    message = ngettext(
        "The facts of its %(count)d live translation were updated.",
        "The facts of its %(count)d live translations were updated.",
        live,
    ) % {"count": live}
    if languages:
        message += " " + _("Translations to review (translators were told): %(languages)s.") % {
            "languages": ", ".join(language_name_for_reader(code) for code in languages)
        }
    return message


def public_sources(translations: Iterable[Translation]) -> set[int]:
    """Ids of the translations whose source page is public (home.privacy's rule; a
    restriction covers every language): the others' text is not sent by email."""
    from home.privacy import exclude_private

    translations = list(translations)
    keys = {t.source.object_id for t in translations}
    public = set(
        exclude_private(Page.objects.filter(translation_key__in=keys)).values_list(
            "translation_key", flat=True
        )
    )
    return {t.pk for t in translations if t.source.object_id in public}
