"""The loopback OAuth servers refuse what the real services refuse (no Broadside code here)."""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from requests_oauthlib import OAuth1

from tests.servers.mastodon import FakeMastodon
from tests.servers.oauth_linkedin import FakeLinkedIn
from tests.servers.oauth_meta import FakeMetaOAuth
from tests.servers.x import FakeX

REDIRECT = "https://site.example/callback/"


def _authorize(server_url: str, path: str, **params) -> requests.Response:
    return requests.get(server_url + path, params=params, allow_redirects=False, timeout=5)


def _code(response: requests.Response) -> str:
    assert response.status_code == 302, response.text
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@pytest.fixture
def mastodon_app():
    with FakeMastodon(access_token="tok") as fake:
        app = requests.post(
            fake.url + "/api/v1/apps",
            data={"client_name": "t", "redirect_uris": REDIRECT, "scopes": "write:statuses"},
            timeout=5,
        ).json()
        yield fake, app


def _mastodon_code(fake, app, verifier="v" * 43, **extra):
    params = {
        "client_id": app["client_id"],
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": "write:statuses",
        "state": "s",
        "code_challenge": _challenge(verifier),
        "code_challenge_method": "S256",
        **extra,
    }
    return _authorize(fake.url, "/oauth/authorize", **params)


def _token(fake, app, code, verifier="v" * 43, **overrides):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
        "redirect_uri": REDIRECT,
        "code_verifier": verifier,
        **overrides,
    }
    return requests.post(fake.url + "/oauth/token", data=data, timeout=5)


def test_the_code_grant_accepts_the_right_request_once(mastodon_app):
    fake, app = mastodon_app
    code = _code(_mastodon_code(fake, app))
    assert _token(fake, app, code).json()["access_token"] == "tok"
    assert _token(fake, app, code).json()["error"] == "invalid_grant"  # reused


@pytest.mark.parametrize(
    "overrides",
    [
        {"client_secret": "wrong"},
        {"redirect_uri": "https://elsewhere.example/"},
        {"code_verifier": "w" * 43},
        {"code_verifier": ""},
    ],
)
def test_the_code_grant_refuses_a_wrong_secret_redirect_or_verifier(mastodon_app, overrides):
    fake, app = mastodon_app
    code = _code(_mastodon_code(fake, app))
    assert _token(fake, app, code, **overrides).status_code in (400, 401)


def test_an_expired_code_and_an_unregistered_redirect_are_refused(mastodon_app):
    fake, app = mastodon_app
    code = _code(_mastodon_code(fake, app))
    fake.oauth.expire_codes()
    assert _token(fake, app, code).json()["error"] == "invalid_grant"
    wrong = _mastodon_code(fake, app, redirect_uri="https://evil.example/")
    assert wrong.status_code == 400  # an error page, never a redirect to the wrong place
    unknown_scope = _mastodon_code(fake, app, scope="admin:write")
    assert "error=invalid_scope" in unknown_scope.headers["Location"]


def test_x_refuses_an_unregistered_callback_and_a_bad_signature():
    with FakeX(callback_url=REDIRECT) as fake:
        signed = OAuth1("ck", client_secret="cs", callback_uri="https://evil.example/")
        response = requests.post(fake.url + "/oauth/request_token", auth=signed, timeout=5)
        assert response.status_code == 403
        signed = OAuth1("ck", client_secret="wrong", callback_uri=REDIRECT)
        response = requests.post(fake.url + "/oauth/request_token", auth=signed, timeout=5)
        assert response.status_code == 401
        signed = OAuth1("ck", client_secret="cs", callback_uri=REDIRECT)
        body = parse_qs(
            requests.post(fake.url + "/oauth/request_token", auth=signed, timeout=5).text
        )
        token, secret = body["oauth_token"][0], body["oauth_token_secret"][0]
        # Without the verifier the person's consent gave, no access token.
        signed = OAuth1(
            "ck",
            client_secret="cs",
            resource_owner_key=token,
            resource_owner_secret=secret,
            verifier="guessed",
        )
        response = requests.post(fake.url + "/oauth/access_token", auth=signed, timeout=5)
        assert response.status_code == 401


def test_meta_serves_only_the_pinned_graph_version_and_live_tokens():
    with FakeMetaOAuth("facebook", redirect_uri=REDIRECT) as fake:
        old = requests.get(fake.url + "/v20.0/me", params={"access_token": "x"}, timeout=5)
        assert old.json()["error"]["code"] == 2635
        assert (
            requests.get(fake.url + "/v25.0/me", params={"access_token": "x"}, timeout=5).json()[
                "error"
            ]["code"]
            == 190
        )


def test_meta_refreshes_only_long_lived_tokens_a_day_old():
    with FakeMetaOAuth("threads", redirect_uri=REDIRECT) as fake:
        token = fake.issue("long", {"threads_basic"}, 60 * 86400)
        params = {"grant_type": "th_refresh_token", "access_token": token}
        assert (
            requests.get(fake.url + "/refresh_access_token", params=params, timeout=5).status_code
            == 400
        )
        fake.age_tokens(86400 + 1)
        assert (
            requests.get(fake.url + "/refresh_access_token", params=params, timeout=5).status_code
            == 200
        )


