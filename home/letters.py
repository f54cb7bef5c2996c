"""Letters as readers and followers get them: the one "shareable" rule, and the batches
feeds and the API load for a list of letters.

- `shareable_letter` / `LetterPage.objects.shareable()`: a live, public, original letter
  (the rule itself is `home.models.pages.ContentPageQuerySet.shareable`).
- `live_translations`: each page's live, public, real translations, one query.
- `signatures_of`: each letter's signatures with the named organizations in the
  letter's language, a fixed number of queries for any list.
- `topics_of`: each letter's topics with their names in the letter's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from wagtail.models import Page

from .models import LetterPage, OrganizationPage, Topic, localize_topics, topic_in
from .signatories import SignatureRow, localize_pages, signature_rows


def shareable_letter(page_id: int) -> LetterPage | None:
    """The letter `page_id` if it is live, past its go-live time, public (home.privacy's
    rule) and not an alias; else None (also when no letter has that id).

    Checked, not trusted from signals: `page_published` also fires for aliases and
    (wagtail#13959) for drafts only scheduled. One query for the letter as a LetterPage
    (with its locale), plus home.privacy's once per request.
    """
    return LetterPage.objects.shareable().filter(pk=page_id).select_related("locale").first()


def live_translations(pages: Sequence[Page], model: type[Page]) -> dict[str, list[Page]]:
    """Every shareable language version of each page (itself included when shareable),
    by translation key, ordered by language code: one query.

    `model`: the pages' model (LetterPage or OrganizationPage); versions are loaded
    with their locale. Aliases standing in for untranslated pages are not translations.
    """
    keys = {page.translation_key for page in pages}
    found: dict[str, list[Page]] = defaultdict(list)
    for page in (
        model.objects.shareable()
        .filter(translation_key__in=keys)
        .select_related("locale")
        .order_by("locale__language_code")
    ):
        found[page.translation_key].append(page)
    return found


@dataclass(frozen=True)
class Signatures:
    """The signatures of a list of letters as readers may see them (see `signatures_of`)."""

    rows: dict[int, list[SignatureRow]]  # letter id -> its signatures, in order
    localized: dict[int, dict[int, OrganizationPage]]  # locale id -> organization id -> page

    def organization(self, letter: LetterPage, row: SignatureRow) -> OrganizationPage:
        """The named organization of `row`, in `letter`'s language where translated."""
        return self.localized[letter.locale_id][row.organization_id]

    def named(self, letter: LetterPage) -> list[OrganizationPage]:
        """The organizations `letter` names, in order, in its language where translated."""
        return [
            self.organization(letter, row) for row in self.rows.get(letter.pk, []) if row.is_named
        ]


def signatures_of(letters: Sequence[LetterPage], *, draft: bool = False) -> Signatures:
    """Each letter's signatures (home.signatories.signature_rows) and its named
    organizations swapped for their live translation into the letter's language.

    Each organization is loaded once however many letters it signed: the queries of
    `signature_rows`, one for the organizations, one per language that needs
    translations. `draft`: the letters are unsaved revisions (see `signature_rows`).
    """
    rows = signature_rows(letters, draft=draft)
    named_ids = {
        row.organization_id for by_letter in rows.values() for row in by_letter if row.is_named
    }
    named = list(OrganizationPage.objects.filter(pk__in=named_ids).select_related("locale"))
    localized = {
        locale_id: dict(
            zip([page.pk for page in named], localize_pages(named, locale_id), strict=True)
        )
        for locale_id in {letter.locale_id for letter in letters}
    }
    return Signatures(rows, localized)


def topics_of(letters: Sequence[LetterPage], *, draft: bool = False) -> dict[int, list]:
    """Each letter's topics as (topic filed under, topic in the letter's language) pairs.

    Letters are filed under source-language topics; the second of each pair is its
    translation into the letter's language, or the topic itself where there is none
    (`home.models.topics.localize_topics`). Two queries for any list (none for the
    links of `draft` letters, unsaved revisions whose topics are in memory).
    """
    filed: dict[int, list[Topic]] = defaultdict(list)
    if draft:
        for letter in letters:
            filed[letter.pk] = list(letter.topics.all())
    else:
        links = LetterPage.topics.through.objects.filter(letterpage__in=letters).select_related(
            "topic"
        )
        for link in links:
            filed[link.letterpage_id].append(link.topic)
    translations = localize_topics(
        [topic for topics in filed.values() for topic in topics],
        {letter.locale_id for letter in letters},
    )
    return {
        letter.pk: [
            (topic, topic_in(translations, topic, letter.locale_id))
            for topic in filed.get(letter.pk, [])
        ]
        for letter in letters
    }
