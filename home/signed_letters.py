"""Which letters an organization's signatures touch: those that list it by name (its page,
feeds and API list), that name it in any language (what a change of the organization must
redraw, re-announce or purge), whose anonymous country it decides, and which letters a
letter's own signatures rule.

The rules of each row (who is named, counted, shown with a country) are in
`home.signatories`; these are the queries over them, so the same rule decides what is
shown and what is recomputed. Models are read from the app registry when called
(`home.models` imports this module, never the other way round).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet

from .signatories import SignatoryVisibility

if TYPE_CHECKING:
    from .models import LetterPage, OrganizationPage


def _model(name: str):
    """A model of `home`, from the app registry (see the module docstring)."""
    return apps.get_model("home", name)


def letters_signed_by(organization: OrganizationPage) -> QuerySet[LetterPage]:
    """Live letters in the organization page's language that list it by name.

    Signatures are recorded against any language version of the organization,
    so the match is on its translation key. A letter where it is anonymous or
    withheld — in this version or in the source-language version — is never
    listed: that would reveal exactly what was hidden.
    """
    key = organization.translation_key
    source = settings.LANGUAGE_CODE
    named_in_source = (
        _model("LetterPage")
        .objects.filter(
            locale__language_code=source,
            signatories__organization__translation_key=key,
            signatories__visibility=SignatoryVisibility.PUBLIC,
        )
        .values("translation_key")
    )
    has_source = (
        _model("LetterPage").objects.filter(locale__language_code=source).values("translation_key")
    )
    return (
        _model("LetterPage")
        .objects.live()
        .public()
        .filter(
            locale_id=organization.locale_id,
            signatories__organization__translation_key=key,
            signatories__visibility=SignatoryVisibility.PUBLIC,
        )
        .filter(Q(translation_key__in=named_in_source) | ~Q(translation_key__in=has_source))
        .distinct()
    )


def letters_naming(organizations: QuerySet[OrganizationPage]) -> QuerySet:
    """Every letter, in any language, that names one of `organizations` as readers see it.

    `organizations` may hold any language version of each organization (rows are
    matched on its translation key). A row counts when it is public in the letter
    and, for a letter that has a source-language version, public there too (the
    rule of `signature_rows`). Letters where an organization is anonymous or
    withheld are left out on purpose: anything recomputed or announced for them
    when the organization's page changes would tie the organization to them.
    Aliases are left out (they show their original). Returns a lazy queryset of
    LetterPage, for `values_list("pk")` or a subquery.
    """
    source = settings.LANGUAGE_CODE
    public = SignatoryVisibility.PUBLIC
    public_in_source = (
        _model("LetterSignatory")
        .objects.filter(letter__locale__language_code=source, visibility=public)
        .values("translation_key")
    )
    with_source = (
        _model("LetterPage").objects.filter(locale__language_code=source).values("translation_key")
    )
    rows = (
        _model("LetterSignatory")
        .objects.filter(
            organization__translation_key__in=organizations.values("translation_key"),
            visibility=public,
        )
        .filter(
            Q(translation_key__in=public_in_source) | ~Q(letter__translation_key__in=with_source)
        )
    )
    return _model("LetterPage").objects.originals().filter(pk__in=rows.values("letter_id"))


def letters_showing_countries(countries: set[str]) -> QuerySet:
    """Letters, in any language, with an "anonymous with its country" signatory from one of
    `countries`: whether they show that country depends on the other public organizations
    from it (`_without_telling_details`), so an organization of that country published,
    unpublished or made private changes them. Aliases are left out (they show their
    original). A lazy queryset of LetterPage.
    """
    rows = _model("LetterSignatory").objects.filter(
        visibility=SignatoryVisibility.ANONYMOUS_WITH_COUNTRY,
        organization__country__in=[country for country in countries if country],
    )
    return _model("LetterPage").objects.originals().filter(pk__in=rows.values("letter_id"))


def letters_ruled_by(letter: LetterPage) -> QuerySet:
    """The letters whose signatures `letter` decides: itself, and its translations too
    when it is the source-language version (see `signature_rows`). Aliases excluded.
    """
    if letter.locale.language_code != settings.LANGUAGE_CODE:
        return _model("LetterPage").objects.filter(pk=letter.pk)
    return _model("LetterPage").objects.originals().filter(translation_key=letter.translation_key)
