"""CDN purges: a change purges exactly the addresses that may show the old content, in one
batch per change, after the commit, from a task; nothing without a CDN.

The caches are loopback stand-ins (tests/servers/cdn.py): an HTTP cache taking PURGE as
Varnish does, and Cloudflare's purge API. Each change is made inside
`django_capture_on_commit_callbacks(execute=True)`, as a commit would run it; the task
backend in tests runs tasks at once.
"""

from __future__ import annotations

import math
import types
from datetime import date

import pytest
import requests
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.frontend_cache.backends import cloudflare as cloudflare_backend
from wagtail.models import Locale, Page, PageViewRestriction

from config.settings.cdn import frontend_cache_backends
from home.models import LetterSignatory, SignatoryVisibility, Topic
from publishing.cdn.receivers import PendingPurge, purge_after_commit
from tests.conftest import _PrefixingCatalogue, build_tree, publish, rolled_back_after
from tests.servers.cdn import CLOUDFLARE_MAX_FILES, FakeCloudflare, FakeVarnish

HOST = "localhost"  # the test site's host (tests/conftest.py, build_tree)
SECRET = "quokkaleak"


# The CDN fixtures take `content` first: its set-up publishes before a CDN is configured, as
# the tests' transaction never commits and would leave its purges pending.
@pytest.fixture
def varnish(settings, content):
    with FakeVarnish([HOST]) as server:
        settings.WAGTAILFRONTENDCACHE = {
            "varnish": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
                "LOCATION": server.url,
            }
        }
        yield server


@pytest.fixture
def cloudflare(settings, monkeypatch, content):
    """Wagtail's own Cloudflare backend, its requests sent to the loopback Cloudflare."""
    with FakeCloudflare("zone123", "cf-token", [HOST]) as server:

        def post(url, **kwargs):
            assert url.startswith("https://api.cloudflare.com/"), url
            return requests.post(url.replace("https://api.cloudflare.com", server.url), **kwargs)

        monkeypatch.setattr(
            cloudflare_backend,
            "requests",
            types.SimpleNamespace(post=post, exceptions=requests.exceptions),
        )
        settings.WAGTAILFRONTENDCACHE = {
            "cloudflare": {
                "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
                "ZONEID": "zone123",
                "BEARER_TOKEN": "cf-token",
            }
        }
        yield server


@pytest.fixture(scope="module")
def content_ids(django_db_setup, django_db_blocker) -> dict[str, int]:
    """A letter with a topic, a named, an anonymous and a withheld signatory, translated
    into French, with the alias wagtail-localize keeps for Spanish (untranslated). Made
    once for the module (~6 s); each test's changes are rolled back after it."""
    from django.test import TestCase

    from home.demo.loader import translate_from_strings
    from home.models import LetterPage, OrganizationPage

    with rolled_back_after(django_db_blocker):
        tree = build_tree()
        english = Locale.objects.get(language_code="en")
        privacy = Topic.objects.create(name="Privacy", slug="privacy", locale=english)
        organizations = {}
        for slug, title in (
            ("ccla", "Canadian Civil Liberties Association"),
            ("eipr", "EIPR"),
            ("hidden", "Hidden Org"),
        ):
            organization = OrganizationPage(title=title, slug=slug)
            tree.organizations.add_child(instance=organization)
            organizations[slug] = publish(organization)
        letter = LetterPage(
            title="Protect encryption",
            slug="encryption",
            standfirst="Standfirst.",
            publication_date=date(2025, 1, 1),
            body=[{"type": "paragraph", "value": "<p>Body.</p>"}],
        )
        letter.signatories = [
            LetterSignatory(organization=organizations["ccla"]),
            LetterSignatory(
                organization=organizations["eipr"], visibility=SignatoryVisibility.ANONYMOUS
            ),
            LetterSignatory(
                organization=organizations["hidden"], visibility=SignatoryVisibility.WITHHELD
            ),
        ]
        tree.letters.add_child(instance=letter)
        letter.topics.set([privacy])
        publish(letter)
        with TestCase.captureOnCommitCallbacks(execute=True):
            translate_from_strings(
                letter,
                Locale.objects.get(language_code="fr"),
                _PrefixingCatalogue("fr", {"Protect encryption": "Protégez le chiffrement"}),
            )
        french = LetterPage.objects.get(
            translation_key=letter.translation_key, locale__language_code="fr"
        )
        spanish = letter.copy_for_translation(
            Locale.objects.get(language_code="es"), copy_parents=True, alias=True
        )
        yield {
            "letter": letter.pk,
            "french": french.pk,
            "spanish": spanish.pk,
            **{slug: organization.pk for slug, organization in organizations.items()},
        }


