"""Who signed what, in the reader's language.

Signatory lists are synchronised across translations and point at the source
organization pages. At render time each organization is swapped for its live
translation in the page's language when one exists; otherwise the source page
is shown, marked with its own language. Anonymised and withheld signatories
never reveal their organization.

The page models call these rules (a letter's signatory list, an organization's
letters), so this module does not import them: it reads them from the app
registry when called, and `home.models` imports it, never the other way round.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .privacy import exclude_private

if TYPE_CHECKING:
    from .models import LetterPage, OrganizationPage


class SignatoryVisibility(models.TextChoices):
    PUBLIC = "public", _("Named")
    ANONYMOUS_WITH_COUNTRY = "anonymous_country", _("Anonymous, country shown")
    ANONYMOUS = "anonymous", _("Anonymous")
    WITHHELD = "withheld", _("Withheld: not listed or counted anywhere")


def _model(name: str):
    """A model of `home`, from the app registry (see the module docstring)."""
    return apps.get_model("home", name)


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
        model = type(pages[0]) if pages else _model("OrganizationPage")
        translations = {
            page.translation_key: page
            for page in exclude_private(model.objects.live())
            .filter(translation_key__in=missing, locale_id=locale_id, alias_of__isnull=True)
            .select_related("locale", "logo")
        }
    return [
        page if page.locale_id == locale_id else translations.get(page.translation_key, page)
        for page in pages
    ]


# From most to least open: a translation never shows a signatory more openly
# than the source-language version of the letter does.
RESTRICTIVENESS = {
    SignatoryVisibility.PUBLIC: 0,
    SignatoryVisibility.ANONYMOUS_WITH_COUNTRY: 1,
    SignatoryVisibility.ANONYMOUS: 2,
    SignatoryVisibility.WITHHELD: 3,
}


@dataclass(frozen=True)
class SignatureRow:
    """One signature as it may be shown: its effective visibility, never withheld."""

    letter_id: int
    organization_id: int
    visibility: str
    country: str  # ISO code a reader may see (see `shown_country`), empty when hidden

    @property
    def is_named(self) -> bool:
        return self.visibility == SignatoryVisibility.PUBLIC


# Visibilities whose organization's country a reader may see.
COUNTRY_SHOWN = frozenset({SignatoryVisibility.PUBLIC, SignatoryVisibility.ANONYMOUS_WITH_COUNTRY})


def shown_country(visibility: str, country: str) -> str:
    """The ISO country code a reader may see for a signature of `visibility`, else "".

    The one home of the rule (README, "What an editor does"): a named signatory and an
    "anonymous with its country" one show their country; an anonymous or withheld one
    shows none. Pages, feeds, the API and cards read it through `signature_rows`.
    """
    return country if visibility in COUNTRY_SHOWN else ""


def signature_rows(letters: Sequence[LetterPage], *, draft: bool = False) -> dict[int, list]:
    """The signatures each letter may show, in order; a fixed number of queries for any list.

    Signatory lists are copied into translations only when a translation is
    synchronised, so a translation can lag behind its source. To protect an
    at-risk signatory the moment the source is published:
    - a row is shown no more openly than the same row (same translation key) in
      the source-language version of the letter, and not at all once it is gone there;
    - a named signatory whose organization page is not live and public is left out;
    - withheld rows are never returned.
    `draft`: the letters are unsaved revisions; read their in-memory rows.
    """
    source_language = settings.LANGUAGE_CODE
    if draft:
        own = [
            (
                letter.pk,
                row.translation_key,
                row.organization_id,
                row.visibility,
                row.organization.country,
                row.organization.translation_key,
            )
            for letter in letters
            for row in sorted(letter.signatories.all(), key=lambda r: r.sort_order or 0)
        ]
    else:
        own = list(
            _model("LetterSignatory")
            .objects.filter(letter__in=[letter.pk for letter in letters])
            .order_by("letter_id", "sort_order", "pk")
            .values_list(
                "letter_id",
                "translation_key",
                "organization_id",
                "visibility",
                "organization__country",
                "organization__translation_key",
            )
        )
    # The source-language version of each letter (absent for letters written elsewhere).
    source_ids = dict(
        _model("LetterPage")
        .objects.filter(
            translation_key__in={letter.translation_key for letter in letters},
            locale__language_code=source_language,
        )
        .values_list("translation_key", "pk")
    )
    compared = {
        letter.translation_key
        for letter in letters
        if source_ids.get(letter.translation_key) not in (None, letter.pk)
    }
    reference: dict[tuple, str] = {}
    if compared:
        reference = {
            (letter_key, row_key): visibility
            for letter_key, row_key, visibility in _model("LetterSignatory")
            .objects.filter(letter_id__in=[source_ids[key] for key in compared])
            .values_list("letter__translation_key", "translation_key", "visibility")
        }
    by_id = {letter.pk: letter for letter in letters}
    named_ids = {org_id for _l, _k, org_id, visibility, *_rest in own if visibility == "public"}
    # Countries an "anonymous with its country" row may show: its own visibility, or its
    # source row's (which a named row in a lagging translation takes on).
    with_country = SignatoryVisibility.ANONYMOUS_WITH_COUNTRY
    countries = {
        country
        for letter_id, row_key, _org, visibility, country, _key in own
        if country
        and with_country in (visibility, reference.get((by_id[letter_id].translation_key, row_key)))
    }
    # One query: which named organizations may be listed, and which public organizations
    # readers can see in each of those countries (see `_without_telling_details`).
    listable: set[int] = set()
    public_from: dict[str, set[str]] = defaultdict(set)
    if named_ids or countries:
        for pk, country, key in (
            _model("OrganizationPage")
            .objects.live()
            .public()
            .filter(Q(pk__in=named_ids) | Q(country__in=countries))
            .values_list("pk", "country", "translation_key")
        ):
            if pk in named_ids:
                listable.add(pk)
            public_from[country].add(str(key))
    shown: dict[int, list[tuple[SignatureRow, str, str]]] = {letter.pk: [] for letter in letters}
    for letter_id, row_key, organization_id, visibility, country, organization_key in own:
        letter = by_id[letter_id]
        if letter.translation_key in compared:
            source_visibility = reference.get((letter.translation_key, row_key))
            if source_visibility is None:
                continue  # removed from the source: gone everywhere
            if RESTRICTIVENESS[source_visibility] > RESTRICTIVENESS[visibility]:
                visibility = source_visibility
        if visibility == SignatoryVisibility.WITHHELD:
            continue
        if visibility == SignatoryVisibility.PUBLIC and organization_id not in listable:
            continue
        shown[letter_id].append(
            (
                SignatureRow(
                    letter_id,
                    organization_id,
                    visibility,
                    shown_country(visibility, country or ""),
                ),
                str(row_key),
                str(organization_key),
            )
        )
    return _without_telling_details(shown, public_from)


def _without_telling_details(
    shown: dict[int, list[tuple[SignatureRow, str, str]]], public_from: dict[str, set[str]]
) -> dict:
    """Each letter's rows, with nothing about an anonymous one that points at its organization.

    - Its country, when it would single the organization out: readers see every public
      organization's country (organization pages and index, the API), so "an organization in
      Egypt" names the site's only Egyptian organization, and so does a country whose other
      public organizations the letter names. The country is shown only while more public,
      live organizations from it are left unnamed by the letter than the letter has anonymous
      signatories from it; otherwise the row is shown as plainly anonymous.
    - Its place in the list: the editor's order (often alphabetical) would tell its name's
      neighbours. Named rows keep the editor's order; anonymous ones follow, those with a
      country by country, then the others, each group in the order of their rows' random
      translation keys (the same in every language version of the letter).
    `shown`: per letter, (row, row translation key, organization translation key);
    `public_from`: the translation keys of the live, public organizations of each country.
    """
    result: dict[int, list[SignatureRow]] = {}
    for letter_id, rows in shown.items():
        named = {org_key for row, _row_key, org_key in rows if row.is_named}
        anonymous_from: dict[str, int] = {}
        for row, *_keys in rows:
            if row.visibility == SignatoryVisibility.ANONYMOUS_WITH_COUNTRY and row.country:
                anonymous_from[row.country] = anonymous_from.get(row.country, 0) + 1
        telling = {
            country
            for country, count in anonymous_from.items()
            if len(public_from.get(country, set()) - named) <= count
        }
        kept = [
            (
                SignatureRow(letter_id, row.organization_id, SignatoryVisibility.ANONYMOUS, "")
                if row.visibility == SignatoryVisibility.ANONYMOUS_WITH_COUNTRY
                and row.country in telling
                else row,
                row_key,
            )
            for row, row_key, _org_key in rows
        ]
        result[letter_id] = [row for row, _key in kept if row.is_named] + [
            row
            for row, _key in sorted(
                ((row, key) for row, key in kept if not row.is_named),
                key=lambda item: (
                    item[0].visibility != SignatoryVisibility.ANONYMOUS_WITH_COUNTRY,
                    item[0].country,
                    item[1],
                ),
            )
        ]
    return result


def resolve_signatories(letter: LetterPage, *, draft: bool = False) -> list[Signatory]:
    """The letter's signatory list for display: ordered, localized, withheld ones left out."""
    rows = signature_rows([letter], draft=draft)[letter.pk]
    named_ids = [row.organization_id for row in rows if row.is_named]
    organizations = {
        page.pk: page
        for page in _model("OrganizationPage")
        .objects.filter(pk__in=named_ids)
        .select_related("locale", "logo")
    }
    named = iter(localize_pages([organizations[pk] for pk in named_ids], letter.locale_id))
    return [_signatory(row, next(named) if row.is_named else None) for row in rows]


def _signatory(row: SignatureRow, organization: OrganizationPage | None) -> Signatory:
    return Signatory(row.visibility, organization if row.is_named else None, row.country)


def organizations_hidden_by(letter: LetterPage) -> set:
    """Translation keys of the organizations `letter` lists anonymously or withholds, in
    itself or in its source-language version (which rules it: see `signature_rows`).

    What else the letter shows of organizations (its publisher and network, "About …")
    must not name them: the editor hid them because they are at risk. One query.
    """
    source_rows = Q(
        letter__translation_key=letter.translation_key,
        letter__locale__language_code=settings.LANGUAGE_CODE,
    )
    return set(
        _model("LetterSignatory")
        .objects.filter(Q(letter=letter.pk) | source_rows)
        .exclude(visibility=SignatoryVisibility.PUBLIC)
        .values_list("organization__translation_key", flat=True)
    )


def count_signatories(letter: LetterPage) -> int:
    """How many organizations a reader is told signed (withheld ones are not counted)."""
    return len(signature_rows([letter])[letter.pk])
