"""Whole public pages are served from the page cache, and never a page that is not public.

Each change that readers must see (publish, unpublish, a signatory's change, a translation
going live, privacy) is made inside `django_capture_on_commit_callbacks(execute=True)`: the
cache is retired after commit, as in production, and the tests' own transaction never commits.
"""

from __future__ import annotations

import pickle
import re
from urllib.parse import urlsplit

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import PageViewRestriction

from home.models import LetterSignatory, SignatoryVisibility
from page_cache.store import GENERATION_KEY
from tests.conftest import publish

SECRET = "quokkaleak"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.BROADSIDE_PAGE_CACHE = True
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.fixture
def letter(make_letter, make_organization):
    ccla = make_organization("ccla", title="Canadian Civil Liberties Association")
    wombat = make_organization("wombat", title="Wombat Rights Watch")
    return make_letter("on-messaging", title="On private messaging", signatories=[ccla, wombat])


def get(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def text(response) -> str:
    return response.content.decode()


def stored_pages() -> list[bytes]:
    """The bodies of the pages kept (locmem in tests: pickled values), the token left out."""
    cache = caches["pages"]
    return [
        pickle.loads(value).content
        for key, value in cache._cache.items()
        if GENERATION_KEY not in key
    ]


# -- hits ----------------------------------------------------------------------------------------
def test_a_repeat_request_for_a_letter_is_answered_without_a_query(client, letter):
    first = get(client, letter.url)
    assert first["X-Page-Cache"] == "miss"
    with CaptureQueriesContext(connection) as queries:
        second = get(client, letter.url)
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Language"] == "en"
    # Headers added around the cache (Content-Security-Policy) are on the hit too.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


@pytest.mark.parametrize("which", ["home", "letters", "organizations", "organization"])
def test_every_public_page_type_is_cached(client, tree, letter, which):
    url = {
        "home": tree.home.url,
        "letters": tree.letters.url,
        "organizations": tree.organizations.url,
        "organization": "/en/organizations/ccla/",
    }[which]
    get(client, url)
    with CaptureQueriesContext(connection) as queries:
        assert get(client, url)["X-Page-Cache"] == "hit"
    assert len(queries) == 0


def test_a_page_is_kept_per_host_and_path(client, letter):
    get(client, letter.url)
    assert "X-Page-Cache" not in get(client, letter.url + "?utm_source=mastodon")
    other_host = client.get(letter.url, HTTP_HOST="other.example")
    assert other_host.get("X-Page-Cache") != "hit"


# -- each cause of change shows on the next request ----------------------------------------------
def test_a_new_revision_published_shows_at_once(client, letter, django_capture_on_commit_callbacks):
    get(client, letter.url)
    letter.title = "On private messaging, revised"
    with django_capture_on_commit_callbacks(execute=True):
        publish(letter)
    response = get(client, letter.url)
    assert "On private messaging, revised" in text(response)
    assert response["X-Page-Cache"] == "miss"


def test_an_unpublished_letter_is_gone_at_once_from_its_page_and_lists(
    client, tree, letter, django_capture_on_commit_callbacks
):
    get(client, letter.url)
    assert "On private messaging" in text(get(client, tree.letters.url))
    with django_capture_on_commit_callbacks(execute=True):
        letter.unpublish()
    get(client, "/en/letters/on-messaging/", status=404)
    assert "On private messaging" not in text(get(client, tree.letters.url))


def test_a_renamed_signatory_shows_on_the_letter_at_once(
    client, letter, django_capture_on_commit_callbacks
):
    assert "Wombat Rights Watch" in text(get(client, letter.url))
    wombat = letter.signatories.get(organization__slug="wombat").organization.specific
    wombat.title = "Marsupial Rights Watch"
    with django_capture_on_commit_callbacks(execute=True):
        publish(wombat)
    page = text(get(client, letter.url))
    assert "Marsupial Rights Watch" in page
    assert "Wombat Rights Watch" not in page


def test_a_signatory_withheld_disappears_from_the_cached_letter(
    client, letter, django_capture_on_commit_callbacks
):
    assert "Wombat Rights Watch" in text(get(client, letter.url))
    assert "On private messaging" in text(get(client, "/en/organizations/wombat/"))
    rows = list(letter.signatories.all())
    letter.signatories = [
        LetterSignatory(
            organization=row.organization,
            visibility=SignatoryVisibility.WITHHELD
            if row.organization.slug == "wombat"
            else row.visibility,
        )
        for row in rows
    ]
    with django_capture_on_commit_callbacks(execute=True):
        publish(letter)
    assert "Wombat Rights Watch" not in text(get(client, letter.url))
    # The withheld organization's own page no longer lists the letter either.
    assert "On private messaging" not in text(get(client, "/en/organizations/wombat/"))


def test_a_translation_going_live_shows_in_both_languages_at_once(client, letter, translate):
    assert "/fr/letters/" not in text(get(client, letter.url))  # no French version to link
    french_alias = text(get(client, "/fr/letters/on-messaging/"))  # the untranslated copy
    assert "Sur la messagerie" not in french_alias
    # The fixture runs wagtail-localize and its on-commit work (the publish included).
    french = translate(letter, "fr", {"On private messaging": "Sur la messagerie privée"})
    response = get(client, french.url)
    assert "Sur la messagerie privée" in text(response)
    assert response["X-Page-Cache"] == "miss"
    # The English page links its French version now (language switcher, hreflang).
    english = get(client, letter.url)
    assert english["X-Page-Cache"] == "miss"
    assert french.url in text(english)


def test_a_letter_made_private_is_never_served_from_the_cache_again(
    client, letter, django_capture_on_commit_callbacks
):
    letter.title = f"The {SECRET} letter"
    with django_capture_on_commit_callbacks(execute=True):
        publish(letter)
    assert SECRET in text(get(client, letter.url))
    assert get(client, letter.url)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=letter, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
        )
    response = get(client, letter.url)
    assert SECRET not in text(response)
    assert "password" in text(response).lower()


