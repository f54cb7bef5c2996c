"""Language facts about a page: its translations, hreflang set, direction, og:locale.

Only real translations count: an alias that wagtail-localize's tree
synchronisation created for a page nobody has translated yet is shown to
readers as what it is (the source text, in the source language) and is never
announced as a translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from babel.core import get_global
from django.conf import settings
from django.utils.translation import get_language_info
from wagtail.models import Page

from .models.pages import shareable_pages


@dataclass(frozen=True)
class Alternate:
    language_code: str
    language_name: str  # in its own language: “Français”, “العربية”
    url: str
    title: str
    is_current: bool


@dataclass(frozen=True)
class PageLanguages:
    content_language: str  # the language the page's text is really in
    content_direction: str  # "ltr" or "rtl"
    is_untranslated: bool  # an alias standing in for a missing translation
    canonical_url: str
    alternates: list[Alternate] = field(default_factory=list)
    x_default_url: str = ""
    og_locale: str = ""
    og_locale_alternates: list[str] = field(default_factory=list)


def text_direction(language_code: str) -> str:
    try:
        return "rtl" if get_language_info(language_code)["bidi"] else "ltr"
    except KeyError:
        return "ltr"


def local_language_name(language_code: str) -> str:
    return (
        dict(settings.LANGUAGES).get(language_code)
        or get_language_info(language_code)["name_local"]
    )


@cache
def og_locale(language_code: str) -> str:
    """Open Graph wants language_TERRITORY (fr_FR, ar_EG); CLDR's likely subtags supply it."""
    likely = get_global("likely_subtags").get(language_code.replace("-", "_"), language_code)
    parts = likely.split("_")
    territory = next((p for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    return f"{parts[0]}_{territory}" if territory else parts[0]


def page_languages(page: Page, request=None) -> PageLanguages:
    """Everything a template needs to label a page's language and link its translations.

    One query for the translations (`shareable_pages`: live, public, not aliases).
    """
    source = page
    if page.alias_of_id and page.alias_of.locale_id != page.locale_id:
        source = page.alias_of
    translations = list(
        shareable_pages(source.get_translations(inclusive=True))
        .select_related("locale")
        .order_by("locale__language_code")
    )
    by_language = {p.locale.language_code: p for p in translations}
    language_order = [code for code, _name in settings.LANGUAGES]
    ordered = [by_language[code] for code in language_order if code in by_language]
    alternates = [
        Alternate(
            language_code=p.locale.language_code,
            language_name=local_language_name(p.locale.language_code),
            url=p.get_full_url(request),
            title=p.title,
            is_current=p.pk == page.pk,
        )
        for p in ordered
    ]
    urls = {a.language_code: a.url for a in alternates}
    source_locale = next((p.locale for p in translations if p.pk == source.pk), None)
    content_language = (source_locale or source.locale).language_code
    default = urls.get(settings.LANGUAGE_CODE) or urls.get(content_language) or ""
    canonical = urls.get(content_language) or source.get_full_url(request)
    return PageLanguages(
        content_language=content_language,
        content_direction=text_direction(content_language),
        is_untranslated=source is not page,
        canonical_url=canonical,
        alternates=alternates,
        x_default_url=default,
        og_locale=og_locale(content_language),
        og_locale_alternates=[
            og_locale(a.language_code) for a in alternates if a.language_code != content_language
        ],
    )
