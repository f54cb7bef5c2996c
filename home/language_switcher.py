"""The language switcher: one rule for every page and view.

Every configured language in which the reader can open this page is listed, in the order
of settings.LANGUAGES, the current one marked: a real translation, or the page's copy in
that language's tree (wagtail-localize's synchronised alias, which shows the original
with a notice). So the reader always sees the language they are in, and every page offers
the same languages as the search page does. hreflang stays limited to real translations
(home.i18n): the switcher is for people, hreflang for search engines.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from wagtail.models import Page

from .i18n import local_language_name
from .privacy import exclude_private


@dataclass(frozen=True)
class SwitcherEntry:
    language_code: str
    language_name: str  # in its own language: “Français”, “العربية”
    url: str
    is_current: bool
    is_translated: bool  # False: that language shows the original, marked untranslated


def page_switcher(page: Page, request=None) -> list[SwitcherEntry]:
    """The switcher's entries for `page`: one query (plus home.privacy's).

    Per language the live, public copy of the page is taken, a real translation before an
    alias; a language with no such copy (private, or not synchronised) is left out.
    """
    copies = exclude_private(page.get_translations(inclusive=True).live()).select_related("locale")
    by_language: dict[str, Page] = {}
    for copy in copies:
        code = copy.locale.language_code
        if code not in by_language or by_language[code].alias_of_id and not copy.alias_of_id:
            by_language[code] = copy
    current = page.locale.language_code
    by_language[current] = page
    return [
        SwitcherEntry(
            language_code=code,
            language_name=local_language_name(code),
            url=by_language[code].get_url(request),
            is_current=code == current,
            is_translated=not by_language[code].alias_of_id,
        )
        for code, _name in settings.LANGUAGES
        if code in by_language
    ]
