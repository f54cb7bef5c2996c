"""Derived artefacts follow their inputs: share cards in every language and variant,
cached feeds and API answers, WebSub pings.

An English letter signed by four organizations (each with a logo of its own
colour) has French and Arabic translations and an untranslated Spanish alias.
Each test changes one input of the cards, wherever that change is made, and
checks what a reader gets in every language: the page's og:image, the API's
share_images and the feed enclosure all point at one card drawn from the new
inputs (its logos are looked for by colour in the served image, its signatory
count read from its alt text), and never at a stale one.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from unittest import mock
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.utils import translation
from PIL import Image
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale, PageViewRestriction, Site
from wagtail_localize.synctree import synchronize_tree

from home.models import LetterPage, OrganizationIndexPage, SignatoryVisibility
from publishing.messages import show_message
from publishing.models import ShareCardSettings, ShareImage
from publishing.share_images import service
from tests.conftest import publish
from tests.servers.websub import WebSubHub

# Pure colours no antialiased text on the default card (#1b1b1f, #fbfaf7, #e4572e) produces.
LOGO_COLOURS = {
    "open-rights": (0, 160, 0),
    "free-press": (0, 0, 220),
    "at-risk": (220, 0, 220),
    "civic-watch": (0, 190, 190),
}
TITLES = {"en": "Watched letter", "fr": "Lettre surveillée", "ar": "رسالة مراقبة"}


@dataclass
class Signed:
    letters: dict[str, LetterPage]  # en, fr, ar, and es: an alias of the English letter
    organizations: dict


def logo(name: str, colour: tuple[int, int, int]):
    return get_image_model().objects.create(
        title=name, file=get_test_image_file(f"{name}.png", colour=colour, size=(90, 90))
    )


@pytest.fixture
def signed_with_logos(
    client, make_organization, make_letter, translate, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organizations = {
            slug: make_organization(slug, slug.replace("-", " ").title(), logo=logo(slug, colour))
            for slug, colour in LOGO_COLOURS.items()
        }
        english = make_letter(
            "watched", title=TITLES["en"], signatories=list(organizations.values())
        )
    letters = {"en": english}
    for language in ("fr", "ar"):
        letters[language] = translate(english, language, {TITLES["en"]: TITLES[language]})
    with django_capture_on_commit_callbacks(execute=True):
        synchronize_tree(
            Locale.objects.get(language_code="en"), Locale.objects.get(language_code="es")
        )
    letters["es"] = LetterPage.objects.get(
        translation_key=english.translation_key, locale__language_code="es"
    )
    assert letters["es"].alias_of_id == english.pk
    # Readers have seen every card, so feeds and API answers are cached.
    for language, letter in letters.items():
        assert client.get(f"/api/v1/letters/{letter.pk}/").json()["share_images"]
        assert client.get(f"/{language}/feeds/letters.atom").status_code == 200
    return Signed(letters, organizations)


# -- what readers get ------------------------------------------------------------------------


def served_cards(client, letter: LetterPage) -> dict[str, str | None]:
    """The path of the Open Graph card each reader-facing artefact points at (None: no card)."""
    html = client.get(letter.url).content.decode()
    meta = re.search(r'<meta property="og:image" content="([^"]+)">', html)
    api = client.get(f"/api/v1/letters/{letter.pk}/").json()
    og = [image["url"] for image in api["share_images"] if image["variant"] == "og"]
    served = {"page": meta and meta.group(1), "api": og[0] if og else None}
    if not letter.alias_of_id:  # feeds leave aliases out
        language = letter.locale.language_code
        feed = feedparser.parse(client.get(f"/{language}/feeds/letters.atom").content)
        (entry,) = [e for e in feed.entries if urlsplit(e.link).path == letter.url]
        served["feed"] = entry.enclosures[0].href if entry.enclosures else None
    return {where: url and urlsplit(url).path for where, url in served.items()}


def card_pixels(client, path: str) -> Image.Image:
    response = client.get(path)
    assert response.status_code == 200
    return Image.open(io.BytesIO(b"".join(response.streaming_content))).convert("RGB")


def card_alt(client, letter: LetterPage) -> str:
    api = client.get(f"/api/v1/letters/{letter.pk}/").json()
    return next(image["alt"] for image in api["share_images"] if image["variant"] == "og")


def assert_cards(
    client, signed_with_logos: Signed, *, named: set[str], count: int | None = None
) -> None:
    """Every language serves one card, showing the logos of `named` organizations only."""
    for language, letter in signed_with_logos.letters.items():
        served = served_cards(client, letter)
        paths = set(served.values())
        assert len(paths) == 1 and None not in paths, (language, served)
        colours = {colour for _, colour in card_pixels(client, paths.pop()).getcolors(1 << 20)}
        shown = {slug for slug, colour in LOGO_COLOURS.items() if colour in colours}
        assert shown == named, language
        if count is not None:
            assert re.findall(r"\d+", card_alt(client, letter)) == [str(count)], language


def assert_no_card_served(client, signed_with_logos: Signed) -> None:
    for language, letter in signed_with_logos.letters.items():
        served = served_cards(client, letter)
        assert set(served.values()) == {None}, (language, served)


# -- the inputs of a card, one by one ----------------------------------------------------------


def withhold(letter: LetterPage, slug: str) -> None:
    rows = list(letter.signatories.order_by("sort_order"))
    for row in rows:
        if row.organization.slug == slug:
            row.visibility = SignatoryVisibility.WITHHELD
    letter.signatories = rows
    letter.save_revision().publish()


def test_withholding_a_signatory_on_the_source_redraws_every_language(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    assert_cards(client, signed_with_logos, named=set(LOGO_COLOURS), count=4)
    with django_capture_on_commit_callbacks(execute=True):
        withhold(signed_with_logos.letters["en"], "at-risk")
    assert_cards(
        client, signed_with_logos, named={"open-rights", "free-press", "civic-watch"}, count=3
    )


def test_no_language_serves_a_stale_card_while_its_redraw_is_pending(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as redraws:
        withhold(signed_with_logos.letters["en"], "at-risk")
    assert_no_card_served(client, signed_with_logos)  # not the old card, with the withheld logo
    for redraw in redraws:
        redraw()
    assert_cards(
        client, signed_with_logos, named={"open-rights", "free-press", "civic-watch"}, count=3
    )


def test_a_republish_that_changes_nothing_on_the_card_keeps_it_served_meanwhile(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    """Crawlers fetching og:image during a republish's fan-out must not get a 404."""
    before = {
        lang: served_cards(client, letter) for lang, letter in signed_with_logos.letters.items()
    }
    english = signed_with_logos.letters["en"]
    with django_capture_on_commit_callbacks(execute=False):
        english.save_revision().publish()  # e.g. a typo fixed in the body
    for language, letter in signed_with_logos.letters.items():
        assert served_cards(client, letter) == before[language], language
        (path,) = set(before[language].values())
        assert client.get(path).status_code == 200, language