@pytest.fixture
def content(content_ids, db) -> types.SimpleNamespace:
    """The module's pages, read afresh for each test."""
    return types.SimpleNamespace(
        **{name: Page.objects.get(pk=pk).specific for name, pk in content_ids.items()}
    )


def version_addresses(language: str, slug: str, api_id: int) -> set[str]:
    """What one language version of the letter shows up in, written out by hand."""
    site = f"http://{HOST}"
    return {
        # The letter itself.
        f"{site}/{language}/letters/{slug}/",
        # The listings showing it: its language's letter index and home page.
        f"{site}/{language}/letters/",
        f"{site}/{language}/",
        # Its feeds: its language's and its topic's.
        *(
            f"{site}/{language}/feeds/{feed}.{format}"
            for feed in ("letters", "topics/privacy")
            for format in ("rss", "atom")
        ),
        # The API: its own answer and its language's list.
        f"{site}/api/v1/letters/{api_id}/",
        f"{site}/api/v1/letters/?locale={language}",
    }


def letter_addresses(content) -> set[str]:
    """Everything the letter shows up in (publishing.cdn.addresses), by hand: each
    language it is live in (English, French, the Spanish alias), plus the source
    language's bare API list, and the one named organization's page, feed and API list
    of letters (English only: CCLA has no French version; the anonymous and withheld
    signatories are not named)."""
    site = f"http://{HOST}"
    ccla = content.ccla.pk
    return (
        version_addresses("en", "encryption", content.letter.pk)
        | version_addresses("fr", "protegez-le-chiffrement", content.french.pk)
        | version_addresses("es", "encryption", content.spanish.pk)
        | {
            f"{site}/api/v1/letters/",
            f"{site}/en/organizations/ccla/",
            f"{site}/en/feeds/organizations/ccla.rss",
            f"{site}/en/feeds/organizations/ccla.atom",
            f"{site}/api/v1/letters/?locale=en&organization={ccla}",
        }
    )


def withheld_or_anonymous(content) -> list[str]:
    return [
        "/hidden",
        "/eipr",
        f"organization={content.hidden.pk}",
        f"organization={content.eipr.pk}",
    ]


# -- exactly what each change purges ---------------------------------------------------------------
def test_a_publish_purges_the_letter_in_every_language_its_listings_feeds_and_api_answers(
    varnish, content, django_capture_on_commit_callbacks
):
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish(content.letter)
    assert set(varnish.purged) == letter_addresses(content)
    assert len(varnish.purged) == len(set(varnish.purged))  # each address once


def test_an_unpublish_purges_the_same_addresses(
    varnish, content, django_capture_on_commit_callbacks
):
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        content.letter.unpublish()
    assert set(varnish.purged) == letter_addresses(content)
    assert len(varnish.purged) == len(set(varnish.purged))


def test_a_translation_going_live_purges_every_language_version(varnish, content, translate):
    """The other versions link the Russian one once it is live (switcher, hreflang, the
    API's translations): all versions go, with the Russian listings, feeds and list."""
    varnish.purged.clear()
    russian = translate(content.letter, "ru", {"Protect encryption": "Zashchitite shifrovanie"})
    assert set(varnish.purged) == letter_addresses(content) | version_addresses(
        "ru", "zashchitite-shifrovanie", russian.pk
    )


def test_a_deleted_letter_is_purged_with_everything_that_listed_it(
    varnish, content, django_capture_on_commit_callbacks
):
    """Its addresses are worked out before its rows go (after the commit, nothing would be
    left to say where it was shown)."""
    varnish.purged.clear()
    with django_capture_on_commit_callbacks() as callbacks:
        content.letter.delete()
    (pending,) = [callback for callback in callbacks if isinstance(callback, PendingPurge)]
    pending()  # as the commit would (the other callbacks redraw the translation's cards)
    assert set(varnish.purged) == letter_addresses(content)


