"""Connecting accounts from the admin, end to end against the loopback networks (issue 12)."""

from __future__ import annotations

import html
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.test import Client
from wagtail.models import Locale

from publishing.channels import build_channel
from publishing.models import OAuthClient, SocialAccount
from tests.servers.bluesky import FakeBluesky
from tests.servers.mastodon import FakeMastodon
from tests.servers.x import FakeX
from tests.social import BLUESKY_PASSWORD, MASTODON_TOKEN, X_CREDENTIALS, assert_sealed

CONNECT = "/admin/publishing/connect/"


def callback(channel: str) -> str:
    return f"http://testserver{CONNECT}{channel}/callback/"


@pytest.fixture
def admin_client(client, tree, monkeypatch):
    # The loopback servers speak http; oauthlib refuses that unless told (never in production).
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(user)
    return client


def english() -> list[int]:
    return [Locale.objects.get(language_code="en").pk]


def consent(url: str, **decision) -> str:
    """The person's browser on the network's authorization page: where it is sent back."""
    response = requests.get(url, params=decision, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# -- X: OAuth 1.0a three-legged ----------------------------------------------------------
@pytest.fixture
def fake_x(settings):
    with FakeX(**X_CREDENTIALS, callback_url=callback("x")) as fake:
        settings.BROADSIDE_CONNECT = {
            "x": {
                "CONSUMER_KEY": X_CREDENTIALS["consumer_key"],
                "CONSUMER_SECRET": X_CREDENTIALS["consumer_secret"],
                "API_URL": fake.url,
            }
        }
        yield fake


def test_x_connects_with_three_legged_oauth(admin_client, fake_x):
    response = admin_client.post(f"{CONNECT}x/", {"name": "Our X", "locales": english()})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{fake_x.url}/oauth/authorize?oauth_token=")
    # The request token's secret waits server-side, encrypted: not in clear in the session.
    (request_token,) = fake_x.request_tokens.values()
    assert request_token["secret"] not in str(dict(admin_client.session.items()))
    back = consent(response["Location"])
    response = admin_client.get(back)
    assert response.status_code == 302
    account = SocialAccount.objects.get(name="Our X")
    assert account.credentials == X_CREDENTIALS
    assert_sealed(account.credentials_encrypted, X_CREDENTIALS)
    assert account.verified_as == "@broadside_test"
    assert account.base_url == fake_x.url
    assert [loc.language_code for loc in account.locales.all()] == ["en"]
    # The same callback again (a reload, or a replayed link) is refused: state is single-use.
    response = admin_client.get(back)
    assert "Nothing was connected" in " ".join(message_texts(response))
    assert SocialAccount.objects.count() == 1


def test_x_refusal_and_expired_request_token_are_plain_errors(admin_client, fake_x):
    response = admin_client.post(f"{CONNECT}x/", {"name": "Our X", "locales": english()})
    response = admin_client.get(consent(response["Location"], decision="deny"))
    assert "did not give Broadside the permission" in " ".join(message_texts(response))
    response = admin_client.post(f"{CONNECT}x/", {"name": "Our X", "locales": english()})
    back = consent(response["Location"])
    fake_x.expire_request_tokens()
    response = admin_client.get(back)
    assert "expired or was already used" in " ".join(message_texts(response))
    assert not SocialAccount.objects.exists()


def test_x_refuses_a_callback_it_was_not_registered_with(admin_client, fake_x):
    fake_x.callback_url = "https://elsewhere.example/callback"
    response = admin_client.post(f"{CONNECT}x/", {"name": "Our X", "locales": english()})
    assert response.status_code == 200
    assert f"X refused the callback address {callback('x')}" in html.unescape(
        response.content.decode()
    )
    fake_x.callback_url = callback("x")
    fake_x.consumer_secret = "another-secret"
    response = admin_client.post(f"{CONNECT}x/", {"name": "Our X", "locales": english()})
    assert "refused Broadside's app credentials" in html.unescape(response.content.decode())


def test_a_state_from_another_browser_session_is_refused(admin_client, fake_x):
    response = admin_client.post(f"{CONNECT}x/", {"name": "Our X", "locales": english()})
    back = consent(response["Location"])
    other = Client()
    other.force_login(get_user_model().objects.get(username="admin"))
    response = other.get(back)
    assert "Nothing was connected" in " ".join(message_texts(response))
    assert not SocialAccount.objects.exists()


# -- Mastodon: registration per instance, code + PKCE ---------------------------------------
@pytest.fixture
def fake_mastodon(settings):
    with FakeMastodon(access_token=MASTODON_TOKEN) as fake:
        settings.BROADSIDE_CONNECT = {"mastodon": {}}
        yield fake


def _connect_mastodon(client, fake, name: str, **decision):
    response = client.post(
        f"{CONNECT}mastodon/", {"name": name, "locales": english(), "instance": fake.url}
    )
    assert response.status_code == 302, response.content.decode()[-1500:]
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    return client.get(consent(response["Location"], **decision))


def test_mastodon_registers_once_per_instance_and_connects_with_pkce(admin_client, fake_mastodon):
    _connect_mastodon(admin_client, fake_mastodon, "Mastodon one")
    _connect_mastodon(admin_client, fake_mastodon, "Mastodon two")
    assert fake_mastodon.registered_apps == 1
    assert OAuthClient.objects.count() == 1
    registration = OAuthClient.objects.get()
    assert registration.redirect_uri == callback("mastodon")
    one = SocialAccount.objects.get(name="Mastodon one")
    assert one.credentials == {"access_token": MASTODON_TOKEN}
    assert one.base_url == fake_mastodon.url
    assert one.verified_as == "@broadside@" + urlsplit(fake_mastodon.url).netloc


def test_mastodon_refuses_a_wrong_pkce_verifier(admin_client, fake_mastodon, monkeypatch):
    from publishing.social.connect import pending

    real_take = pending.take

    def tampered(session, key):
        kept = real_take(session, key)
        if kept:
            kept["code_verifier"] = "x" * 43
        return kept

    monkeypatch.setattr(pending, "take", tampered)
    response = _connect_mastodon(admin_client, fake_mastodon, "Mastodon")
    assert "expired or was already used" in " ".join(message_texts(response))
    assert not SocialAccount.objects.filter(name="Mastodon").exists()


def test_mastodon_refusal_is_said_plainly(admin_client, fake_mastodon):
    response = _connect_mastodon(admin_client, fake_mastodon, "Mastodon", decision="deny")
    assert "did not give Broadside the permission" in " ".join(message_texts(response))


# -- Bluesky: handle and app password, checked at once -------------------------------------
def test_bluesky_connects_with_an_app_password_checked_at_once(admin_client, settings):
    settings.BROADSIDE_CONNECT = {"bluesky": {}}
    with FakeBluesky(handle="broadside.test", app_password=BLUESKY_PASSWORD) as fake:
        data = {"name": "Sky", "locales": english(), "handle": "@broadside.test", "pds": fake.url}
        response = admin_client.post(f"{CONNECT}bluesky/", {**data, "app_password": "wrong-pass"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "refused this handle and app password" in page
        assert "wrong-pass" not in page
        response = admin_client.post(
            f"{CONNECT}bluesky/", {**data, "app_password": BLUESKY_PASSWORD}
        )
        assert response.status_code == 302
    account = SocialAccount.objects.get(name="Sky")
    assert account.credentials == {"handle": "broadside.test", "app_password": BLUESKY_PASSWORD}
    assert account.verified_as == "@broadside.test"
    assert account.state.get("session")  # the check's session is kept: no second login


# -- permissions and reconnecting -------------------------------------------------------------
def test_connecting_needs_the_account_permission(client, tree, fake_x):
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user("editor", "e@example.org", "pw")
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    assert client.get(CONNECT).status_code in (302, 403)
    assert client.post(f"{CONNECT}x/", {"name": "X", "locales": english()}).status_code in (
        302,
        403,
    )
    assert not SocialAccount.objects.exists()


def test_reconnecting_keeps_the_settings_and_clears_the_flag(admin_client, fake_mastodon):
    from django.utils import timezone

    _connect_mastodon(admin_client, fake_mastodon, "Mastodon")
    account = SocialAccount.objects.get(name="Mastodon")
    SocialAccount.objects.filter(pk=account.pk).update(
        post_template="{title} {url}", enabled=False, auth_failed_at=timezone.now()
    )
    response = admin_client.post(
        f"{CONNECT}mastodon/?account={account.pk}", {"instance": fake_mastodon.url}
    )
    admin_client.get(consent(response["Location"]))
    account.refresh_from_db()
    assert account.name == "Mastodon" and account.post_template == "{title} {url}"
    assert account.enabled is False
    assert account.auth_failed_at is None
    assert SocialAccount.objects.count() == 1


# -- X: OAuth 2.0 with PKCE, where configured ------------------------------------------------
def test_x_connects_with_oauth2_and_pkce_where_configured_and_refreshes(admin_client, fake_x):
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    settings.BROADSIDE_CONNECT["x"].update(
        CLIENT_ID="x-oauth2-client",
        CLIENT_SECRET="x-oauth2-secret",
        AUTHORIZE_URL=f"{fake_x.url}/i/oauth2/authorize",
    )
    response = admin_client.post(f"{CONNECT}x/", {"name": "X2", "locales": english()})
    assert response["Location"].startswith(f"{fake_x.url}/i/oauth2/authorize?")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    admin_client.get(consent(response["Location"]))
    account = SocialAccount.objects.get(name="X2")
    credentials = account.credentials
    assert set(credentials) == {"oauth2_access_token", "refresh_token"}
    assert account.verified_as == "@broadside_test"
    assert timedelta(hours=1) < account.token_expires_at - timezone.now() <= timedelta(hours=2)
    # The channel posts as it.
    assert account.build_channel(build_channel).verify() == "@broadside_test"
    # Half an hour before expiry the refresh token (rotated by X) gives a new access token.
    SocialAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(minutes=20)
    )
    call_command("refresh_tokens", verbosity=0)
    account.refresh_from_db()
    assert fake_x.refreshed == 1
    assert account.credentials["refresh_token"] != credentials["refresh_token"]
    assert credentials["refresh_token"] not in fake_x.refresh_tokens  # used once
    fake_x.bearer_tokens.pop(credentials["oauth2_access_token"])
    assert account.build_channel(build_channel).verify() == "@broadside_test"