def test_linkedin_needs_a_served_version_and_restli_2():
    with FakeLinkedIn(redirect_uri=REDIRECT) as fake:
        token = fake._issue({"r_organization_admin"})["access_token"]
        url = fake.url + "/rest/organizationAcls?q=roleAssignee"
        auth = {"Authorization": f"Bearer {token}", "X-Restli-Protocol-Version": "2.0.0"}
        assert requests.get(url, headers=auth, timeout=5).status_code == 426
        headers = {**auth, "Linkedin-Version": "202610"}
        assert requests.get(url, headers=headers, timeout=5).status_code == 200
        no_scope = fake._issue({"w_organization_social"})["access_token"]
        headers["Authorization"] = f"Bearer {no_scope}"
        assert requests.get(url, headers=headers, timeout=5).status_code == 403


def test_x_oauth2_requires_pkce_and_the_client_secret():
    with FakeX(callback_url=REDIRECT) as fake:
        params = {
            "response_type": "code",
            "client_id": "x-oauth2-client",
            "redirect_uri": REDIRECT,
            "scope": "tweet.write users.read",
            "state": "s",
        }
        without_pkce = _authorize(fake.url, "/i/oauth2/authorize", **params)
        assert "error=invalid_request" in without_pkce.headers["Location"]
        verifier = "v" * 43
        code = _code(
            _authorize(
                fake.url,
                "/i/oauth2/authorize",
                **params,
                code_challenge=_challenge(verifier),
                code_challenge_method="S256",
            )
        )
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
        url = fake.url + "/2/oauth2/token"
        wrong = requests.post(url, data=data, auth=("x-oauth2-client", "nope"), timeout=5)
        assert wrong.status_code == 401
        good = ("x-oauth2-client", "x-oauth2-secret")
        answer = requests.post(url, data={**data, "code_verifier": verifier}, auth=good, timeout=5)
        assert answer.status_code == 200 and "refresh_token" not in answer.json()


# -- one host for a network's sign-in and posting stand-ins, sharing tokens -----------------
def test_a_shared_host_sends_each_request_to_the_stand_in_that_serves_it():
    from tests.servers.base import SharedHost
    from tests.servers.facebook import FakeFacebook

    login = FakeMetaOAuth("facebook", redirect_uri=REDIRECT)
    page = FakeFacebook(page_id="101", page_token=login.live_tokens("page"))
    with SharedHost(page, login) as host:
        user = login.issue("long", {"pages_show_list", "pages_manage_posts"}, 3600)
        me = requests.get(f"{host.url}/v25.0/me", params={"access_token": user}, timeout=5)
        assert me.status_code == 200 and me.json()["name"] == "Ada Editor"  # sign-in's route
        assert [r.path for r in login.requests] == ["/v25.0/me"] and not page.requests
        feed = f"{host.url}/v25.0/101/feed"
        body = {"message": "hi", "link": "https://example.org/a"}
        # A user token is not a Page token: the Page refuses it, as Facebook does.
        refused = requests.post(feed, data={**body, "access_token": user}, timeout=5)
        assert refused.status_code == 400 and refused.json()["error"]["code"] == 190
        page_token = login.issue("page", {"pages_manage_posts"}, None)
        posted = requests.post(feed, data={**body, "access_token": page_token}, timeout=5)
        assert posted.status_code == 200 and len(page.posts) == 1
        # Neither serves it: 404; a deprecated version still gets Meta's own answer.
        assert requests.get(f"{host.url}/nowhere", timeout=5).status_code == 404
        old_version = {**body, "access_token": page_token}
        old = requests.post(f"{host.url}/v20.0/101/feed", data=old_version, timeout=5)
        assert old.json()["error"]["code"] == 12


def test_posting_stand_ins_accept_only_live_tokens_the_sign_in_issued():
    from tests.servers.linkedin import FakeLinkedIn as FakeLinkedInPosts
    from tests.servers.threads import FakeThreads

    with FakeMetaOAuth("threads", redirect_uri=REDIRECT) as login:
        with FakeThreads(user_id=login.user_id, access_token=login.live_tokens("long")) as api:
            token = login.issue("long", {"threads_basic"}, 3600)
            me = f"{api.url}/v1.0/me"
            assert requests.get(me, params={"access_token": token}, timeout=5).status_code == 200
            guessed = {"access_token": "not-issued"}
            assert requests.get(me, params=guessed, timeout=5).status_code == 400
            login.age_tokens(3601)  # expired on the sign-in side: refused by the API too
            assert requests.get(me, params={"access_token": token}, timeout=5).status_code == 400
    with FakeLinkedIn(redirect_uri=REDIRECT) as login:
        with FakeLinkedInPosts(access_token=login.live_tokens()) as api:
            headers = {"Linkedin-Version": "202611", "X-Restli-Protocol-Version": "2.0.0"}
            url = f"{api.url}/rest/organizations/2414183"
            for scopes, status in (({"w_organization_social"}, 200), ({"openid"}, 401)):
                token = login._issue(scopes)["access_token"]
                auth = {**headers, "Authorization": f"Bearer {token}"}
                assert requests.get(url, headers=auth, timeout=5).status_code == status