def test_a_draft_never_published_is_deleted_without_a_purge(
    varnish, content, django_capture_on_commit_callbacks
):
    from home.models import LetterPage

    draft = LetterPage(title="Draft", slug="draft", live=False)
    content.letter.get_parent().add_child(instance=draft)
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        draft.delete()
    assert varnish.purged == []


def test_a_share_card_drawn_after_the_publish_purges_the_letter_again(
    varnish, content, django_capture_on_commit_callbacks
):
    """Pages name their card (og:image); a CDN may have kept them from before it was drawn."""
    from publishing.models import ShareImage
    from publishing.share_images.service import render_share_images

    # Cards hidden (as after a change to their inputs) and confirmed by the redraw.
    assert ShareImage.objects.filter(page=content.letter).update(stale=True)
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        render_share_images(content.letter)
    assert set(varnish.purged) == letter_addresses(content)
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert not any(render_share_images(content.letter).values())  # nothing new
    assert varnish.purged == []


def test_a_letter_made_private_is_purged_from_the_cdn(
    varnish, content, django_capture_on_commit_callbacks
):
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=content.letter, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    # The rule (home.privacy) makes every language version private: all their copies go,
    # with the listings, feeds and API answers that showed them.
    assert set(varnish.purged) == letter_addresses(content)


def test_a_private_letters_later_publish_sends_the_cdn_nothing(
    varnish, content, django_capture_on_commit_callbacks
):
    """Once private, a letter is in no public answer: its purge has nothing to drop, and
    its addresses (which name it) are not sent to the CDN again."""
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=content.letter, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
    varnish.purged.clear()
    content.letter.title = f"The {SECRET} letter"
    with django_capture_on_commit_callbacks(execute=True):
        publish(content.letter)
    assert varnish.purged == []


def test_an_organization_made_private_does_not_name_a_private_letter_it_signed(
    varnish, content, django_capture_on_commit_callbacks
):
    """The organization's own copies go; the letter naming it, private on its own, is
    in no public answer and is not named to the CDN."""
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=content.letter, restriction_type=PageViewRestriction.LOGIN
        )
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=content.ccla, restriction_type=PageViewRestriction.LOGIN
        )
    site, ccla = f"http://{HOST}", content.ccla.pk
    assert set(varnish.purged) == {
        f"{site}/en/organizations/ccla/",
        f"{site}/en/organizations/",
        f"{site}/en/feeds/organizations/ccla.rss",
        f"{site}/en/feeds/organizations/ccla.atom",
        f"{site}/api/v1/organizations/{ccla}/",
        f"{site}/api/v1/organizations/",
        f"{site}/api/v1/organizations/?locale=en",
        f"{site}/api/v1/letters/?locale=en&organization={ccla}",
    }


def test_withheld_anonymous_and_private_signatories_are_never_named_to_the_cdn(
    varnish, content, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=content.ccla, restriction_type=PageViewRestriction.LOGIN
        )
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish(content.letter)
    assert varnish.purged, "the public letter is purged"
    sent = "\n".join(varnish.purged)
    for fragment in [*withheld_or_anonymous(content), "/ccla", f"organization={content.ccla.pk}"]:
        assert fragment not in sent
    assert set(varnish.purged) == {
        url
        for url in letter_addresses(content)
        if "ccla" not in url and f"organization={content.ccla.pk}" not in url
    }


def test_an_organizations_change_purges_its_pages_and_the_letters_naming_it(
    varnish, content, django_capture_on_commit_callbacks
):
    site = f"http://{HOST}"
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish(content.ccla)
    ccla = content.ccla.pk
    assert set(varnish.purged) == letter_addresses(content) | {
        f"{site}/en/organizations/",
        f"{site}/api/v1/organizations/{ccla}/",
        f"{site}/api/v1/organizations/",
        f"{site}/api/v1/organizations/?locale=en",
    }


