"""The loopback X checks what X checks (OAuth 1.0a signatures, weighted length,
duplicates, media) and misbehaves when asked to.

Like every test of the loopback servers, an independent oracle: it checks the fake against the
network's published rules and never imports production code (no counting, signing or
posting code of `publishing`), so the fake cannot inherit our mistakes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
import requests
from oauthlib.oauth1 import Client

from tests.server_clients import (
    image_bytes,
    noisy_png,
    x_session,
)
from tests.servers.x import FakeX, weighted_length


@pytest.fixture
def x() -> Iterator[FakeX]:
    with FakeX() as server:
        yield server
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


def test_drop_next_processes_then_hangs_up(x: FakeX) -> None:
    x.drop_next(path="/2/tweets")
    session = x_session()
    with pytest.raises(requests.ConnectionError):
        session.post(f"{x.url}/2/tweets", json={"text": "Outcome unknown"})
    assert [tweet["text"] for tweet in x.tweets] == ["Outcome unknown"]
    assert x.requests[-1].dropped and x.requests[-1].status == 201
    retry = session.post(f"{x.url}/2/tweets", json={"text": "Outcome unknown"})
    assert retry.status_code == 403


def test_x_timeline_gives_t_co_links_with_their_targets_and_is_strict(x: FakeX) -> None:
    session = x_session()
    text = "A letter https://broadside.org/en/letters/a/ signed by four"
    assert session.post(f"{x.url}/2/tweets", json={"text": text}).status_code == 201
    timeline = f"{x.url}/2/users/{x.user_id}/tweets"
    fields = {"max_results": 100, "tweet.fields": "created_at,entities"}
    [post] = session.get(timeline, params=fields).json()["data"]
    assert "broadside.org" not in post["text"] and "https://t.co/" in post["text"]
    [link] = post["entities"]["urls"]
    assert link["expanded_url"] == "https://broadside.org/en/letters/a/"
    assert post["text"][:9] + link["url"] == "A letter " + link["url"]
    assert post["created_at"].endswith("Z")
    # Only the fields asked for; posts before start_time left out.
    [bare] = session.get(timeline, params={"max_results": 5}).json()["data"]
    assert set(bare) == {"id", "text", "edit_history_tweet_ids"}
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 60))
    empty = session.get(timeline, params={"start_time": later}).json()
    assert empty == {"meta": {"result_count": 0}}
    for params in (
        {"max_results": 101},
        {"max_results": 4},
        {"exclude": "quotes"},
        {"tweet.fields": "secrets"},
        {"start_time": "yesterday"},
        {"since": "2026-01-01T00:00:00Z"},
    ):
        assert session.get(timeline, params=params).status_code == 400, params
    assert requests.get(timeline).status_code == 401
    assert x_session(resource_owner_secret="wrong").get(timeline).status_code == 401
    x.timeline_access = False
    refused = session.get(timeline)
    assert refused.status_code == 403 and refused.json()["reason"] == "client-not-enrolled"