def hide_at_risk_by_privacy(signed):
    PageViewRestriction.objects.create(
        page=signed.organizations["at-risk"], restriction_type="login"
    )


def make_letter_private(signed):
    PageViewRestriction.objects.create(page=signed.letters["en"], restriction_type="login")


def retitle(signed):
    english = signed.letters["en"]
    english.title = "Watched letter, renamed"
    english.save_revision().publish()


EVERY_LANGUAGE = ("en", "fr", "ar", "es")


@pytest.mark.parametrize(
    "change, languages",
    [
        (lambda signed: withhold(signed.letters["en"], "at-risk"), EVERY_LANGUAGE),
        (lambda signed: signed.organizations["at-risk"].unpublish(), EVERY_LANGUAGE),
        (hide_at_risk_by_privacy, EVERY_LANGUAGE),
        (make_letter_private, EVERY_LANGUAGE),
        (retitle, ("en", "es")),  # the alias shows the English card; translations keep theirs
    ],
    ids=["withheld", "signatory-unpublished", "signatory-private", "letter-private", "retitled"],
)
def test_a_change_to_a_cards_inputs_never_leaves_the_old_card_public(
    client, signed_with_logos, django_capture_on_commit_callbacks, change, languages
):
    """Until the redraw, the old card (the withheld logo, the old title) is a 404 for readers."""
    old = {
        lang: set(served_cards(client, letter).values())
        for lang, letter in signed_with_logos.letters.items()
    }
    with django_capture_on_commit_callbacks(execute=False):
        change(signed_with_logos)
    for language in languages:
        letter = signed_with_logos.letters[language]
        (path,) = old[language]
        assert client.get(path).status_code == 404, language
        served = client.get(letter.url)
        assert path not in served.content.decode(), language


