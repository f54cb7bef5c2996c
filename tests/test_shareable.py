"""A live, public, original letter: the one rule (home.letters) and who reads it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Locale, PageViewRestriction

from home.letters import live_translations, shareable_letter
from home.models import LetterPage
from publishing.feeds.letters import feed_letters


@pytest.fixture
def french(db):
    return Locale.objects.get(language_code="fr")


def test_a_live_public_letter_is_shareable_in_two_queries(make_letter, django_assert_num_queries):
    letter = make_letter("open")
    with django_assert_num_queries(2):  # home.privacy's sections, then the letter
        found = shareable_letter(letter.pk)
    assert found == letter and found.locale.language_code == "en"


def test_no_page_and_a_page_that_is_no_letter_are_not_shareable(tree):
    assert shareable_letter(tree.letters.pk) is None
    assert shareable_letter(2**40) is None


def test_an_unpublished_letter_is_not_shareable(make_letter):
    letter = make_letter("withdrawn")
    letter.unpublish()
    assert shareable_letter(letter.pk) is None
    assert not feed_letters(letter.locale).filter(pk=letter.pk).exists()


def test_a_letter_under_a_private_section_is_not_shareable(make_letter, tree):
    letter = make_letter("sealed")
    PageViewRestriction.objects.create(page=tree.letters, restriction_type="login")
    assert shareable_letter(letter.pk) is None
    assert not LetterPage.objects.shareable().exists()


def test_an_alias_is_not_shareable_but_its_original_is(make_letter, french, tree):
    letter = make_letter("original")
    alias = LetterPage.objects.filter(alias_of=letter, locale=french).first()
    if alias is None:  # the trees are synchronised on publish when the locales are
        alias = letter.copy_for_translation(french, copy_parents=True, alias=True)
    assert alias.live
    assert shareable_letter(alias.pk) is None
    assert shareable_letter(letter.pk) == letter
    assert list(feed_letters(french)) == []
    assert live_translations([alias], LetterPage)[letter.translation_key] == [letter]


def test_a_live_letter_whose_go_live_time_is_ahead_is_not_shareable(make_letter):
    # What page_published hands a receiver for a draft only scheduled (wagtail#13959).
    letter = make_letter("early")
    ahead = timezone.now() + timedelta(hours=1)
    LetterPage.objects.filter(pk=letter.pk).update(go_live_at=ahead)
    assert shareable_letter(letter.pk) is None
    assert not feed_letters(letter.locale).filter(pk=letter.pk).exists()


def test_a_letter_published_at_its_go_live_time_is_shareable(make_letter):
    # publish_scheduled's clock decided it had gone live: this process's clock may lag.
    letter = make_letter("on-time")
    go_live = timezone.now() + timedelta(hours=1)
    LetterPage.objects.filter(pk=letter.pk).update(go_live_at=go_live, last_published_at=go_live)
    assert shareable_letter(letter.pk) == letter
