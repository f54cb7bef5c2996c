"""The loopback fakes of X, Mastodon, Bluesky and a webhook receiver check what the real
services check, and misbehave when asked to."""

from __future__ import annotations

import io
import json
import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests
from oauthlib.oauth1 import Client
from PIL import Image
from requests_oauthlib import OAuth1Session

from tests.servers.base import find_urls, parse_multipart, sniff_image
from tests.servers.bluesky import FakeBluesky, new_tid
from tests.servers.mastodon import FakeMastodon, status_length
from tests.servers.webhook import FakeWebhook, sign
from tests.servers.x import FakeX, weighted_length


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def noisy_png(min_bytes: int) -> bytes:
    """A valid PNG that does not compress below ``min_bytes``."""
    side = math.isqrt(min_bytes // 3) + 20
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (1, 2, 3)).save(buffer, "PNG", compress_level=0)
    data = buffer.getvalue()
    assert len(data) > min_bytes
    return data


# ------------------------------------------------------------------ authentication, every route

SERVERS = {"x": FakeX, "mastodon": FakeMastodon, "bluesky": FakeBluesky, "webhook": FakeWebhook}
# Routes the real services answer without credentials (anything else must refuse them).
# The OAuth token endpoints check the client's secret themselves (tests/test_fake_oauth_servers.py).
PUBLIC_ROUTES = {
    "x": {("GET", "/oauth/authorize"), ("GET", "/i/oauth2/authorize"), ("POST", "/2/oauth2/token")},
    "mastodon": {
        ("GET", "/api/v2/instance"),
        ("POST", "/api/v1/apps"),
        ("GET", "/oauth/authorize"),
        ("POST", "/oauth/token"),
    },
    "bluesky": {
        ("POST", "/xrpc/com.atproto.server.createSession"),
        ("GET", "/xrpc/com.atproto.identity.resolveHandle"),
        ("GET", "/xrpc/com.atproto.repo.getRecord"),
    },
    "webhook": set(),
}
# A concrete path for each route registered as a pattern.
SAMPLE_PATHS = {
    r"/api/v1/media/(?P<id>[^/]+)": "/api/v1/media/1",
    r"/api/v1/statuses/(?P<id>[^/]+)": "/api/v1/statuses/1",
    r"/api/v1/accounts/(?P<id>[^/]+)/statuses": "/api/v1/accounts/1/statuses",
    r"/.*": "/hooks/broadside",
}
# The PDS answers a refresh token it cannot verify with 400 InvalidToken, not 401.
REFUSED_WITH_400 = {("POST", "/xrpc/com.atproto.server.refreshSession")}
WEBHOOK_BODY = {"delivery": "d-1", "text": "Hello", "url": "https://x.org", "language": "en"}


def protected_routes(name: str, server) -> list[tuple[str, str]]:
    """(method, concrete path) of every route of `server` that needs credentials."""
    routes = []
    for route in server.routes():
        path = route.path if isinstance(route.path, str) else SAMPLE_PATHS[route.path.pattern]
        if route.public:
            assert (route.method, path) in PUBLIC_ROUTES[name], (route, "is public: why?")
            continue
        routes.append(("POST" if route.method == "*" else route.method, path))
    return routes


def wrong_credentials(name: str) -> tuple[requests.Session, dict]:
    """A session carrying credentials `name` must refuse, and the keyword arguments to send."""
    session = requests.Session()
    if name == "x":
        return x_session(client_secret="wrong"), {"json": {"text": "forged"}}
    if name == "webhook":
        body, headers = signed("another-secret", WEBHOOK_BODY)
        return session, {"data": body, "headers": headers}
    session.headers["Authorization"] = "Bearer not-a-token-it-issued"
    return session, {"json": {"text": "forged"}}


@pytest.mark.parametrize("name", SERVERS)
def test_every_endpoint_refuses_a_call_without_credentials(name: str) -> None:
    with SERVERS[name]() as server:
        routes = protected_routes(name, server)
        answers = {
            (method, path): requests.request(
                method, server.url + path, json={"text": "unsigned"}
            ).status_code
            for method, path in routes
        }
        assert answers and set(answers.values()) == {401}, answers
        assert server.errors == []


@pytest.mark.parametrize("name", SERVERS)
def test_every_endpoint_refuses_a_call_with_wrong_credentials(name: str) -> None:
    with SERVERS[name]() as server:
        session, arguments = wrong_credentials(name)
        answers = {
            (method, path): session.request(method, server.url + path, **arguments).status_code
            for method, path in protected_routes(name, server)
        }
        expected = {route: 400 if route in REFUSED_WITH_400 else 401 for route in answers}
        assert answers and answers == expected
        assert server.errors == []


