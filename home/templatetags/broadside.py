"""Template tags for the site layer: page languages and navigation."""

from babel import Locale as BabelLocale
from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.html import format_html
from django.utils.translation import get_language
from wagtail.models import Page

from home.countries import country_name as _country_name
from home.i18n import local_language_name, page_languages, text_direction
from home.images import rendition_or_none
from home.language_switcher import page_switcher
from home.links import http_url as _http_url
from home.privacy import exclude_private

register = template.Library()


@register.filter
def http_url(value) -> str:
    """The URL if it is http(s), else "": use on every outside URL put in an href (home.links)."""
    return _http_url(value)


@register.simple_tag(takes_context=True)
def page_i18n(context, page):
    """Languages of `page` (cached on the request: the head and the switcher both use it)."""
    request = context.get("request")
    cache = getattr(request, "_broadside_page_languages", None) if request else None
    if cache is None:
        cache = {}
        if request is not None:
            request._broadside_page_languages = cache
    if page.pk not in cache:
        cache[page.pk] = page_languages(page, request)
    return cache[page.pk]


@register.simple_tag(takes_context=True)
def language_switcher(context, page):
    """The language switcher's entries for `page` (home.language_switcher)."""
    return page_switcher(page, context.get("request"))


@register.simple_tag(takes_context=True)
def site_sections(context):
    """The home, letters and organizations pages of the reader's language that everyone
    may read (one query, plus home.privacy's)."""
    request = context.get("request")
    cached = getattr(request, "_broadside_sections", None) if request else None
    if cached is not None:
        return cached
    from home.models import HomePage, LetterIndexPage, OrganizationIndexPage

    sections = {"home": None, "letters": None, "organizations": None}
    pages = (
        exclude_private(Page.objects.live())
        .filter(locale__language_code=get_language(), depth__in=[2, 3])
        .type(HomePage, LetterIndexPage, OrganizationIndexPage)
        .select_related("content_type", "locale")
        .order_by("path")
    )
    for page in pages:
        model = page.content_type.model
        key = {"homepage": "home", "letterindexpage": "letters"}.get(model, "organizations")
        if sections[key] is None:
            sections[key] = page
    if request is not None:
        request._broadside_sections = sections
    return sections


@register.simple_tag(takes_context=True)
def view_alternates(context):
    """For pages that are views, not Wagtail pages (search): the same view in each language."""
    request = context["request"]
    current = get_language()
    return [
        {
            "language_code": code,
            "language_name": local_language_name(code),
            "url": translate_url(request.get_full_path(), code),
            "is_current": code == current,
            "is_translated": True,
        }
        for code, _name in settings.LANGUAGES
    ]


@register.filter
def bdi(value) -> str:
    """`value` isolated for the bidi algorithm (`<bdi>`, escaped), for a name, number or date
    put into a sentence of another direction: `{% blocktranslate with x=value|bdi %}`."""
    return format_html("<bdi>{}</bdi>", value)


@register.filter
def language_name_for_reader(language_code: str) -> str:
    """The name of a language in the reader's (active) language, as CLDR writes it inside
    a sentence ("anglais", "الإنجليزية"); Django's names are capitalised ("Anglais")."""
    reader = BabelLocale.parse(get_language() or settings.LANGUAGE_CODE, sep="-")
    return reader.languages.get(language_code.replace("-", "_")) or local_language_name(
        language_code
    )


@register.simple_tag
def reader_language():
    """` lang="…" dir="…"` of the reader's language, for interface text placed inside content
    of another language (an untranslated page): each element isolates its own direction."""
    code = get_language()
    return format_html(' lang="{}" dir="{}"', code, text_direction(code))


@register.filter
def direction(language_code: str) -> str:
    return text_direction(language_code)


@register.filter
def country_name(code: str) -> str:
    return _country_name(code)


@register.simple_tag
def rendition_if_readable(image, filter_spec: str):
    """`{% rendition_if_readable page.logo "fill-64x64" as logo %}`: the rendition, or None
    when there is no image or its file cannot be read (see home/images.py)."""
    return rendition_or_none(image, filter_spec)
