"""Every surface that shows signatories shows each one exactly as its visibility allows.

README ("What an editor does"): a signatory is named, anonymous (listed without its name),
anonymous with its country, or withheld (not listed, not counted, and its page does not
list the letter). One letter with one signatory of each kind is read through each surface
a reader, a feed reader, a front-end, a follower or a searcher sees: the page, the feeds,
the API, the share card, the social post, the organization pages and search.
"""

from __future__ import annotations

from datetime import date

import feedparser
import pytest
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Locale

from home.models import (
    LetterPage,
    LetterSignatory,
    OrganizationHandle,
    OrganizationPage,
    SignatoryVisibility,
)
from home.signatories import shown_country, signature_rows
from publishing.channels import get_channel_class
from publishing.share_images.card import VARIANTS
from publishing.share_images.content import card_inputs
from publishing.social.posts import post_context
from tests.conftest import build_tree, publish, rolled_back_after

# Names, slugs, countries and handles nothing else on a page contains.
NAMED = {"slug": "zephyr", "title": "Zephyr Named Union", "country": "CA", "name": "Canada"}
ANONYMOUS = {"slug": "quokka", "title": "Quokka Anonymous Collective", "country": "EG",
             "name": "Egypt"}  # fmt: skip
WITH_COUNTRY = {"slug": "walrus", "title": "Walrus Country Network", "country": "KE",
                "name": "Kenya"}  # fmt: skip
WITHHELD = {"slug": "ibex", "title": "Ibex Withheld League", "country": "HU", "name": "Hungary"}
HIDDEN_NAMES = [ANONYMOUS, WITH_COUNTRY, WITHHELD]
TITLE = "Stop the spyware trade"


@pytest.fixture(scope="module")
def signed_once(django_db_setup, django_db_blocker):
    """A letter signed by one organization of each visibility, each with a logo and a
    handle; made once for the module (every test here only reads it)."""
    with rolled_back_after(django_db_blocker):
        tree = build_tree()
        english = Locale.objects.get(language_code="en")
        organizations = {}
        for kind in (NAMED, ANONYMOUS, WITH_COUNTRY, WITHHELD):
            logo = get_image_model().objects.create(
                title=f"{kind['slug']} logo", file=get_test_image_file()
            )
            organization = OrganizationPage(
                title=kind["title"], slug=kind["slug"], country=kind["country"], logo=logo
            )
            tree.organizations.add_child(instance=organization)
            OrganizationHandle.objects.create(
                organization=publish(organization),
                network="mastodon",
                handle=f"@{kind['slug']}@mastodon.test",
                locale=english,
            )
            organizations[kind["slug"]] = organization
        # Another public Kenyan organization, so that "an organization in Kenya" names
        # neither (home.signatories._without_telling_details).
        tree.organizations.add_child(
            instance=OrganizationPage(title="Kenyan Bystander", slug="bystander", country="KE")
        )
        publish(OrganizationPage.objects.get(slug="bystander"))
        letter = LetterPage(
            title=TITLE,
            slug="spyware",
            standfirst="Standfirst of spyware.",
            publication_date=date(2025, 1, 1),
            body=[{"type": "paragraph", "value": "<p>Body of spyware.</p>"}],
        )
        letter.signatories = [
            LetterSignatory(organization=organizations["zephyr"]),
            LetterSignatory(
                organization=organizations["quokka"], visibility=SignatoryVisibility.ANONYMOUS
            ),
            LetterSignatory(
                organization=organizations["walrus"],
                visibility=SignatoryVisibility.ANONYMOUS_WITH_COUNTRY,
            ),
            LetterSignatory(
                organization=organizations["ibex"], visibility=SignatoryVisibility.WITHHELD
            ),
        ]
        tree.letters.add_child(instance=letter)
        yield {"letter": publish(letter), **organizations}


@pytest.fixture
def signed(signed_once, db):
    return signed_once


def assert_reveals_no_hidden_signatory(text: str, *, countries: bool = True) -> None:
    """None of the hidden organizations' names, slugs or handles; with `countries`, not the
    countries of the anonymous and withheld ones either."""
    for kind in HIDDEN_NAMES:
        assert kind["title"] not in text, kind["title"]
        assert f"/{kind['slug']}/" not in text, kind["slug"]
        assert f"@{kind['slug']}@" not in text, kind["slug"]
    if countries:
        for kind in (ANONYMOUS, WITHHELD):
            assert kind["name"] not in text, kind["name"]


@pytest.mark.parametrize(
    ("visibility", "shown"),
    [
        (SignatoryVisibility.PUBLIC, "EG"),
        (SignatoryVisibility.ANONYMOUS_WITH_COUNTRY, "EG"),
        (SignatoryVisibility.ANONYMOUS, ""),
        (SignatoryVisibility.WITHHELD, ""),
    ],
)
def test_only_named_and_anonymous_with_country_signatories_show_a_country(visibility, shown):
    assert shown_country(visibility, "EG") == shown


