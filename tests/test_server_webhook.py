"""The loopback webhook receiver checks the signature and shape of what Broadside sends.

Like every test of the loopback servers, an independent oracle: it checks the fake against the
network's published rules and never imports production code (no counting, signing or
posting code of `publishing`), so the fake cannot inherit our mistakes.
"""

from __future__ import annotations

import time

import requests

from tests.server_clients import (
    signed,
)
from tests.servers.webhook import FakeWebhook


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
