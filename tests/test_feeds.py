"""RSS and Atom feeds: valid, in the right language, current, and cheap to poll."""

from datetime import date, timedelta
from unittest import mock

import feedparser
import pytest
from django.core.management import call_command
from django.utils import timezone
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree
from wagtail.models import Locale

from home.models import LetterSignatory, OrganizationPage, SignatoryVisibility, Topic
from publishing.feeds.base import Feed, LinkPreservingFeedEntry
from publishing.models import ContentVersion
from tests.responses import text_of
from tests.servers.websub import WebSubHub

FORMATS = ["rss", "atom"]


def fetch(client, url: str, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    parsed = feedparser.parse(response.content)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return response, parsed


@pytest.fixture
def letters(make_organization, make_letter, translate):
    english = Locale.objects.get(language_code="en")
    privacy = Topic.objects.create(name="Privacy", slug="privacy", locale=english)
    ccla = make_organization("ccla", "Canadian Civil Liberties Association", acronym="CCLA")
    hidden = make_organization("hidden", "Hidden Org")
    letter = make_letter(
        "encryption",
        title="Protect encryption",
        standfirst="We ask for strong encryption.",
        signatories=[
            LetterSignatory(organization=ccla),
            LetterSignatory(organization=hidden, visibility=SignatoryVisibility.WITHHELD),
        ],
    )
    letter.topics.set([privacy])
    letter.save_revision().publish()
    translate(privacy, "fr", {"Privacy": "Vie privée"})
    translate(
        ccla,
        "fr",
        {"Canadian Civil Liberties Association": "Association canadienne", "CCLA": "ACLC"},
    )
    french = translate(letter, "fr", {"Protect encryption": "Protégez le chiffrement"})
    return {"en": letter, "fr": french, "ccla": ccla, "topic": privacy}


@pytest.mark.parametrize("format", FORMATS)
def test_language_feed_is_valid_and_in_its_language(client, letters, format):
    response, feed = fetch(client, f"/fr/feeds/letters.{format}")
    assert response["Content-Type"].startswith(f"application/{format}+xml")
    assert feed.feed.language == "fr"
    assert [entry.title for entry in feed.entries] == ["Protégez le chiffrement"]
    entry = feed.entries[0]
    assert entry.link == f"http://localhost{letters['fr'].url}"
    assert entry.summary == "[fr] We ask for strong encryption."
    assert "[fr] Body of encryption." in entry.content[0].value
    assert entry.published_parsed and entry.updated_parsed
    assert entry.id.startswith("tag:localhost,")
    # Atom: term (stable slug) + label; RSS: the reader-facing name.
    expected = {"atom": [("privacy", "Vie privée")], "rss": [("Vie privée", None)]}[format]
    assert [(tag.term, tag.get("label")) for tag in entry.tags] == expected
    # Signatories as authors, localized; withheld ones never.
    assert "Association canadienne (ACLC)" in response.content.decode()
    assert "Hidden Org" not in response.content.decode()


def test_atom_entries_link_their_translations_with_hreflang(client, letters):
    _, feed = fetch(client, "/fr/feeds/letters.atom")
    alternates = [link for link in feed.entries[0].links if link.rel == "alternate"]
    assert {(link.get("hreflang"), link.href) for link in alternates} == {
        ("en", f"http://localhost{letters['en'].url}"),
        ("fr", f"http://localhost{letters['fr'].url}"),
    }
    assert all(link.type == "text/html" for link in alternates)


def test_feedgen_loses_atom_link_attributes_and_our_entry_keeps_them():
    def render(entry_class):
        feed = FeedGenerator()
        feed.id("tag:example.org,2026:test")
        feed.title("t")
        feed.author(name="a")
        entry = feed.add_entry(entry_class())
        entry.id("tag:example.org,2026:e")
        entry.title("e")
        entry.link(href="https://example.org/fr/", rel="alternate", type="text/html", hreflang="fr")
        entry.link(href="https://example.org/c.png", rel="enclosure", type="image/png", length="42")
        root = etree.fromstring(feed.atom_str())
        return [dict(link.attrib) for link in root.iter("{http://www.w3.org/2005/Atom}link")]

    # The upstream bug (feedgen#135) that the workaround exists for:
    assert render(FeedEntry) == [
        {"href": "https://example.org/fr/"},
        {"href": "https://example.org/c.png"},
    ]
    assert render(LinkPreservingFeedEntry) == [
        {
            "href": "https://example.org/fr/",
            "rel": "alternate",
            "type": "text/html",
            "hreflang": "fr",
        },
        {
            "href": "https://example.org/c.png",
            "rel": "enclosure",
            "type": "image/png",
            "length": "42",
        },
    ]


@pytest.mark.parametrize("format", FORMATS)
def test_organization_and_topic_feeds(client, letters, format):
    _, feed = fetch(client, f"/fr/feeds/organizations/ccla.{format}")
    assert [entry.title for entry in feed.entries] == ["Protégez le chiffrement"]
    _, feed = fetch(client, f"/en/feeds/topics/privacy.{format}")
    assert [entry.title for entry in feed.entries] == ["Protect encryption"]
    _, feed = fetch(client, f"/fr/feeds/topics/privacy.{format}")
    assert [entry.title for entry in feed.entries] == ["Protégez le chiffrement"]
    # French typography: no-break spaces before the colon and inside the guillemets.
    assert feed.feed.title == "Broadside\u00a0: lettres sur le thème «\u00a0Vie privée\u00a0»"


def test_withheld_signatory_has_no_feed_entry(client, letters):
    _, feed = fetch(client, "/en/feeds/organizations/hidden.atom")
    assert feed.entries == []


def test_unknown_feeds_are_404(client, letters):
    assert client.get("/en/feeds/organizations/nobody.atom").status_code == 404
    assert client.get("/en/feeds/topics/nothing.rss").status_code == 404
    assert client.get("/en/feeds/letters.json").status_code == 404


def test_untranslated_letter_appears_in_a_language_once_translated(client, make_letter, translate):
    letter = make_letter("later", title="Translated later")
    call_command("sync_locale_trees")  # Spanish gets an alias
    _, feed = fetch(client, "/es/feeds/letters.atom")
    assert feed.entries == []
    translate(letter, "es", {"Translated later": "Traducida después"})
    _, feed = fetch(client, "/es/feeds/letters.atom")
    assert [entry.title for entry in feed.entries] == ["Traducida después"]


def test_unpublishing_removes_the_entry_and_invalidates_the_cache(client, letters):
    _, before = fetch(client, "/en/feeds/letters.atom")
    assert len(before.entries) == 1
    letters["en"].unpublish()
    _, after = fetch(client, "/en/feeds/letters.atom")
    assert after.entries == []


def test_publishing_shows_up_at_once_not_on_a_timer(client, letters, make_letter):
    first, _ = fetch(client, "/en/feeds/letters.rss")
    make_letter("second", title="A second letter")
    second, feed = fetch(client, "/en/feeds/letters.rss")
    assert second["ETag"] != first["ETag"]
    assert "A second letter" in [entry.title for entry in feed.entries]


def test_scheduled_letter_appears_only_once_live(client, tree, make_letter):
    letter = make_letter("scheduled", title="Scheduled letter")
    letter.unpublish()
    letter.refresh_from_db()
    letter.go_live_at = timezone.now() + timedelta(hours=1)
    letter.save_revision().publish()  # with go_live_at in the future this only schedules it
    _, feed = fetch(client, "/en/feeds/letters.atom")
    assert feed.entries == []
    later = timezone.now() + timedelta(hours=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        call_command("publish_scheduled")
    letter.refresh_from_db()
    assert letter.live
    _, feed = fetch(client, "/en/feeds/letters.atom")
    assert [entry.title for entry in feed.entries] == ["Scheduled letter"]


@pytest.mark.parametrize("format", FORMATS)
def test_text_xml_cannot_carry_is_removed(client, make_letter, format):
    make_letter(
        "control",
        title="Bell\x07 and vertical\x0btab",
        standfirst="Escape <b>this</b> & that ]]> too\x0c",  # (PostgreSQL refuses NUL itself)
        body=[{"type": "paragraph", "value": "<p>5 &lt; 6 &amp; <i>fine</i> ]]&gt; end</p>"}],
    )
    response, feed = fetch(client, f"/en/feeds/letters.{format}")
    entry = feed.entries[0]
    assert entry.title == "Bell and vertical tab"  # a vertical tab separates words (issue 16)
    assert "&amp; that ]]&gt; too" in response.content.decode()
    assert entry.summary.endswith("that ]]> too") and "\x0c" not in entry.summary
    assert "<i>fine</i>" in entry.content[0].value
    assert "5 &lt; 6 &amp;" in entry.content[0].value


def test_xml_safe_removes_what_xml_1_0_forbids():
    from publishing.feeds.text import cdata_safe, xml_safe

    # Controls that separate words become a space (issue 16); the rest are removed.
    assert xml_safe("a\x00b\x08c\x0bd\x1fe\ufffef\ud800g\tn\n") == "abc d efg\tn\n"
    assert xml_safe("Arabic العربية, emoji 🙂, Devanagari हिन्दी") == (
        "Arabic العربية, emoji 🙂, Devanagari हिन्दी"
    )
    assert cdata_safe("x ]]> y") == "x ]]&gt; y"


@pytest.mark.parametrize("separator", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f"])
def test_a_control_character_between_two_words_becomes_a_space(client, make_letter, separator):
    # Word processors paste U+000B for a manual line break: "Word⋮paste title".
    make_letter("pasted", title=f"Word{separator}paste title", post_on_publish=False)
    for format in FORMATS:
        _, feed = fetch(client, f"/en/feeds/letters.{format}")
        assert feed.entries[0].title == "Word paste title"


def test_conditional_get_answers_304_without_rebuilding(
    client, letters, django_assert_max_num_queries
):
    response, _ = fetch(client, "/fr/feeds/letters.atom")
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('"') and not etag.startswith("W/")
    with mock.patch.object(Feed, "render", side_effect=AssertionError("rebuilt")):
        with django_assert_max_num_queries(1):
            by_etag = client.get("/fr/feeds/letters.atom", HTTP_IF_NONE_MATCH=etag)
        by_date = client.get("/fr/feeds/letters.atom", HTTP_IF_MODIFIED_SINCE=last_modified)
        full = client.get("/fr/feeds/letters.atom", HTTP_IF_NONE_MATCH='"something-else"')
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag["ETag"] == etag
    assert by_date.status_code == 304 and by_date.content == b""
    assert full.status_code == 200 and full.content == response.content


def test_feeds_are_discoverable_from_pages(client, letters):
    html = text_of(client.get(letters["fr"].url))
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert 'href="http://testserver/fr/feeds/letters.atom"' in html
    assert 'href="http://testserver/fr/feeds/letters.rss"' in html
    assert "/feeds/organizations/" not in html
    organization_html = text_of(client.get(letters["ccla"].url))
    assert 'href="http://testserver/en/feeds/organizations/ccla.atom"' in organization_html


def test_autodiscovery_titles_name_the_formats_as_they_are_written(client, letters):
    # "Atom" is a name, not an acronym: "Lettres (ATOM)" read as shouting.
    from publishing.feeds.base import FORMAT_NAMES, FORMATS

    assert set(FORMAT_NAMES) == set(FORMATS)
    html = text_of(client.get(letters["fr"].url))
    assert 'title="Lettres (Atom)"' in html
    assert 'title="Lettres (RSS)"' in html
    organization_html = text_of(client.get(letters["ccla"].url))
    assert "(ATOM)" not in organization_html and "(Atom)" in organization_html


def test_websub_hub_is_announced_and_pinged_after_publish(
    client, settings, letters, make_letter, django_capture_on_commit_callbacks
):
    with WebSubHub() as hub:
        settings.BROADSIDE_WEBSUB_HUB = hub.url
        _, feed = fetch(client, "/en/feeds/letters.atom")
        assert {"rel": "hub", "href": hub.url} in [
            {"rel": link.rel, "href": link.href} for link in feed.feed.links if link.rel == "hub"
        ]
        with django_capture_on_commit_callbacks(execute=True):
            make_letter("pinged", signatories=[letters["ccla"]])
    assert "http://localhost/en/feeds/letters.atom" in hub.pings
    assert "http://localhost/en/feeds/organizations/ccla.rss" in hub.pings


def test_organizations_with_unicode_slugs_have_feeds(client, make_organization, make_letter):
    organization = make_organization("правозащитники", "Правозащитники")
    make_letter("unicode", title="Unicode letter", signatories=[organization])
    _, feed = fetch(client, "/en/feeds/organizations/правозащитники.atom")
    assert [entry.title for entry in feed.entries] == ["Unicode letter"]
    assert client.get(f"/api/v1/organizations/{organization.pk}/").status_code == 200


def test_index_page_slug_and_topic_deletion_reach_cached_feeds(client, letters, tree):
    before = text_of(client.get("/en/feeds/letters.atom"))
    assert "http://localhost/en/letters/encryption/" in before
    tree.letters.slug = "statements"
    tree.letters.save_revision().publish()
    after = text_of(client.get("/en/feeds/letters.atom"))
    assert "http://localhost/en/statements/encryption/" in after
    Topic.objects.filter(slug="privacy").delete()  # the topic and its translations
    assert client.get("/en/feeds/topics/privacy.atom").status_code == 404


def test_last_modified_moves_when_an_entry_leaves(client, letters, make_letter):
    make_letter("newer", title="Newer", publication_date=date(2030, 1, 1))
    first = client.get("/en/feeds/letters.atom")
    # HTTP dates count whole seconds: the change happens two seconds later (driven, not slept).
    later = timezone.now() + timedelta(seconds=2)
    with mock.patch("django.utils.timezone.now", return_value=later):
        letters["en"].unpublish()  # the older letter leaves
    again = client.get("/en/feeds/letters.atom", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200 and again.content != first.content


def test_feeds_carry_no_outside_url_that_is_not_http(client, letters):
    """Signatories' websites are outside input: no feed may turn one into a link."""
    OrganizationPage.objects.filter(slug="ccla").update(website="javascript:alert(1337)")
    ContentVersion.bump()
    for url in ("/en/feeds/letters.atom", "/en/feeds/organizations/ccla.rss"):
        response, feed = fetch(client, url)
        assert feed.entries and "1337" not in response.content.decode(), url


def every_feed() -> list[str]:
    """Every feed Broadside serves now: each language's, organization's and topic's, both
    formats."""
    from home.models import OrganizationPage

    kinds = [f"/{locale.language_code}/feeds/letters" for locale in Locale.objects.all()]
    for organization in OrganizationPage.objects.live().select_related("locale"):
        kinds.append(
            f"/{organization.locale.language_code}/feeds/organizations/{organization.slug}"
        )
    for topic in Topic.objects.select_related("locale"):
        kinds.append(f"/{topic.locale.language_code}/feeds/topics/{topic.slug}")
    return [f"{kind}.{format}" for kind in kinds for format in FORMATS]


def test_every_feed_passes_strict_validation_with_no_warnings(client, letters, settings):
    from tests.feed_validation import atom_problems, rss_problems

    with WebSubHub() as hub:
        settings.BROADSIDE_WEBSUB_HUB = hub.url
        feeds = every_feed()
        assert len(feeds) > 20 and "/fr/feeds/topics/privacy.rss" in feeds
        for path in feeds:
            response = client.get(path)
            assert response.status_code == 200, path
            validate = atom_problems if path.endswith(".atom") else rss_problems
            assert validate(response.content, f"http://testserver{path}") == [], path


@pytest.mark.parametrize("kind", ["letters", "organizations/ccla", "topics/privacy"])
def test_rss_links_the_letters_html_page_like_atom_does(client, letters, settings, kind):
    with WebSubHub() as hub:
        settings.BROADSIDE_WEBSUB_HUB = hub.url
        rss = etree.fromstring(client.get(f"/fr/feeds/{kind}.rss").content)
        atom = etree.fromstring(client.get(f"/fr/feeds/{kind}.atom").content)
    page = atom.find("{http://www.w3.org/2005/Atom}link[@rel='alternate']").get("href")
    assert not page.endswith((".rss", ".atom")) and page != hub.url
    assert rss.findtext("channel/link") == page
    assert rss.findtext("channel/image/link") == page
    # WebSub: RSS announces the hub too, beside its one rel=self.
    links = {
        link.get("rel"): link.get("href")
        for link in rss.iterfind("channel/{http://www.w3.org/2005/Atom}link")
    }
    assert links == {"self": f"http://testserver/fr/feeds/{kind}.rss", "hub": hub.url}


@pytest.mark.parametrize("format", FORMATS)
def test_a_lone_card_is_not_wrapped_in_a_media_group(client, letters, format):
    from tests.feed_validation import MEDIA

    root = etree.fromstring(client.get(f"/en/feeds/letters.{format}").content)
    assert root.findall(f".//{{{MEDIA}}}group") == []
    [content] = root.findall(f".//{{{MEDIA}}}content")
    assert content.get("medium") == "image" and content.get("width") == "1200"


def routed_feeds(resolver) -> set[tuple[type, str]]:
    """(feed class, URL name) of every feed view a URLconf routes, however deeply included."""
    found = set()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            found |= routed_feeds(pattern)
        elif hasattr(pattern.callback, "feed_class"):
            found.add((pattern.callback.feed_class, pattern.name))
    return found


def unregistered(resolver) -> set[tuple[type, str]]:
    from publishing.feeds.registry import FEEDS

    return routed_feeds(resolver) - {(feed, feed.url_name) for feed in FEEDS}


def test_every_feed_the_site_routes_is_registered():
    # Pings, autodiscovery links and API addresses read the registry: a feed routed by
    # hand would be served but neither pinged, discoverable nor listed.
    from django.urls import get_resolver

    from publishing.feeds.registry import FEEDS

    assert {feed for feed, _name in routed_feeds(get_resolver())} == set(FEEDS)
    assert unregistered(get_resolver()) == set()


def test_a_feed_routed_by_hand_is_caught():
    from django.urls import URLResolver, include, path

    from publishing.feeds.letters import LocaleLetterFeed

    class ExtraFeed(LocaleLetterFeed):
        url_name = "feed_extra"

    patterns = [
        path("", include("publishing.feeds.urls")),
        path("extra.<str:format>", ExtraFeed.as_view(), name="feed_extra"),
    ]
    resolver = URLResolver(r"^/", patterns)
    assert unregistered(resolver) == {(ExtraFeed, "feed_extra")}
