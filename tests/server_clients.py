"""How the tests of the loopback servers talk to them: signed sessions, sample bodies,
images.

Like the servers and their tests (tests/test_server_*.py), it never imports production
code: the fakes are independent oracles, checked against the networks' published rules.
"""

from __future__ import annotations

import io
import json
import math
import time
from datetime import UTC, datetime

import requests
from PIL import Image
from requests_oauthlib import OAuth1Session

from tests.servers.bluesky import FakeBluesky
from tests.servers.webhook import sign


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


def x_session(**overrides: str) -> OAuth1Session:
    keys = {"client_key": "ck", "client_secret": "cs"}
    keys.update(resource_owner_key="at", resource_owner_secret="ats")
    keys.update(overrides)
    return OAuth1Session(**keys)


def auth(token: str = "mastodon-token") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


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


def signed(secret: str, payload: dict, timestamp: int | None = None) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    stamp = str(timestamp if timestamp is not None else int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "X-Broadside-Timestamp": stamp,
        "X-Broadside-Signature": sign(secret, stamp, body),
    }
    return body, headers
