"""The organization chooser shows one row per organization, in the letter's language
(issue 15, "What editors see of each language"); a signatory stores that copy."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile

from home.models import LetterSignatory, OrganizationPage
from tests.responses import text_of

SEARCH = "/admin/choose-page/search/"


@pytest.fixture
def organizations(make_organization, translate):
    """ACLU in English and French, Liberty in English only; Hungarian and Spanish hold
    aliases of both (as synchronised trees do), and Liberty's French copy is an alias."""
    aclu = make_organization("aclu", "American Civil Liberties Union")
    french_aclu = translate(aclu, "fr", {"American Civil Liberties Union": "Union américaine"})
    liberty = make_organization("liberty", "Liberty Union")
    for language in ("hu", "es", "fr"):
        locale = Locale.objects.get(language_code=language)
        for page in (aclu, liberty):
            if page.get_translation_or_none(locale) is None:
                page.copy_for_translation(locale, copy_parents=True, alias=True)
    return aclu, french_aclu, liberty


def _copy(page, language: str) -> Page:
    return Page.objects.specific().get(
        translation_key=page.translation_key, locale__language_code=language
    )


def _rows(html: str) -> list[tuple[int, str]]:
    """(page id, label) of each choosable row: the label is the language marked on it."""
    rows = []
    for cell in re.findall(r'<td class="title">(.*?)</td>', html, re.S):
        choosable = re.search(r'data-id="(\d+)"', cell)
        if not choosable:  # the parent page, shown above its children
            continue
        page_id = int(choosable.group(1))
        label = re.search(r"w-status--label[^>]*>\s*([^<]*?)\s*<", cell)
        rows.append((page_id, label.group(1) if label else ""))
    return sorted(rows)


def _search(client, query: str, locale: str) -> list[tuple[int, str]]:
    response = client.get(
        SEARCH, {"q": query, "page_type": "home.organizationpage", "locale": locale}
    )
    return _rows(text_of(response))


def test_the_search_shows_one_row_per_organization_in_the_letters_language(
    superuser_client, organizations
):
    aclu, french_aclu, liberty = organizations
    assert OrganizationPage.objects.filter(translation_key=aclu.translation_key).count() == 4
    # A French letter: ACLU's French copy; Liberty falls back to English, marked.
    assert _search(superuser_client, "union", "fr") == sorted(
        [(french_aclu.pk, ""), (liberty.pk, "English")]
    )
    # An English letter: the English copies, nothing marked.
    assert _search(superuser_client, "union", "en") == sorted([(aclu.pk, ""), (liberty.pk, "")])
    # A Hungarian letter: no Hungarian copy is real, so both fall back to English.
    assert _search(superuser_client, "union", "hu") == sorted(
        [(aclu.pk, "English"), (liberty.pk, "English")]
    )
    # The name of any copy finds the organization once, in the letter's language.
    assert _search(superuser_client, "américaine", "fr") == [(french_aclu.pk, "")]
    assert _search(superuser_client, "civil", "fr") == [(french_aclu.pk, "")]
    assert _search(superuser_client, "américaine", "en") == [(aclu.pk, "")]


def test_each_title_is_laid_out_in_its_own_direction(superuser_client, organizations):
    """An Arabic name in the English admin, an English one in the Arabic admin."""
    response = superuser_client.get(
        SEARCH, {"q": "union", "page_type": "home.organizationpage", "locale": "fr"}
    )
    links = re.findall(r'<a class="choose-page"[^>]*>', text_of(response))
    assert len(links) == 2 and all('dir="auto"' in link for link in links), links


def test_the_fallback_is_named_in_the_editors_admin_language(superuser_client, organizations):
    _aclu, _french_aclu, liberty = organizations
    profile = UserProfile.get_for_user(get_user_model().objects.get(username="admin"))
    profile.preferred_language = "fr"
    profile.save()
    assert (liberty.pk, "Anglais") in _search(superuser_client, "liberty", "fr")


def test_other_page_searches_keep_every_copy(superuser_client, organizations):
    aclu, _french_aclu, _liberty = organizations
    response = superuser_client.get(SEARCH, {"q": "civil", "locale": "fr"})
    ids = {page_id for page_id, _label in _rows(text_of(response))}
    copies = OrganizationPage.objects.filter(translation_key=aclu.translation_key)
    assert ids == set(copies.filter(title__contains="Civil").values_list("pk", flat=True))
    assert len(ids) == 3  # English, and the Hungarian and Spanish aliases


