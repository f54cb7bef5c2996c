"""Who signed what, in the reader's language.

Signatory lists are synchronised across translations and point at the source
organization pages. At render time each organization is swapped for its live
translation in the page's language when one exists; otherwise the source page
is shown, marked with its own language. Anonymised and withheld signatories
never reveal their organization.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from .models import LetterPage, LetterSignatory, OrganizationPage, SignatoryVisibility


@dataclass(frozen=True)
class Signatory:
    """One line of a signatory list as a reader sees it."""

    visibility: str
    organization: OrganizationPage | None  # None when the signatory is anonymous
    country: str  # ISO code, empty when hidden

    @property
    def is_named(self) -> bool:
        return self.organization is not None


def localize_pages(pages: Sequence[OrganizationPage], locale_id: int | None = None) -> list:
    """Swap each page for its live, real (not alias) translation in `locale_id`.

    One query however many pages. Pages without such a translation are returned as
    they are, so the reader sees the source text rather than nothing.
    """
    from wagtail.models import Locale

    if locale_id is None:
        locale_id = Locale.get_active().pk
    missing = {page.translation_key for page in pages if page.locale_id != locale_id}
    translations = {}
    if missing:
        model = type(pages[0]) if pages else OrganizationPage
        translations = {
            page.translation_key: page
            for page in model.objects.live()
            .filter(translation_key__in=missing, locale_id=locale_id, alias_of__isnull=True)
            .select_related("locale", "logo")
        }
    return [
        page if page.locale_id == locale_id else translations.get(page.translation_key, page)
        for page in pages
    ]


def resolve_signatories(letter: LetterPage) -> list[Signatory]:
    """The letter's signatory list for display: ordered, localized, withheld ones left out."""
    rows = [
        row
        for row in letter.signatories.select_related(
            "organization", "organization__locale", "organization__logo"
        )
        if row.visibility != SignatoryVisibility.WITHHELD
    ]
    named = iter(
        localize_pages([row.organization for row in rows if row.is_named], letter.locale_id)
    )
    return [_signatory(row, next(named) if row.is_named else None) for row in rows]


def _signatory(row: LetterSignatory, organization: OrganizationPage | None) -> Signatory:
    if row.visibility == SignatoryVisibility.PUBLIC:
        return Signatory(row.visibility, organization, row.organization.country)
    if row.visibility == SignatoryVisibility.ANONYMOUS_WITH_COUNTRY:
        return Signatory(row.visibility, None, row.organization.country)
    return Signatory(row.visibility, None, "")


def count_signatories(letter: LetterPage) -> int:
    """How many organizations a reader is told signed (withheld ones are not counted)."""
    return sum(
        1 for row in letter.signatories.all() if row.visibility != SignatoryVisibility.WITHHELD
    )


def letters_signed_by(organization: OrganizationPage) -> QuerySet[LetterPage]:
    """Live letters in the organization page's language that list it by name.

    Signatures are recorded against any language version of the organization,
    so the match is on its translation key. A letter where it is anonymous or
    withheld is never listed: that would reveal exactly what was hidden.
    """
    return (
        LetterPage.objects.live()
        .public()
        .filter(
            locale_id=organization.locale_id,
            signatories__organization__translation_key=organization.translation_key,
            signatories__visibility=SignatoryVisibility.PUBLIC,
        )
        .distinct()
    )
