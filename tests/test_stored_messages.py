"""Messages stored for editors are shown in each editor's admin language (issue 15, "The admin
in the editor's language"): a share card's problems are found when a task draws the card, in
whatever language it had active, and read later by editors whose admin is in French or Arabic."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.translation import gettext
from wagtail.users.models import UserProfile

from publishing.messages import message, show_message
from publishing.models import ShareImage
from publishing.share_images.service import render_share_images
from tests.responses import text_of
from tests.test_share_images import placeholder, wagtail_image

LOGO_LEFT_OUT = "Logo of %(organization)s left out: %(reason)s"
SVG_REFUSED = "SVG logos cannot be used; upload a PNG."
NO_FONT = "No font can draw these characters, so they were left out: %(characters)s"


@pytest.fixture
def card_with_problems(make_organization, make_letter):
    """A letter whose cards were drawn while English was active: an emoji no card font draws,
    and a signatory whose logo (an SVG) is refused."""
    svg = wagtail_image("svg", placeholder(), b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    organization = make_organization("svg", "Svg Org", logo=svg)
    letter = make_letter("parrots", signatories=[organization], title="Protect parrots 🦜")
    with translation.override("en"):
        assert all(render_share_images(letter).values())
    return letter


def _sharing_tab(client, letter, language: str) -> str:
    user = get_user_model().objects.get(username="admin")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    page = text_of(client.get(f"/admin/pages/{letter.pk}/edit/"))
    return html.unescape(page.split('class="share-card-previews"', 1)[1])


def _expected(language: str) -> list[str]:
    with translation.override(language):
        return [
            gettext(LOGO_LEFT_OUT) % {"organization": "Svg Org", "reason": gettext(SVG_REFUSED)},
            gettext(NO_FONT) % {"characters": "🦜"},
        ]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_cards_problems_are_shown_in_the_editors_admin_language(
    superuser_client, card_with_problems, language
):
    tab = _sharing_tab(superuser_client, card_with_problems, language)
    english = _expected("en")
    for problem in _expected(language):
        assert problem in tab
    # The catalogues translate these already: the English must be gone, not merely joined.
    assert _expected(language)[1] != english[1]
    for problem in english:
        assert problem not in tab


def test_the_same_card_reads_in_english_for_an_english_editor(superuser_client, card_with_problems):
    tab = _sharing_tab(superuser_client, card_with_problems, "en")
    assert all(problem in tab for problem in _expected("en"))


def test_problems_are_stored_as_message_ids_with_their_parameters(card_with_problems):
    card = ShareImage.objects.get(page=card_with_problems, variant="og")
    assert message(NO_FONT, characters="🦜") in card.problems
    assert (
        message(LOGO_LEFT_OUT, organization="Svg Org", reason=message(SVG_REFUSED)) in card.problems
    )


def test_problems_stored_as_text_before_the_change_still_show_as_they_are(
    superuser_client, card_with_problems
):
    old = "Logo of Old Org left out: the file is not an image Broadside can read."
    ShareImage.objects.filter(page=card_with_problems).update(problems=[old])
    assert old in _sharing_tab(superuser_client, card_with_problems, "fr")


def test_a_catalogue_slip_falls_back_to_the_english_rather_than_hiding_the_warning():
    slip = {"msgid": "Broken %(name)s", "params": {"other": "x"}}
    assert show_message(slip) == "Broken %(name)s"
    assert show_message(message("Hi %(name)s", name="Ann")) == "Hi Ann"
    # A network's words, or any plain value, are never looked up in a catalogue.
    assert show_message("Problem") == "Problem" and show_message(None) == ""