def test_a_withheld_signatorys_change_names_no_letter(
    varnish, content, django_capture_on_commit_callbacks
):
    """The withheld organization's own addresses go; the letter it signed is not purged
    with them, which would tie the organization to the letter."""
    site = f"http://{HOST}"
    varnish.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish(content.hidden)
    hidden = content.hidden.pk
    assert set(varnish.purged) == {
        f"{site}/en/organizations/hidden/",
        f"{site}/en/organizations/",
        f"{site}/en/feeds/organizations/hidden.rss",
        f"{site}/en/feeds/organizations/hidden.atom",
        f"{site}/api/v1/organizations/{hidden}/",
        f"{site}/api/v1/organizations/",
        f"{site}/api/v1/organizations/?locale=en",
        f"{site}/api/v1/letters/?locale=en&organization={hidden}",
    }


# -- when, how often, how ----------------------------------------------------------------------
def test_nothing_is_purged_before_the_commit_nor_after_a_rollback(varnish, content):
    varnish.purged.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(content.letter)
        assert varnish.purged == []
        raise RuntimeError("rolled back")
    assert varnish.purged == []
    assert not any(isinstance(cb, PendingPurge) for _s, cb, *_r in connection.run_on_commit)


def test_one_change_is_one_batch_even_with_a_signal_per_alias(
    cloudflare, content, django_capture_on_commit_callbacks
):
    """The unpublish sends page_unpublished for the letter and again for its alias: one
    task, one PurgeBatch, one request to Cloudflare for all the addresses (≤ 30 a
    request), rather than a request per address or per signal."""
    cloudflare.batches.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        content.letter.unpublish()
    assert sum(isinstance(callback, PendingPurge) for callback in callbacks) == 1
    expected = letter_addresses(content)
    assert len(expected) == 32
    assert len(cloudflare.requests) == math.ceil(len(expected) / CLOUDFLARE_MAX_FILES) == 2
    sent = [url for batch in cloudflare.batches for url in batch]
    assert sorted(sent) == sorted(expected)  # each address once, in as few requests as may be


def test_an_aliass_own_publish_signal_adds_no_purge(
    content, settings, django_capture_on_commit_callbacks
):
    """Wagtail sends page_published with alias=True for each alias it updates after the
    original's publish, whose purge covers them."""
    from wagtail.signals import page_published

    settings.WAGTAILFRONTENDCACHE = {
        "x": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:9",
        }
    }
    with django_capture_on_commit_callbacks() as callbacks:
        page_published.send(
            sender=type(content.spanish), instance=content.spanish, revision=None, alias=True
        )
    assert not any(isinstance(callback, PendingPurge) for callback in callbacks)
    with django_capture_on_commit_callbacks() as callbacks:
        page_published.send(sender=type(content.french), instance=content.french, revision=None)
    assert sum(isinstance(callback, PendingPurge) for callback in callbacks) == 1


def test_a_cache_without_batches_gets_one_purge_per_address_and_no_more(
    varnish, content, django_capture_on_commit_callbacks
):
    varnish.purged.clear()
    varnish.requests.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish(content.letter)
    assert len(varnish.requests) == len(letter_addresses(content))
    assert {request.method for request in varnish.requests} == {"PURGE"}
    assert {request.status for request in varnish.requests} == {200}


def test_running_the_task_twice_purges_the_same_again(varnish, content):
    from publishing.cdn.tasks import purge_pages_from_cdn

    varnish.purged.clear()
    first = purge_pages_from_cdn.call([content.letter.pk], [])
    once = sorted(varnish.purged)
    second = purge_pages_from_cdn.call([content.letter.pk], [])
    assert first == second == len(letter_addresses(content))
    assert sorted(varnish.purged) == sorted(once * 2)
    # A page deleted before the task ran is skipped, not an error.
    assert purge_pages_from_cdn.call([2**31 - 1], []) == 0


def test_without_a_cdn_a_change_costs_nothing(settings, content):
    settings.WAGTAILFRONTENDCACHE = {}
    with CaptureQueriesContext(connection) as queries, transaction.atomic():
        purge_after_commit([content.letter.pk])
        registered = [
            cb for _s, cb, *_r in connection.run_on_commit if isinstance(cb, PendingPurge)
        ]
    assert registered == []
    assert [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]] == []