def test_anonymising_a_signatory_on_the_source_takes_its_logo_off_every_card(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    english = signed_with_logos.letters["en"]
    rows = list(english.signatories.order_by("sort_order"))
    rows[3].visibility = SignatoryVisibility.ANONYMOUS_WITH_COUNTRY
    english.signatories = rows
    with django_capture_on_commit_callbacks(execute=True):
        english.save_revision().publish()
    assert_cards(client, signed_with_logos, named={"open-rights", "free-press", "at-risk"}, count=4)


def test_unpublishing_a_signatory_takes_it_off_every_card(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_with_logos.organizations["at-risk"].unpublish()
    assert_cards(
        client, signed_with_logos, named={"open-rights", "free-press", "civic-watch"}, count=3
    )


def test_making_a_signatory_private_takes_it_off_every_card_until_it_is_public_again(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        restriction = PageViewRestriction.objects.create(
            page=signed_with_logos.organizations["at-risk"], restriction_type="login"
        )
    assert_cards(
        client, signed_with_logos, named={"open-rights", "free-press", "civic-watch"}, count=3
    )
    with django_capture_on_commit_callbacks(execute=True):
        restriction.delete()
    assert_cards(client, signed_with_logos, named=set(LOGO_COLOURS), count=4)


def test_a_private_organizations_section_takes_every_signatory_off_the_cards(
    client, signed_with_logos, tree, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=tree.organizations, restriction_type="password", password="x"
        )
    assert_cards(client, signed_with_logos, named=set())


def test_moving_a_signatory_into_a_private_section_takes_it_off_every_card(
    client, signed_with_logos, tree, django_capture_on_commit_callbacks
):
    private = OrganizationIndexPage(title="Private", slug="private")
    tree.home.add_child(instance=private)
    publish(private)
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    with django_capture_on_commit_callbacks(execute=True):
        signed_with_logos.organizations["at-risk"].move(private, pos="last-child")
    assert_cards(
        client, signed_with_logos, named={"open-rights", "free-press", "civic-watch"}, count=3
    )


def test_replacing_a_logo_file_redraws_every_card_that_shows_it(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    image = signed_with_logos.organizations["civic-watch"].logo
    replacement = (230, 120, 0)
    image.file = get_test_image_file("civic-watch-2.png", colour=replacement, size=(90, 90))
    image._set_file_hash()
    with django_capture_on_commit_callbacks(execute=True):
        image.save()  # what the image library's edit view does with a new file
    for letter in signed_with_logos.letters.values():
        path = served_cards(client, letter)["api"]
        colours = {colour for _, colour in card_pixels(client, path).getcolors(1 << 20)}
        assert replacement in colours and LOGO_COLOURS["civic-watch"] not in colours


def test_deleting_a_logo_takes_it_off_every_card(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signed_with_logos.organizations["free-press"].logo.delete()
    assert_cards(
        client, signed_with_logos, named={"open-rights", "at-risk", "civic-watch"}, count=4
    )


def test_a_logo_chosen_on_the_organization_page_reaches_every_card(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    organization = signed_with_logos.organizations["open-rights"]
    organization.logo = None
    with django_capture_on_commit_callbacks(execute=True):
        organization.save_revision().publish()
    assert_cards(client, signed_with_logos, named={"free-press", "at-risk", "civic-watch"}, count=4)


def test_changing_the_card_settings_redraws_every_language(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    settings_row = ShareCardSettings.for_site(Site.objects.get(is_default_site=True))
    settings_row.background_colour = "#0a3d62"
    with django_capture_on_commit_callbacks(execute=True):
        settings_row.save()
    for letter in signed_with_logos.letters.values():
        path = served_cards(client, letter)["api"]
        colours = card_pixels(client, path).getcolors(1 << 20)
        assert max(colours)[1] == (0x0A, 0x3D, 0x62)  # the background


def test_renaming_the_site_changes_the_brand_on_every_card(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    site = Site.objects.get(is_default_site=True)
    site.site_name = "Civic Letters Network"
    with django_capture_on_commit_callbacks(execute=True):
        site.save()
    for letter in signed_with_logos.letters.values():
        assert "Civic Letters Network" in card_alt(client, letter)


def test_changing_the_fonts_redraws_the_cards_at_the_next_migrate(
    client, signed_with_logos, settings, django_capture_on_commit_callbacks
):
    arabic = signed_with_logos.letters["ar"]
    before = served_cards(client, arabic)["api"]
    settings.BROADSIDE_SHARE_IMAGE_FONTS = {
        family: [face for face in faces if face["name"] != "Noto Sans Arabic"]
        for family, faces in settings.BROADSIDE_SHARE_IMAGE_FONTS.items()
    }
    with django_capture_on_commit_callbacks(execute=True):
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    after = served_cards(client, arabic)["api"]
    assert after != before
    card = ShareImage.objects.get(page=arabic, variant="og")
    with translation.override("en"):  # the requests above left Arabic active
        # No face for Arabic now.
        assert any("left out" in show_message(problem) for problem in card.problems)


def test_retitling_a_translation_redraws_its_own_card(
    client, signed_with_logos, django_capture_on_commit_callbacks
):
    french = signed_with_logos.letters["fr"]
    english_card = served_cards(client, signed_with_logos.letters["en"])["api"]
    french.title = "Lettre surveillée de près"
    with django_capture_on_commit_callbacks(execute=True):
        french.save_revision().publish()
    assert "Lettre surveillée de près" in card_alt(client, french)
    assert served_cards(client, signed_with_logos.letters["en"])["api"] == english_card


# -- pings and races ---------------------------------------------------------------------------


def test_withholding_pings_every_languages_feeds_and_never_the_hidden_signatorys(
    signed_with_logos, settings, django_capture_on_commit_callbacks
):
    with WebSubHub() as hub:
        settings.BROADSIDE_WEBSUB_HUB = hub.url
        with django_capture_on_commit_callbacks(execute=True):
            withhold(signed_with_logos.letters["en"], "at-risk")
    for language in ("en", "fr", "ar"):
        assert f"http://localhost/{language}/feeds/letters.atom" in hub.pings
    assert "http://localhost/en/feeds/organizations/open-rights.atom" in hub.pings
    assert not [url for url in hub.pings if "at-risk" in url]


def test_renaming_a_signatory_pings_the_feeds_of_every_letter_it_signed(
    signed_with_logos, settings, django_capture_on_commit_callbacks
):
    organization = signed_with_logos.organizations["free-press"]
    organization.title = "Free Press Union"
    with WebSubHub() as hub:
        settings.BROADSIDE_WEBSUB_HUB = hub.url
        with django_capture_on_commit_callbacks(execute=True):
            organization.save_revision().publish()
    for language in ("en", "fr", "ar"):
        assert f"http://localhost/{language}/feeds/letters.rss" in hub.pings


def test_a_hidden_signatorys_page_changes_leave_the_letter_alone(
    client, signed_with_logos, settings, django_capture_on_commit_callbacks
):
    """Hiding or redrawing the letter's cards, or pinging its feeds, when the page of an
    organization withheld from it changes would tie that organization to the letter."""
    with django_capture_on_commit_callbacks(execute=True):
        withhold(signed_with_logos.letters["en"], "at-risk")
    at_risk = signed_with_logos.organizations["at-risk"]
    at_risk.title = "At Risk Renamed"
    with WebSubHub() as hub:
        settings.BROADSIDE_WEBSUB_HUB = hub.url
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            at_risk.save_revision().publish()
        for letter in signed_with_logos.letters.values():
            assert None not in served_cards(client, letter).values()
        for callback in callbacks:
            callback()
    assert hub.pings and all("/feeds/organizations/at-risk." in url for url in hub.pings)


def test_a_redraw_that_read_older_inputs_leaves_the_card_hidden(signed_with_logos):
    from publishing.share_images.changes import invalidate_cards

    english = signed_with_logos.letters["en"]
    real_draw = service.draw

    def draw_while_an_editor_publishes(*args, **kwargs):
        result = real_draw(*args, **kwargs)
        invalidate_cards(LetterPage.objects.filter(pk=english.pk))
        return result

    ShareImage.objects.filter(page=english).update(input_hash="")  # forces drawing
    with mock.patch.object(service, "draw", draw_while_an_editor_publishes):
        service.render_share_images(english)
    assert set(ShareImage.objects.filter(page=english).values_list("stale", flat=True)) == {True}
    service.render_share_images(english)  # the redraw the change enqueued
    assert set(ShareImage.objects.filter(page=english).values_list("stale", flat=True)) == {False}