def test_x_refuses_unsigned_alt_text_and_keeps_the_media_as_it_was(x: FakeX) -> None:
    upload = x_session().post(
        f"{x.url}/2/media/upload",
        files={"media": ("card.png", image_bytes(), "image/png")},
        data={"media_category": "tweet_image"},
    )
    media_id = upload.json()["data"]["id"]
    metadata = {"id": media_id, "metadata": {"alt_text": {"text": "A letter"}}}
    for denied in (
        requests.post(f"{x.url}/2/media/metadata", json=metadata),
        x_session(resource_owner_secret="wrong").post(f"{x.url}/2/media/metadata", json=metadata),
    ):
        assert denied.status_code == 401
        assert x.media[media_id]["alt_text"] is None
    signed_call = x_session().post(f"{x.url}/2/media/metadata", json=metadata)
    assert signed_call.status_code == 200
    assert x.media[media_id]["alt_text"] == "A letter"


def test_a_route_is_authenticated_or_public_not_both() -> None:
    with FakeWebhook() as hook, pytest.raises(ValueError):
        hook.route("GET", "/x", hook.receive, auth=hook.authenticate, public="because")


# ------------------------------------------------------------------ helpers


def test_helpers() -> None:
    assert find_urls("see https://example.com/a_(b). and http://x.org!") == [(4, 29), (35, 47)]
    assert find_urls("foohttps://example.com") == []
    assert sniff_image(image_bytes("JPEG"))[:1] == ("image/jpeg",)
    assert sniff_image(image_bytes("WEBP")) == ("image/webp", 40, 20)
    assert sniff_image(image_bytes()[:-20]) is None
    assert sniff_image(b"GIF89a not really") is None
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
        b'--xyz\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n\r\n--x\r\n\r\n--xyz--\r\n"
    )
    fields = parse_multipart("multipart/form-data; boundary=xyz", body)
    assert fields["a"][0].text == "1"
    assert fields["f"][0].data == b"\r\n--x\r\n" and fields["f"][0].filename == "f.bin"
    with pytest.raises(ValueError):
        parse_multipart("multipart/form-data; boundary=xyz", body[:-9])


# ------------------------------------------------------------------ X


@pytest.fixture
def x() -> Iterator[FakeX]:
    with FakeX() as server:
        yield server
    assert server.errors == []


def x_session(**overrides: str) -> OAuth1Session:
    keys = {"client_key": "ck", "client_secret": "cs"}
    keys.update(resource_owner_key="at", resource_owner_secret="ats")
    keys.update(overrides)
    return OAuth1Session(**keys)


def test_x_accepts_a_signed_post_and_rejects_bad_credentials(x: FakeX) -> None:
    me = x_session().get(f"{x.url}/2/users/me", params={"user.fields": "id"})
    assert me.status_code == 200
    assert me.json()["data"] == {
        "id": "2244994945",
        "name": "Broadside Test",
        "username": "broadside_test",
    }
    response = x_session().post(f"{x.url}/2/tweets", json={"text": "Sign the letter"})
    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert len(data["id"]) == 19 and data["id"].isdigit()
    assert data["edit_history_tweet_ids"] == [data["id"]]
    assert [tweet["text"] for tweet in x.tweets] == ["Sign the letter"]

    unauthorized = {"title": "Unauthorized", "type": "about:blank", "status": 401}
    for session in (
        x_session(client_secret="wrong"),
        x_session(resource_owner_secret="wrong"),
        x_session(client_key="other"),
        x_session(resource_owner_key="other"),
    ):
        denied = session.post(f"{x.url}/2/tweets", json={"text": "Not me"})
        assert denied.status_code == 401
        assert denied.json().items() >= unauthorized.items()
    assert requests.get(f"{x.url}/2/users/me").status_code == 401
    bearer = {"Authorization": "Bearer abc"}
    assert requests.get(f"{x.url}/2/users/me", headers=bearer).status_code == 401
    assert len(x.tweets) == 1


def test_x_rejects_a_replayed_nonce(x: FakeX) -> None:
    url = f"{x.url}/2/users/me"
    client = Client("ck", "cs", "at", "ats")
    _, headers, _ = client.sign(url, "GET")
    assert requests.get(url, headers=headers).status_code == 200
    assert requests.get(url, headers=headers).status_code == 401


def test_x_signature_covers_query_and_form_bodies(x: FakeX) -> None:
    url = f"{x.url}/2/users/me?user.fields=id"
    _, headers, _ = Client("ck", "cs", "at", "ats").sign(url, "GET")
    tampered = requests.get(f"{x.url}/2/users/me?user.fields=name", headers=headers)
    assert tampered.status_code == 401
    form = x_session().post(f"{x.url}/2/tweets", data={"text": "form"})
    # Signed correctly (form body included in the signature) but the wrong shape.
    assert form.status_code == 400
    assert "application/json" in form.json()["detail"]


def test_x_weighted_length() -> None:
    assert weighted_length("a" * 280) == 280
    assert weighted_length("é") == 1  # NFC: e + combining accent is one code point
    assert weighted_length("e\u0301") == 1
    assert weighted_length("日本語") == 6
    assert weighted_length("“quotes” — dash…") == 17  # … (U+2026) weighs 2
    assert weighted_length("👍") == 2
    assert weighted_length("read https://example.org/" + "x" * 100) == 5 + 23


