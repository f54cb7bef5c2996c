"""Issue 17's "Done when", on the flagship demo letter live in all eight languages.

An editor changes the letter's standfirst and signatories: every translation shows
the new facts at once, keeps its translated text, is flagged for the changed segment
with the previous translation offered, and its translators are told.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from wagtail.models import Locale
from wagtail_localize.models import Translation

from home.demo.loader import translate_from_strings
from home.models import LetterPage, LetterSignatory, SignatoryVisibility
from tests.conftest import _PrefixingCatalogue, rolled_back_after
from tests.responses import text_of
from tests.test_demo import load_demo
from translations.models import OutdatedSegment
from translations.translators import translator_group_name

FLAGSHIP = "private-messaging-russia"
OTHERS = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.fixture(scope="module")
def eight_languages(django_db_setup, django_db_blocker):
    """The demo, with the flagship letter also translated into the languages the demo
    leaves untranslated (strings prefixed with the language code), once per module."""
    with rolled_back_after(django_db_blocker):
        load_demo()
        letter = LetterPage.objects.get(slug=FLAGSHIP, locale__language_code="en")
        with TestCase.captureOnCommitCallbacks(execute=True):
            for code in OTHERS:
                locale = Locale.objects.get(language_code=code)
                translate_from_strings(letter, locale, _PrefixingCatalogue(code, {}))
        yield letter


def test_editing_the_flagship_letter_after_it_is_live_in_eight_languages(
    eight_languages, db, client, django_capture_on_commit_callbacks
):
    letter = LetterPage.objects.get(pk=eight_languages.pk)
    before = {
        page.locale.language_code: page
        for page in LetterPage.objects.filter(
            translation_key=letter.translation_key, alias_of__isnull=True, live=True
        ).select_related("locale")
    }
    assert set(before) == {code for code, _name in settings.LANGUAGES}
    translators = {}
    for code in OTHERS:
        user = get_user_model().objects.create_user(f"t-{code}", f"{code}@example.org", "pw")
        user.groups.add(Group.objects.get(name=translator_group_name(code)))
        translators[code] = user
    rows = list(letter.signatories.order_by("sort_order"))
    withheld, first = rows[0].organization, rows[-1].organization
    old_standfirst = letter.standfirst
    withheld_names = set(
        type(withheld)
        .objects.filter(translation_key=withheld.translation_key)
        .values_list("title", flat=True)
    )

    letter.standfirst = old_standfirst.replace(".", " now.", 1)
    letter.signatories = [
        LetterSignatory(organization=first),
        *[LetterSignatory(organization=r.organization) for r in rows[1:-1]],
        LetterSignatory(organization=withheld, visibility=SignatoryVisibility.WITHHELD),
    ]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        letter.save_revision().publish()

    expected = [(first.pk, "public")] + [(r.organization_id, "public") for r in rows[1:-1]]
    expected.append((withheld.pk, SignatoryVisibility.WITHHELD))
    for code in OTHERS:
        page = LetterPage.objects.get(pk=before[code].pk)
        got = [(r.organization_id, r.visibility) for r in page.signatories.order_by("sort_order")]
        assert got == expected, code  # new facts at once
        assert page.standfirst == before[code].standfirst, code  # translated text kept
        assert page.last_published_at == before[code].last_published_at, code
        html = text_of(client.get(page.url))
        assert not [name for name in withheld_names if name in html], code
        translation = Translation.objects.get(
            source__object_id=letter.translation_key, target_locale=page.locale
        )
        review = OutdatedSegment.objects.get(translation=translation)
        assert review.context.path == "standfirst", code
        assert review.previous_translation == before[code].standfirst, code
        assert [m.to for m in mail.outbox if m.to == [f"{code}@example.org"]] == [
            [f"{code}@example.org"]
        ], code