def test_a_deploys_migrate_retires_every_page(client, letter):
    from django.core.management import call_command

    get(client, letter.url)
    call_command("migrate", "home", verbosity=0)
    assert get(client, letter.url)["X-Page-Cache"] == "miss"


def test_a_web_server_starting_retires_every_page(client, letter):
    import importlib

    import config.wsgi

    get(client, letter.url)
    importlib.reload(config.wsgi)
    assert get(client, letter.url)["X-Page-Cache"] == "miss"


# -- what is never cached (leaks) ----------------------------------------------------------------
def test_a_private_page_is_never_stored_nor_answered_from_the_cache(
    client, letter, django_capture_on_commit_callbacks
):
    letter.title = f"The {SECRET} letter"
    with django_capture_on_commit_callbacks(execute=True):
        publish(letter)
        restriction = PageViewRestriction.objects.create(
            page=letter, restriction_type=PageViewRestriction.PASSWORD, password="open sesame"
        )
    form = get(client, letter.url)
    assert SECRET not in text(form) and "X-Page-Cache" not in form
    response = client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, letter.pk]),
        {"password": "open sesame", "return_url": letter.url},
    )
    assert response.status_code == 302
    opened = get(client, letter.url)  # with the reader's session cookie
    assert SECRET in text(opened)
    assert "X-Page-Cache" not in opened
    assert not any(SECRET.encode() in body for body in stored_pages())
    # Another reader, without the session, gets the password form.
    client.cookies.clear()
    assert SECRET not in text(get(client, letter.url))


