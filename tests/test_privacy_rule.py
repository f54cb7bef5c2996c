"""home.privacy's rule, page by page, on a small tree (fast enough for mutation testing).

A view restriction covers the page, its descendants, every language version of them
and every alias of them, and again theirs (home/privacy.py). tests/test_privacy.py
checks every surface on a fully translated site; these check the rule itself.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale, Page, PageViewRestriction

from home.models import LetterPage
from home.privacy import (
    PrivacyAwarePageQuerySet,
    PrivateSectionsMiddleware,
    exclude_private,
    forget_private_sections,
    private_sections,
    readable_by,
    restrictions_for,
)

pytestmark = pytest.mark.django_db


def restrict(page: Page, kind: str = PageViewRestriction.LOGIN) -> PageViewRestriction:
    return PageViewRestriction.objects.create(
        page=page, restriction_type=kind, password="open sesame" if kind == "password" else ""
    )


def version(page: Page, language: str) -> Page:
    """`page` in `language`: a real translation (not an alias) of the same translation key."""
    locale = Locale.objects.get(language_code=language)
    Page.objects.filter(translation_key=page.translation_key, locale=locale).delete()
    return page.copy_for_translation(locale, copy_parents=True)


def public_ids() -> set[int]:
    """Every page readers may see (Wagtail's own `Page.objects.public()` is narrower)."""
    return set(exclude_private(Page.objects.all()).values_list("pk", flat=True))


def private_ids() -> set[int]:
    return set(PrivacyAwarePageQuerySet(Page).not_public().values_list("pk", flat=True))


def test_nothing_restricted_nothing_private(make_letter, django_assert_num_queries):
    letter = make_letter("open")
    with django_assert_num_queries(1):
        assert private_sections() == []
    assert letter.pk in public_ids()
    assert list(restrictions_for(letter)) == []
    assert set(exclude_private(LetterPage.objects.all())) == set(LetterPage.objects.all())


def test_a_restriction_covers_the_page_and_its_descendants_only(tree, make_letter):
    letter = make_letter("sealed")
    restriction = restrict(tree.letters)
    assert letter.pk not in public_ids()
    assert tree.letters.pk not in public_ids()
    assert {tree.home.pk, tree.organizations.pk} <= public_ids()
    assert list(restrictions_for(letter)) == [restriction]
    assert list(restrictions_for(tree.home)) == []
    assert {tree.letters.pk, letter.pk} <= private_ids()
    assert tree.home.pk not in private_ids()


def test_a_restriction_on_a_letter_covers_its_translation(make_letter):
    letter = make_letter("sealed")
    other = make_letter("open")
    french = version(letter, "fr")
    restriction = restrict(letter)
    assert french.pk not in public_ids()
    assert french.pk in private_ids()
    assert other.pk in public_ids()
    assert set(LetterPage.objects.public()) == {other}
    assert list(restrictions_for(french)) == [restriction]


def test_a_restriction_on_a_translation_covers_the_original(make_letter):
    letter = make_letter("sealed")
    french = version(letter, "fr")
    restriction = restrict(french)
    assert letter.pk not in public_ids()
    assert list(restrictions_for(letter)) == [restriction]


def test_a_restriction_covers_an_alias_elsewhere_and_its_descendants(tree, make_letter):
    letter = make_letter("sealed")
    restriction = restrict(tree.letters)
    alias = letter.create_alias(parent=tree.organizations, update_slug="sealed-alias")
    assert alias.pk not in public_ids()
    assert list(restrictions_for(alias)) == [restriction]


def test_the_rule_spreads_until_nothing_changes(tree, make_letter):
    # English letter restricted -> its Spanish translation -> an alias of that elsewhere.
    letter = make_letter("sealed")
    spanish = version(letter, "es")
    alias = spanish.create_alias(parent=tree.organizations, update_slug="spanish-alias")
    restriction = restrict(letter)
    assert alias.pk not in public_ids()
    assert list(restrictions_for(alias)) == [restriction]


def test_a_page_two_restrictions_reach_asks_for_both(tree, make_letter):
    letter = make_letter("sealed")
    french = version(letter, "fr")
    by_login = restrict(tree.letters)
    by_password = restrict(french, PageViewRestriction.PASSWORD)
    # English letter: its index's login, its translation's password.
    assert set(restrictions_for(letter)) == {by_login, by_password}
    assert set(restrictions_for(french)) == {by_login, by_password}


def test_a_version_of_one_page_and_alias_of_another_asks_for_both(tree, make_letter):
    # Z stands in Spanish for letter A (same translation key) and shows letter B (an alias):
    # it is a language version of A and an alias of B, so both restrictions reach it, and
    # then X, A's French translation, as a language version of Z.
    first, second = make_letter("first"), make_letter("second")
    french = version(first, "fr")
    spanish = Locale.objects.get(language_code="es")
    Page.objects.filter(translation_key=first.translation_key, locale=spanish).delete()
    both = second.create_alias(parent=tree.organizations, update_slug="both", update_locale=spanish)
    Page.objects.filter(pk=both.pk).update(translation_key=first.translation_key)
    by_login, by_password = restrict(first), restrict(second, PageViewRestriction.PASSWORD)
    assert set(restrictions_for(both)) == {by_login, by_password}
    assert set(restrictions_for(french)) == {by_login, by_password}
    assert set(restrictions_for(first)) == {by_login, by_password}


def test_sections_are_worked_out_once_per_request_and_again_after_a_change(
    make_letter, django_assert_num_queries
):
    letter = make_letter("sealed")
    restrict(letter)
    seen = []

    request = object()

    def view(received):
        assert received is request
        first = private_sections()
        with django_assert_num_queries(0):
            assert private_sections() == first
        second = restrict(make_letter("another"))
        forget_private_sections(PageViewRestriction, instance=second)
        seen.append({section.path for section in private_sections()})
        return "response"

    assert PrivateSectionsMiddleware(view)(request) == "response"
    assert len(seen[0]) == 2
    # Outside a request nothing is kept: each call reads the restrictions.
    with CaptureQueriesContext(connection) as queries:
        private_sections()
    assert len(queries) >= 1


def test_a_reader_is_sent_only_to_a_live_page_whose_restrictions_they_pass(make_letter):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user, request.session = AnonymousUser(), {}
    letter = make_letter("moved")
    assert readable_by(letter, request)
    letter.live = False
    assert not readable_by(letter, request)
    letter.live = True
    # A password on its French version covers it too (THE RULE), until the reader enters it.
    restriction = restrict(version(letter, "fr"), PageViewRestriction.PASSWORD)
    assert not readable_by(letter, request)
    request.session[restriction.passed_view_restrictions_session_key] = [restriction.pk]
    assert readable_by(letter, request)
    restrict(letter)  # and a sign-in on the page itself: both are asked for
    assert not readable_by(letter, request)