def test_browsing_a_language_tree_marks_the_organizations_stored_in_another_language(
    superuser_client, organizations, tree
):
    aclu, french_aclu, liberty = organizations
    french_index = _copy(tree.organizations, "fr")
    response = superuser_client.get(
        f"/admin/choose-page/{french_index.pk}/",
        {"page_type": "home.organizationpage", "locale": "fr"},
    )
    rows = dict(_rows(json.loads(text_of(response))["html"]))  # a modal workflow step
    assert rows[french_aclu.pk] == ""
    assert rows[_copy(liberty, "fr").pk] == "English"  # an alias: English is stored


def test_a_signatory_stores_the_copy_in_the_letters_language(organizations, make_letter, translate):
    aclu, french_aclu, liberty = organizations
    letter = make_letter("encryption")
    french_letter = translate(letter, "fr")
    hungarian_aclu, hungarian_liberty = _copy(aclu, "hu"), _copy(liberty, "hu")
    assert hungarian_aclu.alias_of_id == aclu.pk
    cases = [
        (letter, hungarian_aclu, aclu),
        (letter, french_aclu, aclu),
        (french_letter, hungarian_aclu, french_aclu),
        (french_letter, aclu, french_aclu),
        (french_letter, hungarian_liberty, liberty),  # no French copy: the English one
    ]
    for this_letter, picked, stored in cases:
        row = LetterSignatory(letter=this_letter, organization=picked)
        row.clean()
        assert row.organization_id == stored.pk, (this_letter.locale, picked.locale)


def new_letter_form(title: str, slug: str, organizations) -> dict:
    """The admin's create form for an English letter signed by `organizations` (any copies)."""
    data = {
        "title": title,
        "slug": slug,
        "letter_type": "open_letter",
        "publication_date": "2026-11-28",
        "standfirst": "We ask for one thing.",
        "addressees": "Parliament",
        "body-count": "0",
        "contacts-count": "0",
        "signatories-TOTAL_FORMS": str(len(organizations)),
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "1000",
    }
    for index, organization in enumerate(organizations):
        data[f"signatories-{index}-organization"] = str(organization.pk)
        data[f"signatories-{index}-visibility"] = "public"
        data[f"signatories-{index}-ORDER"] = str(index + 1)
    for inline, most in (("signers", 1000), ("share_image_overrides", 1), ("social_texts", 1000)):
        data |= {
            f"{inline}-TOTAL_FORMS": "0",
            f"{inline}-INITIAL_FORMS": "0",
            f"{inline}-MIN_NUM_FORMS": "0",
            f"{inline}-MAX_NUM_FORMS": str(most),
        }
    return data


def test_choosing_the_hungarian_copy_in_the_editor_stores_the_english_one(
    superuser_client, organizations, tree
):
    aclu, _french_aclu, _liberty = organizations
    hungarian = _copy(aclu, "hu")
    data = new_letter_form("A new letter", "a-new-letter", [hungarian])
    response = superuser_client.post(f"/admin/pages/add/home/letterpage/{tree.letters.pk}/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    from home.models import LetterPage

    letter = LetterPage.objects.get(
        slug="a-new-letter", locale=Locale.objects.get(language_code="en")
    )
    assert list(letter.signatories.values_list("organization_id", flat=True)) == [aclu.pk]


def test_two_copies_of_one_organization_are_one_signatory_error_not_a_crash(
    superuser_client, organizations, tree
):
    """Two rows naming the same organization through different copies (the Hungarian and
    the English) become one organization once stored: the form says so, nothing is saved."""
    aclu, _french_aclu, _liberty = organizations
    hungarian = _copy(aclu, "hu")
    data = new_letter_form("A letter signed twice", "a-letter-signed-twice", [hungarian, aclu])
    response = superuser_client.post(f"/admin/pages/add/home/letterpage/{tree.letters.pk}/", data)
    assert response.status_code == 200, response.status_code
    assert "This organization signs the letter already, in another row." in (
        response.content.decode()
    ), response.content.decode()[-3000:]
    from home.models import LetterPage

    assert not LetterPage.objects.filter(slug="a-letter-signed-twice").exists()
