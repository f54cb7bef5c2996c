"""The loopback Mastodon checks what a Mastodon instance checks (tokens, status length,
Idempotency-Key, media processing) and misbehaves when asked to.

Like every test of the loopback servers, an independent oracle: it checks the fake against the
network's published rules and never imports production code (no counting, signing or
posting code of `publishing`), so the fake cannot inherit our mistakes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from tests.server_clients import (
    auth,
    image_bytes,
)
from tests.servers.mastodon import FakeMastodon, status_length


@pytest.fixture
def mastodon() -> Iterator[FakeMastodon]:
    with FakeMastodon() as server:
        yield server
    assert server.errors == []


def upload(mastodon: FakeMastodon, description: str | None = "A card", data: bytes | None = None):
    fields = {} if description is None else {"description": description}
    files = {"file": ("card.png", data if data is not None else image_bytes(), "image/png")}
    return requests.post(f"{mastodon.url}/api/v2/media", files=files, data=fields, headers=auth())


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