def test_the_loopback_x_counts_like_twitter_texts_conformance_suite(x: FakeX) -> None:
    # twitter/twitter-text conformance/tests/validate.yml: a URL without a scheme weighs 23,
    # an emoji sequence 2 ("140 family emoji" = 280).
    assert weighted_length("test.com") == 23
    assert weighted_length("Hi http://test.co") == 26
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    assert weighted_length(family * 140) == 280
    too_long = x_session().post(f"{x.url}/2/tweets", json={"text": "a" * 258 + " broadside.org"})
    assert too_long.status_code == 400 and "282" in too_long.json()["detail"]
    hearts = x_session().post(f"{x.url}/2/tweets", json={"text": "\u2764\ufe0f" * 140})
    assert hearts.status_code == 201, hearts.text


def test_x_rejects_long_and_duplicate_posts(x: FakeX) -> None:
    session = x_session()
    url = "https://example.org/letters/" + "very-long-slug-" * 10
    fits = "a" * (280 - 24) + " " + url
    assert session.post(f"{x.url}/2/tweets", json={"text": fits}).status_code == 201
    too_long = session.post(f"{x.url}/2/tweets", json={"text": "b" * 281})
    assert too_long.status_code == 400
    assert too_long.json()["type"] == "https://api.twitter.com/2/problems/invalid-request"
    assert "281" in too_long.json()["detail"]
    cjk = session.post(f"{x.url}/2/tweets", json={"text": "字" * 141})
    assert cjk.status_code == 400
    assert session.post(f"{x.url}/2/tweets", json={"text": "字" * 140}).status_code == 201
    duplicate = session.post(f"{x.url}/2/tweets", json={"text": fits})
    assert duplicate.status_code == 403
    assert duplicate.json() == {
        "detail": "You are not allowed to create a Tweet with duplicate content.",
        "type": "about:blank",
        "title": "Forbidden",
        "status": 403,
    }
    assert len(x.tweets) == 2


def test_x_rejects_bad_shapes(x: FakeX) -> None:
    session = x_session()
    for payload in (
        {},
        {"text": ""},
        {"text": 5},
        {"text": "hi", "colour": "red"},
        {"text": "hi", "media": {"media_ids": [123]}},
        {"text": "hi", "media": {"media_ids": ["999"]}},
        {"text": "hi", "media": {"media_ids": []}},
        {"text": "hi", "media": ["1"]},
    ):
        response = session.post(f"{x.url}/2/tweets", json=payload)
        assert response.status_code == 400, payload
        assert response.json()["title"] == "Invalid Request"
    raw = session.post(
        f"{x.url}/2/tweets", data=json.dumps({"text": "hi"}), headers={"Content-Type": "text/plain"}
    )
    assert raw.status_code == 400
    assert x.tweets == []


def test_x_media_upload_and_attach(x: FakeX) -> None:
    session = x_session()
    png = image_bytes(size=(1200, 630))
    upload = session.post(
        f"{x.url}/2/media/upload",
        files={"media": ("card.png", png, "image/png")},
        data={"media_category": "tweet_image"},
    )
    assert upload.status_code == 200, upload.text
    media = upload.json()["data"]
    assert len(media["id"]) == 19 and media["media_key"] == f"3_{media['id']}"
    assert media["size"] == len(png) and media["expires_after_secs"] == 86400
    assert media["image"] == {"image_type": "image/png", "w": 1200, "h": 630}

    category = {"media_category": "tweet_image"}
    for files, data in (
        ({"media": ("card.png", b"not an image at all", "image/png")}, category),
        ({"media": ("card.png", image_bytes("BMP"), "image/bmp")}, category),
        ({"media": ("card.png", png[:-30], "image/png")}, category),
        ({"media": ("card.png", png, "image/png")}, {"media_category": "tweet_gif"}),
        ({"media": ("card.png", png, "image/png")}, {}),
        ({"image": ("card.png", png, "image/png")}, category),
    ):
        rejected = session.post(f"{x.url}/2/media/upload", files=files, data=data)
        assert rejected.status_code == 400, (files, data)
        assert rejected.json()["status"] == 400
    not_multipart = session.post(f"{x.url}/2/media/upload", json={"media": "x"})
    assert not_multipart.status_code == 400

    tweet = session.post(
        f"{x.url}/2/tweets", json={"text": "With a card", "media": {"media_ids": [media["id"]]}}
    )
    assert tweet.status_code == 201
    assert x.tweets[0]["media_ids"] == [media["id"]]
    assert x.tweets[0]["media"] == [png]
    too_many = {"text": "Five", "media": {"media_ids": [media["id"]] * 5}}
    assert session.post(f"{x.url}/2/tweets", json=too_many).status_code == 400


def test_x_rejects_media_over_5_mb(x: FakeX) -> None:
    big = noisy_png(5 * 1024 * 1024 + 1)
    response = x_session().post(
        f"{x.url}/2/media/upload",
        files={"media": ("big.png", big, "image/png")},
        data={"media_category": "tweet_image"},
    )
    assert response.status_code == 400
    assert "limit" in response.json()["detail"]