# -- the stand-ins refuse what the real ones refuse ---------------------------------------------
def test_the_loopback_cache_refuses_other_methods_and_hosts():
    with FakeVarnish([HOST]) as server:
        assert requests.get(f"{server.url}/en/", headers={"Host": HOST}).status_code == 405
        purge = requests.Request(
            "PURGE", f"{server.url}/en/", headers={"Host": "elsewhere.example"}
        )
        with requests.Session() as session:
            assert session.send(purge.prepare()).status_code == 404
        assert server.purged == []


def test_the_loopback_cloudflare_refuses_a_wrong_token_and_too_many_files():
    with FakeCloudflare("zone123", "cf-token", [HOST]) as server:
        url = f"{server.url}/client/v4/zones/zone123/purge_cache"
        files = [f"http://{HOST}/{n}/" for n in range(CLOUDFLARE_MAX_FILES + 1)]
        wrong = requests.post(
            url, json={"files": files[:1]}, headers={"Authorization": "Bearer no"}
        )
        assert wrong.status_code == 403
        good = {"Authorization": "Bearer cf-token"}
        assert requests.post(url, json={"files": files}, headers=good).status_code == 400
        other = requests.post(url, json={"files": ["http://elsewhere.example/"]}, headers=good)
        assert other.status_code == 400
        assert server.batches == []


# -- configuration from the environment ------------------------------------------------------------
def test_no_cdn_variable_means_no_backend():
    assert frontend_cache_backends({}) == {}


def test_the_cdn_is_configured_from_the_environment():
    backends = frontend_cache_backends(
        {
            "CDN_PURGE_URL": "http://127.0.0.1:6081",
            "CDN_CLOUDFLARE_ZONE_ID": "zone123",
            "CDN_CLOUDFLARE_BEARER_TOKEN": "cf-token",
            "CDN_HOSTNAMES": "letters.example.org, www.letters.example.org",
        }
    )
    hosts = ["letters.example.org", "www.letters.example.org"]
    assert backends == {
        "http": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": "http://127.0.0.1:6081",
            "HOSTNAMES": hosts,
        },
        "cloudflare": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudflareBackend",
            "ZONEID": "zone123",
            "BEARER_TOKEN": "cf-token",
            "HOSTNAMES": hosts,
        },
    }


def test_half_a_cloudflare_configuration_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        frontend_cache_backends({"CDN_CLOUDFLARE_ZONE_ID": "zone123"})


def test_the_tasks_queries_grow_with_language_versions_not_with_signatories(content):
    """Working out a letter's addresses costs a fixed number of queries per language
    version: naming one more organization adds its addresses, not a query."""
    from publishing.cdn.addresses import addresses_to_purge

    addresses_to_purge([content.letter.pk])  # the sites' root paths are cached after this
    with CaptureQueriesContext(connection) as one_named:
        before = addresses_to_purge([content.letter.pk])
    LetterSignatory.objects.filter(organization=content.eipr).update(
        visibility=SignatoryVisibility.PUBLIC
    )
    with CaptureQueriesContext(connection) as two_named:
        after = addresses_to_purge([content.letter.pk])
    assert f"http://{HOST}/en/organizations/eipr/" in after - before
    assert len(two_named) == len(one_named) <= 1 + 8 * 3  # three language versions


def test_production_settings_read_the_cdn_from_the_environment():
    """The production settings module itself, in a clean process (tests/test_deploy.py's
    minimal environment); the token is checked for presence, never printed."""
    import json

    from tests.test_deploy import manage

    script = (
        "import json; from django.conf import settings; c = settings.WAGTAILFRONTENDCACHE; "
        "print(json.dumps({name: sorted(b) for name, b in c.items()}), "
        "c['http']['LOCATION'], c['cloudflare']['BEARER_TOKEN'] == 'cf-token')"
    )
    result = manage(
        "shell",
        "-c",
        script,
        CDN_PURGE_URL="http://127.0.0.1:6081",
        CDN_CLOUDFLARE_ZONE_ID="zone123",
        CDN_CLOUDFLARE_BEARER_TOKEN="cf-token",
    )
    assert result.returncode == 0, result.stderr
    backends, location, token_set = result.stdout.strip().splitlines()[-1].rsplit(" ", 2)
    assert json.loads(backends) == {
        "http": ["BACKEND", "LOCATION"],
        "cloudflare": ["BACKEND", "BEARER_TOKEN", "ZONEID"],
    }
    assert location == "http://127.0.0.1:6081" and token_set == "True"