def test_the_letter_page_names_the_named_and_shows_only_the_country_it_may(client, signed):
    response = client.get(signed["letter"].url)
    assert response.status_code == 200
    html = response.content.decode()
    assert NAMED["title"] in html and "Canada" in html
    assert "An organization in <bdi>Kenya</bdi> (name withheld for its safety)" in html
    assert "An organization whose name is withheld for its safety" in html
    assert "Signed by 3 organizations" in html
    assert_reveals_no_hidden_signatory(html)


@pytest.mark.parametrize("format", ["rss", "atom"])
def test_feed_authors_are_the_named_signatories_only(client, signed, format):
    response = client.get(f"/en/feeds/letters.{format}")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert [entry.title for entry in feed.entries] == [TITLE]
    # Atom <author> and <dc:creator> (RSS: <dc:creator>) both name each author.
    assert {author.get("name") for author in feed.entries[0].authors} == {NAMED["title"]}
    assert_reveals_no_hidden_signatory(response.content.decode())


def test_an_organization_feed_lists_only_letters_that_name_it(client, signed):
    for format in ("rss", "atom"):
        named = client.get(f"/en/feeds/organizations/zephyr.{format}")
        assert named.status_code == 200
        assert [e.title for e in feedparser.parse(named.content).entries] == [TITLE]
        for slug in ("quokka", "walrus", "ibex"):
            hidden = client.get(f"/en/feeds/organizations/{slug}.{format}")
            assert hidden.status_code == 200
            assert feedparser.parse(hidden.content).entries == [], (slug, format)
            assert TITLE not in hidden.content.decode()


def test_the_api_shows_each_signatory_as_its_visibility_allows(client, signed):
    response = client.get(f"/api/v1/letters/{signed['letter'].pk}/")
    assert response.status_code == 200
    signatories = response.json()["signatories"]
    assert [(s["anonymous"], s["country"], s["country_name"]) for s in signatories] == [
        (False, "CA", "Canada"),
        (True, "KE", "Kenya"),
        (True, "", ""),
    ]
    assert signatories[0]["organization"]["name"] == NAMED["title"]
    assert [s["organization"] for s in signatories[1:]] == [None, None]
    assert_reveals_no_hidden_signatory(response.content.decode())


def test_the_api_lists_no_letter_under_an_organization_it_does_not_name(client, signed):
    named = client.get("/api/v1/letters/", {"organization": signed["zephyr"].pk})
    assert named.status_code == 200
    assert [item["title"] for item in named.json()["items"]] == [TITLE]
    for slug in ("quokka", "walrus", "ibex"):
        hidden = client.get("/api/v1/letters/", {"organization": signed[slug].pk})
        assert hidden.status_code == 200
        assert hidden.json()["items"] == [], slug


def test_the_share_card_counts_the_listed_and_shows_named_logos_only(signed):
    inputs = card_inputs(signed["letter"], VARIANTS["og"])
    assert inputs.content.signatures == "Signed by 3 organizations"
    assert len(inputs.content.logos) == 1  # every organization has a logo; one is named
    assert inputs.problems == []
    assert_reveals_no_hidden_signatory(f"{inputs.alt_text} {inputs.content}")


def test_a_post_counts_the_listed_and_mentions_the_named_only(signed):
    channel = get_channel_class("mastodon")(base_url="https://mastodon.test")
    channel.offline = True
    context = post_context(signed["letter"], channel)
    assert context.signatory_count == 3
    assert context.signatories == "3 organizations"
    assert context.mentions == ("@zephyr@mastodon.test",)


def test_an_organization_page_lists_only_letters_that_name_it(client, signed):
    named = client.get(signed["zephyr"].url)
    assert named.status_code == 200
    assert TITLE in named.content.decode()
    for slug in ("quokka", "walrus", "ibex"):
        hidden = client.get(signed[slug].url)
        assert hidden.status_code == 200
        assert TITLE not in hidden.content.decode(), slug


def test_searching_for_a_hidden_signatory_finds_its_page_not_the_letter(client, signed):
    for kind in HIDDEN_NAMES:
        response = client.get("/en/search/", {"query": kind["title"].split()[0]})
        assert response.status_code == 200
        found = [result.title for result in response.context["search_results"]]
        assert found == [kind["title"]]
    response = client.get("/en/search/", {"query": "spyware"})
    assert response.status_code == 200
    assert [result.title for result in response.context["search_results"]] == [TITLE]
    assert_reveals_no_hidden_signatory(response.content.decode())


def test_signature_rows_carry_no_hidden_country(signed):
    rows = signature_rows([signed["letter"]])[signed["letter"].pk]
    assert [(row.visibility, row.country) for row in rows] == [
        (SignatoryVisibility.PUBLIC, "CA"),
        (SignatoryVisibility.ANONYMOUS_WITH_COUNTRY, "KE"),
        (SignatoryVisibility.ANONYMOUS, ""),
    ]