def test_a_page_under_a_private_section_is_not_stored(
    client, tree, letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(
            page=tree.letters, restriction_type=PageViewRestriction.LOGIN
        )
    get(client, letter.url, status=302)
    assert not any(b"On private messaging" in body for body in stored_pages())


def test_a_signed_in_editor_is_never_answered_from_the_cache_nor_stored(client, letter, admin_user):
    anonymous = get(client, letter.url)
    assert anonymous["X-Page-Cache"] == "miss"
    client.force_login(admin_user)
    editor = get(client, letter.url)
    assert "X-Page-Cache" not in editor
    assert "wagtail-userbar" in text(editor)  # the editor's own page, with the userbar
    client.logout()
    client.cookies.clear()
    reader = get(client, letter.url)
    assert reader["X-Page-Cache"] == "hit"
    assert "wagtail-userbar" not in text(reader)


def test_an_editors_page_is_not_stored_for_readers(client, letter, admin_user):
    client.force_login(admin_user)
    get(client, letter.url)
    assert stored_pages() == []


def test_a_preview_of_a_draft_is_never_stored_nor_answered_from_the_cache(client, letter):
    # Wagtail renders previews through the whole middleware stack with a request for the
    # page's public address; without an original request it carries no cookie at all.
    letter.title = f"Draft {SECRET}"
    letter.save_revision()
    draft = letter.get_latest_revision_as_object()
    preview = draft.make_preview_request()
    assert SECRET in preview.content.decode()
    assert stored_pages() == []
    reader = get(client, "/en/letters/on-messaging/")
    assert SECRET not in text(reader)
    # And a preview made after the live page was stored still shows the draft.
    assert SECRET in draft.make_preview_request().content.decode()
    assert not any(SECRET.encode() in body for body in stored_pages())


@pytest.mark.parametrize("cookie", ["sessionid", "messages", "anything"])
def test_a_request_with_a_cookie_that_may_matter_bypasses_the_cache(client, letter, cookie):
    get(client, letter.url)
    assert get(client, letter.url)["X-Page-Cache"] == "hit"
    client.cookies[cookie] = "x"
    assert "X-Page-Cache" not in get(client, letter.url)


def test_the_csrf_cookie_alone_does_not_bypass_the_cache(client, letter):
    get(client, letter.url)
    client.cookies["csrftoken"] = "a" * 32
    assert get(client, letter.url)["X-Page-Cache"] == "hit"


@pytest.mark.parametrize("method", ["post", "head", "options"])
def test_only_get_is_answered_from_the_cache(client, letter, method):
    get(client, letter.url)
    response = getattr(client, method)(letter.url)
    assert "X-Page-Cache" not in response


def test_a_request_with_credentials_bypasses_the_cache(client, letter):
    get(client, letter.url)
    assert "X-Page-Cache" not in client.get(letter.url, HTTP_AUTHORIZATION="Basic eDp4")


def test_a_missing_page_is_not_stored(client, letter):
    get(client, "/en/letters/nowhere/", status=404)
    assert stored_pages() == []


def test_with_the_page_cache_off_nothing_is_stored(client, letter, settings):
    settings.BROADSIDE_PAGE_CACHE = False
    get(client, letter.url)
    assert "X-Page-Cache" not in get(client, letter.url)
    assert stored_pages() == []


# -- share cards ---------------------------------------------------------------------------------
@pytest.fixture
def carded(make_organization, make_letter, django_capture_on_commit_callbacks):
    ccla = make_organization("ccla", title="Canadian Civil Liberties Association")
    with django_capture_on_commit_callbacks(execute=True):  # the cards are drawn on commit
        return make_letter("carded", title="A carded letter", signatories=[ccla])


def og_image_path(client, letter) -> str:
    page = text(get(client, letter.url))
    url = re.search(r'<meta property="og:image" content="([^"]+)"', page).group(1)
    return urlsplit(url).path


def test_a_public_card_is_answered_from_the_cache_without_a_query(client, carded):
    path = og_image_path(client, carded)
    first = get(client, path)
    assert first["X-Page-Cache"] == "miss"
    body = b"".join(first.streaming_content) if first.streaming else first.content
    with CaptureQueriesContext(connection) as queries:
        second = get(client, path)
    assert len(queries) == 0
    assert second["X-Page-Cache"] == "hit"
    assert second.content == body and body.startswith(b"\x89PNG")
    assert second["Content-Type"] == "image/png"
    assert "immutable" in second["Cache-Control"]


def test_a_card_of_a_letter_made_private_is_gone_at_once(
    client, carded, django_capture_on_commit_callbacks
):
    path = og_image_path(client, carded)
    get(client, path)
    assert get(client, path)["X-Page-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=carded, restriction_type=PageViewRestriction.LOGIN)
    get(client, path, status=404)
