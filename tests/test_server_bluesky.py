"""The loopback Bluesky PDS checks what a PDS checks (sessions, records, facets in UTF-8
byte offsets, blobs) and misbehaves when asked to.

Like every test of the loopback servers, an independent oracle: it checks the fake against the
network's published rules and never imports production code (no counting, signing or
posting code of `publishing`), so the fake cannot inherit our mistakes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.server_clients import (
    bearer,
    create,
    image_bytes,
    login,
    noisy_png,
    now_iso,
    post,
    xrpc,
)
from tests.servers.bluesky import FakeBluesky, new_tid


@pytest.fixture
def bluesky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as server:
        yield server
    assert server.errors == []


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
