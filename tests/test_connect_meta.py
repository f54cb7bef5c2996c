"""Connecting Facebook Pages, Instagram, Threads and LinkedIn from the admin (issue 12).

What is tested is the connect flow and what it stores: the credentials the posting
channels (publishing/channels/<network>.py) read.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from publishing.models import SocialAccount
from tests.servers.oauth_linkedin import FakeLinkedIn
from tests.servers.oauth_meta import FakeMetaOAuth, Page
from tests.test_connect import CONNECT, admin_client, callback, consent, english, message_texts

__all__ = ["admin_client"]  # the fixture, used by name

CLIENT = {"CLIENT_ID": "meta-app-id", "CLIENT_SECRET": "meta-app-secret"}


@pytest.fixture
def channels(settings):
    return settings


def _start(client, channel: str, name: str, **decision):
    response = client.post(f"{CONNECT}{channel}/", {"name": name, "locales": english()})
    assert response.status_code == 302, response.content.decode()[-1500:]
    return client.get(consent(response["Location"], **decision))


# -- Facebook -------------------------------------------------------------------------------
@pytest.fixture
def facebook(channels):
    pages = [
        Page("101", "Civil Liberties Union", ["MANAGE", "CREATE_CONTENT", "MODERATE"]),
        Page("102", "Read-only Page", ["ANALYZE"]),
        Page("103", "Portfolio Page", ["MANAGE", "CREATE_CONTENT"], gives_token=False),
    ]
    with FakeMetaOAuth("facebook", redirect_uri=callback("facebook"), pages=pages) as fake:
        channels.BROADSIDE_CONNECT = {
            "facebook": {
                **CLIENT,
                "AUTHORIZE_URL": f"{fake.url}/v25.0/dialog/oauth",
                "GRAPH_URL": fake.url,
            }
        }
        yield fake


def test_facebook_page_is_picked_and_its_token_stored(admin_client, facebook):
    response = _start(admin_client, "facebook", "Our Page")
    assert response.status_code == 302 and "/connect/pick/" in response["Location"]
    page = admin_client.get(response["Location"]).content.decode()
    assert "Civil Liberties Union" in page
    assert "create content" in page  # the read-only Page, explained
    assert "business portfolio" in page  # the Page Facebook gave no token for
    response = admin_client.post(response["Location"], {"choice": "102"})
    assert response.status_code == 200  # not offered
    response = admin_client.post(urlsplit(response.wsgi_request.path).path, {"choice": "101"})
    assert response.status_code == 302
    account = SocialAccount.objects.get(name="Our Page")
    credentials = account.credentials
    assert credentials["page_id"] == "101"
    token = facebook.tokens[credentials["page_access_token"]]
    assert token.kind == "page" and token.lifetime is None  # from a long-lived user token
    assert account.token_expires_at is None
    assert account.verified_as == "Civil Liberties Union"


def test_facebook_declined_permission_is_named(admin_client, facebook):
    response = _start(
        admin_client, "facebook", "Our Page", granted="pages_show_list,pages_read_engagement"
    )
    assert "pages_manage_posts" in " ".join(message_texts(response))
    assert not SocialAccount.objects.exists()


def test_facebook_refuses_a_reused_code_and_a_wrong_version(admin_client, facebook, channels):
    response = admin_client.post(f"{CONNECT}facebook/", {"name": "P", "locales": english()})
    back = consent(response["Location"])
    facebook.oauth.expire_codes()
    response = admin_client.get(back)
    assert "expired or was already used" in " ".join(message_texts(response))
    channels.BROADSIDE_CONNECT["facebook"]["AUTHORIZE_URL"] = f"{facebook.url}/v20.0/dialog/oauth"
    response = admin_client.post(f"{CONNECT}facebook/", {"name": "P", "locales": english()})
    import requests

    assert requests.get(response["Location"], allow_redirects=False, timeout=5).status_code == 400


# -- Instagram and Threads --------------------------------------------------------------------
@pytest.fixture(params=["instagram", "threads"])
def long_lived(request, channels):
    network = request.param
    with FakeMetaOAuth(network, redirect_uri=callback(network)) as fake:
        channels.BROADSIDE_CONNECT = {
            network: {
                **CLIENT,
                "AUTHORIZE_URL": f"{fake.url}/oauth/authorize",
                "TOKEN_URL": f"{fake.url}/oauth/access_token",
                "GRAPH_URL": fake.url,
            }
        }
        yield network, fake


def test_instagram_and_threads_store_a_60_day_token_and_refresh_it(admin_client, long_lived):
    network, fake = long_lived
    response = _start(admin_client, network, "Ours")
    assert response.status_code == 302
    account = SocialAccount.objects.get(name="Ours")
    id_field = "ig_user_id" if network == "instagram" else "user_id"
    assert account.credentials[id_field] == fake.user_id
    assert account.verified_as == "@broadside_org"
    first = account.credentials["access_token"]
    assert fake.tokens[first].kind == "long"
    assert timedelta(days=59) < account.token_expires_at - timezone.now() <= timedelta(days=60)
    # Not due yet: nothing happens.
    call_command("refresh_tokens", verbosity=0)
    account.refresh_from_db()
    assert account.credentials["access_token"] == first
    # 50 days later (expiring within the refresh window, older than 24 h): refreshed.
    fake.age_tokens(50 * 24 * 3600)
    SocialAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(days=10),
        token_obtained_at=timezone.now() - timedelta(days=50),
    )
    call_command("refresh_tokens", verbosity=0)
    account.refresh_from_db()
    assert account.credentials["access_token"] != first
    assert fake.refreshed == 1
    assert account.token_expires_at - timezone.now() > timedelta(days=59)
    assert account.auth_failed_at is None


def test_a_refused_refresh_flags_the_account(admin_client, long_lived):
    network, fake = long_lived
    _start(admin_client, network, "Ours")
    account = SocialAccount.objects.get(name="Ours")
    fake.tokens.clear()  # revoked on the network
    SocialAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(days=3),
        token_obtained_at=timezone.now() - timedelta(days=57),
    )
    call_command("refresh_tokens", verbosity=0)
    account.refresh_from_db()
    assert account.auth_failed_at is not None


def test_instagram_without_the_publishing_permission_is_refused(admin_client, channels):
    with FakeMetaOAuth("instagram", redirect_uri=callback("instagram")) as fake:
        channels.BROADSIDE_CONNECT = {
            "instagram": {
                **CLIENT,
                "AUTHORIZE_URL": f"{fake.url}/oauth/authorize",
                "TOKEN_URL": f"{fake.url}/oauth/access_token",
                "GRAPH_URL": fake.url,
            }
        }
        response = _start(admin_client, "instagram", "Ours", granted="instagram_business_basic")
    assert "instagram_business_content_publish" in " ".join(message_texts(response))
    assert not SocialAccount.objects.exists()


# -- LinkedIn ------------------------------------------------------------------------------------
@pytest.fixture
def linkedin(channels):
    with FakeLinkedIn(
        client_id="li-id",
        client_secret="li-secret",
        redirect_uri=callback("linkedin"),
        organizations={"2414183": "Civil Liberties Union", "5550001": "Another Org"},
    ) as fake:
        channels.BROADSIDE_CONNECT = {
            "linkedin": {
                "CLIENT_ID": "li-id",
                "CLIENT_SECRET": "li-secret",
                "AUTHORIZE_URL": f"{fake.url}/oauth/v2/authorization",
                "TOKEN_URL": f"{fake.url}/oauth/v2/accessToken",
                "API_URL": fake.url,
            }
        }
        yield fake


def test_linkedin_organization_is_picked_and_refresh_token_kept(admin_client, linkedin):
    response = _start(admin_client, "linkedin", "Our LinkedIn")
    assert "/connect/pick/" in response["Location"]
    assert "Another Org" in admin_client.get(response["Location"]).content.decode()
    admin_client.post(response["Location"], {"choice": "urn:li:organization:2414183"})
    account = SocialAccount.objects.get(name="Our LinkedIn")
    credentials = account.credentials
    assert credentials["organization_id"] == "urn:li:organization:2414183"
    assert credentials["refresh_token"] in linkedin.refresh_tokens
    assert account.verified_as == "Civil Liberties Union"
    # Reconnecting where LinkedIn sends no refresh token keeps the one still valid.
    linkedin.grants_refresh_tokens = False
    response = admin_client.post(f"{CONNECT}linkedin/?account={account.pk}", {})
    response = admin_client.get(consent(response["Location"]))
    admin_client.post(response["Location"], {"choice": "urn:li:organization:2414183"})
    account.refresh_from_db()
    assert account.credentials["refresh_token"] == credentials["refresh_token"]
    assert account.credentials["access_token"] != credentials["access_token"]
    # Due for refresh: the refresh token gives a new access token.
    linkedin.grants_refresh_tokens = True
    SocialAccount.objects.filter(pk=account.pk).update(
        token_expires_at=timezone.now() + timedelta(days=5),
        token_obtained_at=timezone.now() - timedelta(days=55),
    )
    call_command("refresh_tokens", verbosity=0)
    account.refresh_from_db()
    assert linkedin.refreshed == 1
    assert account.credentials["access_token"] in linkedin.tokens
    assert account.token_expires_at - timezone.now() > timedelta(days=59)


def test_linkedin_wrong_client_secret_is_refused(admin_client, linkedin, channels):
    channels.BROADSIDE_CONNECT["linkedin"]["CLIENT_SECRET"] = "not-the-secret"
    response = _start(admin_client, "linkedin", "Our LinkedIn")
    assert "refused Broadside's app credentials" in " ".join(message_texts(response))
    assert not SocialAccount.objects.exists()


def test_instagram_health_says_when_the_media_url_is_not_public(channels):
    from publishing.social.connect.health import problems

    account = SocialAccount(name="ig", channel="instagram")
    channels.WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
    (problem,) = problems(account)
    assert "http://127.0.0.1:8000/media/" in problem and "not a public" in problem
    channels.WAGTAILADMIN_BASE_URL = "https://letters.example.org"
    assert problems(account) == []
    channels.MEDIA_URL = "https://media.internal/files/"
    assert problems(account) != []
    assert problems(SocialAccount(name="fb", channel="facebook")) == []
