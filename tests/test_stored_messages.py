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


# -- deliveries: the worker's own words, around a network's --------------------------------

ACCOUNT_DISABLED = "The account was disabled."
RECONNECT = "%(error)s Reconnect the account, then retry."
NETWORK_SAID = "401 The access token is invalid"


@pytest.fixture
def deliveries_with_our_words(accounts, make_letter, run_on_commit):
    """An English letter's two deliveries, ended by the worker while English was active: one
    skipped (its account disabled), one refused by the network (its token revoked)."""
    from publishing.models import Delivery, DeliveryStatus, SocialAccount
    from publishing.social import worker

    letter = run_on_commit(make_letter, "tokens", title="Protect tokens")
    skipped = Delivery.objects.get(page=letter, account__name="x-en")
    refused = Delivery.objects.get(page=letter, account__name="mastodon-en")
    SocialAccount.objects.filter(pk=skipped.account_id).update(enabled=False)
    Delivery.objects.filter(pk=skipped.pk).update(status=DeliveryStatus.PENDING, attempts=0)
    with translation.override("en"):
        assert worker.deliver(skipped.pk).status == DeliveryStatus.SKIPPED
        error = SocialAccount.record_failure(refused.account_id, NETWORK_SAID, authentication=True)
    Delivery.objects.filter(pk=refused.pk).update(status=DeliveryStatus.FAILED, error=error)
    return letter


def _delivery_words(language: str) -> list[str]:
    with translation.override(language):
        return [gettext(ACCOUNT_DISABLED), gettext(RECONNECT) % {"error": NETWORK_SAID}]


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_deliverys_reason_and_error_are_shown_in_the_editors_admin_language(
    superuser_client, deliveries_with_our_words, language
):
    letter = deliveries_with_our_words
    _sharing_tab(superuser_client, letter, language)  # sets the admin language
    page = html.unescape(
        text_of(superuser_client.get(f"/admin/publishing/pages/{letter.pk}/what-went-out/"))
    )
    report = html.unescape(text_of(superuser_client.get("/admin/publishing/deliveries/")))
    english = _delivery_words("en")
    ours = _delivery_words(language)
    assert ours[0] != english[0]  # translated in both catalogues already
    for words in ours:
        assert words in page
    assert ours[1] in report  # the report's Error column
    # The network's own words are kept as it sent them, in every language.
    assert NETWORK_SAID in ours[1]
    for words in english:
        assert words not in page and words not in report


def test_errors_stored_as_text_before_the_change_still_show_as_they_are(
    superuser_client, deliveries_with_our_words
):
    from publishing.models import Delivery

    old = "Gave up after 3 attempts. Last error: 503 busy"
    Delivery.objects.filter(page=deliveries_with_our_words).update(error=old)
    _sharing_tab(superuser_client, deliveries_with_our_words, "fr")
    url = f"/admin/publishing/pages/{deliveries_with_our_words.pk}/what-went-out/"
    assert old in html.unescape(text_of(superuser_client.get(url)))


def test_lines_of_text_and_messages_are_stored_as_text_when_none_is_a_message():
    from publishing.messages import stored_text

    assert stored_text("busy", "still busy") == "busy\nstill busy"
    mixed = stored_text("timed out", message("Retry %(n)s", n=2))
    assert show_message(stored_text(mixed, "later")) == "timed out\nRetry 2\nlater"