def test_x_rate_limit_headers(x: FakeX) -> None:
    x.rate_limit_next(path="/2/tweets", reset_after=30)
    session = x_session()
    assert session.get(f"{x.url}/2/users/me").status_code == 200
    limited = session.post(f"{x.url}/2/tweets", json={"text": "later"})
    assert limited.status_code == 429
    assert limited.headers["x-rate-limit-limit"] == "100"
    assert limited.headers["x-rate-limit-remaining"] == "0"
    reset = int(limited.headers["x-rate-limit-reset"])
    assert time.time() + 29 <= reset <= time.time() + 32
    assert limited.json()["title"] == "Too Many Requests"
    assert x.tweets == []
    assert session.post(f"{x.url}/2/tweets", json={"text": "later"}).status_code == 201


# ------------------------------------------------------------------ Mastodon


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        yield server
    assert server.errors == []


def auth(token: str = "mastodon-token") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_mastodon_instance_and_auth(mastodon: FakeMastodon) -> None:
    instance = requests.get(f"{mastodon.url}/api/v2/instance")
    assert instance.status_code == 200
    assert instance.headers["Content-Type"] == "application/json"
    statuses = instance.json()["configuration"]["statuses"]
    assert statuses["max_characters"] == 500 and statuses["characters_reserved_per_url"] == 23
    me = requests.get(f"{mastodon.url}/api/v1/accounts/verify_credentials", headers=auth())
    assert me.json() == {
        "id": "1",
        "username": "broadside",
        "acct": "broadside",
        "url": f"{mastodon.url}/@broadside",
    }
    for headers in ({}, auth("wrong"), {"Authorization": "mastodon-token"}):
        denied = requests.post(
            f"{mastodon.url}/api/v1/statuses", json={"status": "x"}, headers=headers
        )
        assert denied.status_code == 401
        assert denied.json() == {"error": "The access token is invalid"}
    assert mastodon.statuses == []


def test_mastodon_status_length() -> None:
    assert status_length("a" * 500) == 500
    assert status_length("👩‍👩‍👧‍👦" * 3) == 3
    assert status_length("e\u0301") == 1
    assert status_length("hi @someone@very.long.example.social") == len("hi @someone")
    assert status_length("go https://example.org/" + "x" * 200) == 3 + 23
    assert status_length("go https://example.org/x", url_length=10) == 13
    assert status_length("text", spoiler_text="cw") == 6


def test_mastodon_posts_and_validates(mastodon: FakeMastodon) -> None:
    url = f"{mastodon.url}/api/v1/statuses"
    ok = requests.post(url, json={"status": "Sign it", "language": "fr"}, headers=auth())
    assert ok.status_code == 200, ok.text
    status = ok.json()
    assert status["url"] == f"{mastodon.url}/@broadside/{status['id']}"
    assert status["id"].isdigit() and status["language"] == "fr"
    assert status["content"] == "<p>Sign it</p>" and status["visibility"] == "public"
    assert datetime.fromisoformat(status["created_at"]).tzinfo is not None

    form = requests.post(
        url, data={"status": "Form post", "visibility": "unlisted"}, headers=auth()
    )
    assert form.status_code == 200 and form.json()["visibility"] == "unlisted"

    too_long = requests.post(url, json={"status": "é" * 501}, headers=auth())
    assert too_long.status_code == 422
    assert too_long.json() == {"error": "Validation failed: Text character limit of 500 exceeded"}
    # 500 grapheme clusters with combining accents and ZWJ emoji: fine.
    assert requests.post(url, json={"status": "e\u0301" * 500}, headers=auth()).status_code == 200
    remote = "@someone@a-very-long-instance-name.example.social " * 20
    assert len(remote) > 500
    mention = requests.post(url, json={"status": remote.strip()}, headers=auth())
    assert mention.status_code == 200, mention.text
    url_text = "x" * 470 + " https://example.org/" + "y" * 300
    assert requests.post(url, json={"status": url_text}, headers=auth()).status_code == 200

    for bad in ("french", "FR", "f", "fra", ""):
        response = requests.post(url, json={"status": "Langue", "language": bad}, headers=auth())
        assert response.status_code == 422, bad
        assert response.json() == {"error": "Validation failed: Language is not a valid language"}
    assert requests.post(url, json={}, headers=auth()).status_code == 422
    assert (
        requests.post(url, json={"status": "v", "visibility": "x"}, headers=auth()).status_code
        == 422
    )
    assert len(mastodon.statuses) == 5


def test_mastodon_idempotency_key(mastodon: FakeMastodon) -> None:
    url = f"{mastodon.url}/api/v1/statuses"
    headers = {**auth(), "Idempotency-Key": "delivery-1"}
    first = requests.post(url, json={"status": "Once"}, headers=headers)
    second = requests.post(url, json={"status": "Once"}, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert len(mastodon.statuses) == 1
    other = requests.post(url, json={"status": "Once"}, headers={**auth(), "Idempotency-Key": "2"})
    assert other.json()["id"] != first.json()["id"]
    assert len(mastodon.statuses) == 2


def upload(mastodon: FakeMastodon, description: str | None = "A card", data: bytes | None = None):
    fields = {} if description is None else {"description": description}
    files = {"file": ("card.png", data if data is not None else image_bytes(), "image/png")}
    return requests.post(f"{mastodon.url}/api/v2/media", files=files, data=fields, headers=auth())


def test_mastodon_media(mastodon: FakeMastodon) -> None:
    media = upload(mastodon)
    assert media.status_code == 200
    body = media.json()
    assert body["type"] == "image" and body["description"] == "A card"
    assert body["url"] == f"{mastodon.url}/media/{body['id']}.png"
    for description in (None, "", "   ", "x" * 1501):
        assert upload(mastodon, description).status_code == 422, description
    assert upload(mastodon, data=b"<svg/>").status_code == 422
    assert upload(mastodon, data=image_bytes("BMP")).status_code == 422
    posted = requests.post(
        f"{mastodon.url}/api/v1/statuses",
        json={"status": "With card", "media_ids": [body["id"]]},
        headers=auth(),
    )
    assert posted.status_code == 200
    assert posted.json()["media_attachments"][0]["id"] == body["id"]
    missing = requests.post(
        f"{mastodon.url}/api/v1/statuses", json={"media_ids": ["404"]}, headers=auth()
    )
    assert missing.status_code == 404 and missing.json() == {"error": "Record not found"}


def test_mastodon_media_processing(mastodon: FakeMastodon) -> None:
    mastodon.media_processing_polls = 2
    media = upload(mastodon)
    assert media.status_code == 202 and media.json()["url"] is None
    media_id = media.json()["id"]
    statuses = f"{mastodon.url}/api/v1/statuses"
    early = requests.post(statuses, json={"status": "x", "media_ids": [media_id]}, headers=auth())
    assert early.status_code == 422
    assert early.json() == {
        "error": "Cannot attach files that have not finished processing. Try again in a moment!"
    }
    polls = [requests.get(f"{mastodon.url}/api/v1/media/{media_id}", headers=auth()) for _ in "123"]
    assert [poll.status_code for poll in polls] == [206, 206, 200]
    assert polls[0].json()["url"] is None and polls[2].json()["url"].endswith(".png")
    form = requests.post(
        statuses, data={"status": "Card", "media_ids[]": [media_id]}, headers=auth()
    )
    assert form.status_code == 200, form.text
    assert mastodon.statuses[0]["media_ids"] == [media_id]


def test_mastodon_rate_limit_headers(mastodon: FakeMastodon) -> None:
    mastodon.rate_limit_next(reset_after=60)
    limited = requests.get(f"{mastodon.url}/api/v2/instance")
    assert limited.status_code == 429
    assert limited.json() == {"error": "Too many requests"}
    assert limited.headers["X-RateLimit-Limit"] == "300"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    reset = datetime.fromisoformat(limited.headers["X-RateLimit-Reset"])
    assert 55 < (reset - datetime.now(UTC)).total_seconds() <= 60


# ------------------------------------------------------------------ Bluesky


@pytest.fixture
def bluesky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as server:
        yield server
    assert server.errors == []


def xrpc(server: FakeBluesky, nsid: str) -> str:
    return f"{server.url}/xrpc/{nsid}"


def login(server: FakeBluesky, identifier: str = "broadside.test") -> dict[str, str]:
    response = requests.post(
        xrpc(server, "com.atproto.server.createSession"),
        json={"identifier": identifier, "password": "abcd-efgh-ijkl-mnop"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def create(server: FakeBluesky, session: dict[str, str], record: dict, **extra: str):
    body = {"repo": session["did"], "collection": "app.bsky.feed.post", "record": record, **extra}
    return requests.post(
        xrpc(server, "com.atproto.repo.createRecord"),
        json=body,
        headers=bearer(session["accessJwt"]),
    )


def post(text: str, **fields: object) -> dict[str, object]:
    return {"$type": "app.bsky.feed.post", "text": text, "createdAt": now_iso(), **fields}


def test_bluesky_sessions(bluesky: FakeBluesky) -> None:
    session = login(bluesky)
    assert session["did"] == bluesky.did and session["active"] is True
    assert login(bluesky, bluesky.did)["handle"] == "broadside.test"
    wrong = requests.post(
        xrpc(bluesky, "com.atproto.server.createSession"),
        json={"identifier": "broadside.test", "password": "nope"},
    )
    assert wrong.status_code == 401
    assert wrong.json() == {
        "error": "AuthenticationRequired",
        "message": "Invalid identifier or password",
    }
    get_session = xrpc(bluesky, "com.atproto.server.getSession")
    me = requests.get(get_session, headers=bearer(session["accessJwt"]))
    assert me.json() == {"did": bluesky.did, "handle": "broadside.test", "active": True}
    assert requests.get(get_session).json()["error"] == "AuthenticationRequired"
    unknown = requests.get(get_session, headers=bearer("nonsense"))
    assert unknown.status_code == 401 and unknown.json()["error"] == "InvalidToken"

    bluesky.expire_access_tokens()
    expired = requests.get(get_session, headers=bearer(session["accessJwt"]))
    assert expired.status_code == 400
    assert expired.json() == {"error": "ExpiredToken", "message": "Token has expired"}
    refresh = xrpc(bluesky, "com.atproto.server.refreshSession")
    renewed = requests.post(refresh, headers=bearer(session["refreshJwt"]))
    assert renewed.status_code == 200
    fresh = renewed.json()
    assert fresh["accessJwt"] != session["accessJwt"]
    assert requests.get(get_session, headers=bearer(fresh["accessJwt"])).status_code == 200
    reused = requests.post(refresh, headers=bearer(session["refreshJwt"]))
    assert reused.status_code == 400
    assert reused.json()["error"] in {"ExpiredToken", "InvalidToken"}
    bogus = requests.post(refresh, headers=bearer("bogus"))
    assert bogus.status_code == 400 and bogus.json()["error"] == "InvalidToken"


def test_the_loopback_pds_refuses_tags_over_the_lexicons_limits(bluesky: FakeBluesky) -> None:
    # app.bsky.richtext.facet#tag: "tag": {"maxLength": 640, "maxGraphemes": 64}
    session = login(bluesky)

    def tagged(tag: str):
        text = f"Sign #{tag}"
        index = {"byteStart": 5, "byteEnd": len(text.encode())}
        feature = {"$type": "app.bsky.richtext.facet#tag", "tag": tag}
        return create(
            bluesky, session, post(text, facets=[{"index": index, "features": [feature]}])
        )

    assert tagged("a" * 64).status_code == 200
    too_many = tagged("a" * 65)
    assert too_many.status_code == 400 and "64 graphemes" in too_many.json()["message"]
    assert tagged("\U0001f3f3\ufe0f\u200d\U0001f308" * 64).status_code == 400  # 64, > 640 bytes


def test_bluesky_session_creation_is_rate_limited() -> None:
    with FakeBluesky(max_session_creations=2) as server:
        login(server)
        login(server)
        limited = requests.post(
            xrpc(server, "com.atproto.server.createSession"),
            json={"identifier": "broadside.test", "password": "abcd-efgh-ijkl-mnop"},
        )
        assert limited.status_code == 429
        assert limited.json()["error"] == "RateLimitExceeded"
        assert server.session_creations == 3


def test_bluesky_facets_use_byte_offsets(bluesky: FakeBluesky) -> None:
    session = login(bluesky)
    link = "https://example.org/lettre"
    text = f"Signez la lettre ouverte — déjà 300 signataires : {link} #solidarité"
    start_chars = text.index(link)
    start_bytes = len(text[:start_chars].encode())
    assert start_bytes != start_chars

    def facets(start: int, end: int) -> list[dict]:
        feature = {"$type": "app.bsky.richtext.facet#link", "uri": link}
        return [{"index": {"byteStart": start, "byteEnd": end}, "features": [feature]}]

    wrong = create(
        bluesky, session, post(text, facets=facets(start_chars, start_chars + len(link)))
    )
    assert wrong.status_code == 400
    assert wrong.json()["error"] == "InvalidRequest"
    assert "facets" in wrong.json()["message"]
    assert bluesky.posts == {}

    tag_start = len(text[: text.index("#solidarité")].encode())
    tag = {
        "index": {"byteStart": tag_start, "byteEnd": len(text.encode())},
        "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "solidarité"}],
    }
    good = facets(start_bytes, start_bytes + len(link.encode())) + [tag]
    ok = create(bluesky, session, post(text, facets=good, langs=["fr"]))
    assert ok.status_code == 200, ok.text
    result = ok.json()
    rkey = result["uri"].rsplit("/", 1)[1]
    assert result["uri"] == f"at://{bluesky.did}/app.bsky.feed.post/{rkey}"
    assert result["cid"].startswith("bafyrei") and result["validationStatus"] == "valid"
    assert bluesky.posts[rkey]["text"] == text

    got = requests.get(
        xrpc(bluesky, "com.atproto.repo.getRecord"),
        params={"repo": bluesky.did, "collection": "app.bsky.feed.post", "rkey": rkey},
    )
    assert got.status_code == 200 and got.json()["value"]["text"] == text
    missing = requests.get(
        xrpc(bluesky, "com.atproto.repo.getRecord"),
        params={"repo": bluesky.did, "collection": "app.bsky.feed.post", "rkey": new_tid()},
    )
    assert missing.status_code == 400 and missing.json()["error"] == "RecordNotFound"


def test_bluesky_mentions_resolve(bluesky: FakeBluesky) -> None:
    session = login(bluesky)
    bluesky.known_handles["friend.example"] = "did:plc:friend"
    resolve = xrpc(bluesky, "com.atproto.identity.resolveHandle")
    assert requests.get(resolve, params={"handle": "friend.example"}).json() == {
        "did": "did:plc:friend"
    }
    unknown = requests.get(resolve, params={"handle": "nobody.example"})
    assert unknown.status_code == 400 and unknown.json()["message"] == "Unable to resolve handle"
    text = "Merci @friend.example !"
    start = text.index("@")
    feature = {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:friend"}
    facet = {"index": {"byteStart": start, "byteEnd": start + 15}, "features": [feature]}
    assert create(bluesky, session, post(text, facets=[facet])).status_code == 200
    feature["did"] = "did:plc:someone-else"
    assert create(bluesky, session, post(text, facets=[facet])).status_code == 400


def test_bluesky_record_validation(bluesky: FakeBluesky) -> None:
    session = login(bluesky)
    bad_records = [
        {"text": "no type", "createdAt": now_iso()},
        post("x" * 301),
        post("🇫🇷" * 300 + "!"),
        post("👩‍👩‍👧‍👦" * 121),  # 121 graphemes but 3025 bytes
        {"$type": "app.bsky.feed.post", "text": "no date"},
        post("naive date", createdAt="2024-05-01T12:00:00"),
        post("langs", langs=["fr", "en", "de", "it"]),
        post("langs", langs=[""]),
        post("embed", embed={"$type": "app.bsky.embed.video"}),
    ]
    for record in bad_records:
        response = create(bluesky, session, record)
        assert response.status_code == 400, record.get("text", "")[:20]
        assert response.json()["error"] == "InvalidRequest"
    assert create(bluesky, session, post("🇫🇷" * 300)).status_code == 200
    wrong_repo = create(bluesky, session, post("other"), repo="did:plc:other")
    assert wrong_repo.status_code == 400
    by_handle = create(bluesky, session, post("by handle"), repo="broadside.test")
    assert by_handle.status_code == 200


def test_bluesky_rkey(bluesky: FakeBluesky) -> None:
    session = login(bluesky)
    rkey = new_tid()
    first = create(bluesky, session, post("first"), rkey=rkey)
    assert first.status_code == 200
    assert first.json()["uri"].endswith(f"/app.bsky.feed.post/{rkey}")
    again = create(bluesky, session, post("second"), rkey=rkey)
    assert again.status_code == 500  # as the real PDS answers a taken key (atproto#3718)
    assert again.json()["error"] == "InternalServerError"
    assert bluesky.posts[rkey]["text"] == "first" and len(bluesky.post_list) == 1
    for bad in ("not-a-tid", "3" * 14, "k" + "2" * 12, rkey.upper()):
        assert create(bluesky, session, post("bad rkey"), rkey=bad).status_code == 400, bad


def test_bluesky_blobs_and_embeds(bluesky: FakeBluesky) -> None:
    session = login(bluesky)
    upload_url = xrpc(bluesky, "com.atproto.repo.uploadBlob")
    headers = {**bearer(session["accessJwt"]), "Content-Type": "image/png"}
    png = image_bytes()
    uploaded = requests.post(upload_url, data=png, headers=headers)
    assert uploaded.status_code == 200, uploaded.text
    blob = uploaded.json()["blob"]
    assert blob["$type"] == "blob" and blob["ref"]["$link"].startswith("bafkrei")
    assert blob["mimeType"] == "image/png" and blob["size"] == len(png)

    jpeg_as_png = requests.post(upload_url, data=image_bytes("JPEG"), headers=headers)
    assert jpeg_as_png.status_code == 400
    gif = requests.post(
        upload_url, data=image_bytes("GIF"), headers={**headers, "Content-Type": "image/gif"}
    )
    assert gif.status_code == 400
    big = requests.post(upload_url, data=noisy_png(1_000_001), headers=headers)
    assert big.status_code == 400 and big.json()["error"] == "BlobTooLarge"
    assert (
        requests.post(upload_url, data=png, headers={"Content-Type": "image/png"}).status_code
        == 401
    )

    no_alt = {"$type": "app.bsky.embed.images", "images": [{"image": blob}]}
    rejected = create(bluesky, session, post("no alt", embed=no_alt))
    assert rejected.status_code == 400 and "alt" in rejected.json()["message"]
    with_alt = {"$type": "app.bsky.embed.images", "images": [{"image": blob, "alt": ""}]}
    assert create(bluesky, session, post("empty alt is allowed", embed=with_alt)).status_code == 200

    external = {
        "$type": "app.bsky.embed.external",
        "external": {
            "uri": "https://example.org/l",
            "title": "Letter",
            "description": "Open letter",
            "thumb": blob,
        },
    }
    assert create(bluesky, session, post("card", embed=external)).status_code == 200
    foreign = dict(blob, ref={"$link": "bafkreinotuploaded"})
    external["external"]["thumb"] = foreign
    assert create(bluesky, session, post("foreign thumb", embed=external)).status_code == 400
    too_many = {"$type": "app.bsky.embed.images", "images": [with_alt["images"][0]] * 5}
    assert create(bluesky, session, post("five", embed=too_many)).status_code == 400


def test_bluesky_rate_limit_headers(bluesky: FakeBluesky) -> None:
    bluesky.rate_limit_next(path="createRecord")
    session = login(bluesky)
    limited = create(bluesky, session, post("later"))
    assert limited.status_code == 429
    assert limited.json()["error"] == "RateLimitExceeded"
    assert limited.headers["ratelimit-limit"] == "5000"
    assert limited.headers["ratelimit-remaining"] == "0"
    assert limited.headers["ratelimit-policy"] == "5000;w=3600"
    assert int(limited.headers["ratelimit-reset"]) >= time.time()
    assert bluesky.posts == {}


# ------------------------------------------------------------------ webhook


def signed(secret: str, payload: dict, timestamp: int | None = None) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Broadside-Timestamp": stamp,
        "X-Broadside-Signature": sign(secret, stamp, body),
    }
    return body, headers


def test_webhook_checks_signature_and_shape() -> None:
    payload = {"delivery": "d-1", "text": "Hello", "url": "https://x.org", "language": "en"}
    with FakeWebhook() as hook:
        body, headers = signed("webhook-secret", payload)
        ok = requests.post(f"{hook.url}/hooks/broadside", data=body, headers=headers)
        assert ok.status_code == 200 and ok.json() == {"ok": True, "id": "1"}
        assert hook.received[0]["json"] == payload
        assert (
            hook.received[0]["headers"]["X-Broadside-Timestamp"] == headers["X-Broadside-Timestamp"]
        )

        for bad_body, bad_headers in (
            signed("other-secret", payload),
            signed("webhook-secret", payload, int(time.time()) - 301),
            (body, {**headers, "X-Broadside-Signature": "sha256=00"}),
            (body, {"Content-Type": "application/json"}),
            (body + b" ", headers),
        ):
            denied = requests.post(f"{hook.url}/", data=bad_body, headers=bad_headers)
            assert denied.status_code == 401
            assert denied.json() == {"error": "bad signature"}

        incomplete = {key: value for key, value in payload.items() if key != "url"}
        body, headers = signed("webhook-secret", incomplete)
        assert requests.post(hook.url, data=body, headers=headers).status_code == 400
        body, headers = signed("webhook-secret", payload)
        plain = {**headers, "Content-Type": "text/plain"}
        assert requests.post(hook.url, data=body, headers=plain).status_code == 400
        assert requests.get(hook.url).status_code == 405
        assert len(hook.received) == 1
        assert hook.errors == []


# ------------------------------------------------------------------ misbehaviour


def test_fail_next_answers_without_processing(mastodon: FakeMastodon) -> None:
    url = f"{mastodon.url}/api/v1/statuses"
    mastodon.fail_next(503, times=2, path="/statuses", headers={"Retry-After": "1"})
    assert requests.get(f"{mastodon.url}/api/v2/instance").status_code == 200
    for _ in range(2):
        failed = requests.post(url, json={"status": "x"}, headers=auth())
        assert failed.status_code == 503 and failed.headers["Retry-After"] == "1"
    assert mastodon.statuses == []
    assert requests.post(url, json={"status": "x"}, headers=auth()).status_code == 200
    mastodon.fail_next(500, body=b"<html>oops</html>", headers={"Content-Type": "text/html"})
    html = requests.get(f"{mastodon.url}/api/v2/instance")
    assert html.status_code == 500 and html.text == "<html>oops</html>"
    assert mastodon.pending_faults == 0
    assert [request.status for request in mastodon.requests] == [200, 503, 503, 200, 500]


def test_drop_next_processes_then_hangs_up(x: FakeX) -> None:
    x.drop_next(path="/2/tweets")
    session = x_session()
    with pytest.raises(requests.ConnectionError):
        session.post(f"{x.url}/2/tweets", json={"text": "Outcome unknown"})
    assert [tweet["text"] for tweet in x.tweets] == ["Outcome unknown"]
    assert x.requests[-1].dropped and x.requests[-1].status == 201
    retry = session.post(f"{x.url}/2/tweets", json={"text": "Outcome unknown"})
    assert retry.status_code == 403


def test_stall_next_times_the_client_out_after_processing(bluesky: FakeBluesky) -> None:
    session = login(bluesky)
    bluesky.stall_next(1.0, path="createRecord")
    body = {"repo": session["did"], "collection": "app.bsky.feed.post", "record": post("slow")}
    with pytest.raises(requests.ReadTimeout):
        requests.post(
            xrpc(bluesky, "com.atproto.repo.createRecord"),
            json=body,
            headers=bearer(session["accessJwt"]),
            timeout=0.3,
        )
    assert [record["text"] for record in bluesky.posts.values()] == ["slow"]


def test_latency_and_request_log() -> None:
    with FakeWebhook() as hook:
        hook.latency = 0.2
        started = time.monotonic()
        response = requests.post(f"{hook.url}/x?y=1", json={})
        assert time.monotonic() - started >= 0.2
        assert response.status_code == 401
        logged = hook.requests[0]
        assert logged.url == f"{hook.url}/x?y=1" and logged.query == {"y": "1"}
        assert logged.json == {} and logged.headers["content-type"] == "application/json"
        local = hook.url.replace("127.0.0.1", "localhost")
        assert requests.get(f"{local}/a").status_code == 405
        assert hook.requests[-1].url == f"{local}/a"


def test_unknown_route_and_explicit_start_stop() -> None:
    server = FakeMastodon().start()
    try:
        missing = requests.get(f"{server.url}/api/v1/nothing", headers=auth())
        assert missing.status_code == 404
        assert missing.headers["Content-Type"] == "application/json"
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{server.url}/api/v2/instance", timeout=1)
