"""A loopback webhook receiver that checks Broadside's HMAC-SHA256 signature."""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import time
from collections import Counter
from typing import Any

from .base import LoopbackServer, Request, Response

MAX_SKEW_SECONDS = 300
REQUIRED_KEYS = ("delivery", "text", "url", "language")


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Broadside-Signature`` value for a body sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


class FakeWebhook(LoopbackServer):
    """Accepts signed JSON POSTs on any path; keeps what it received."""

    def __init__(self, secret: str = "webhook-secret") -> None:
        super().__init__()
        self.secret = secret
        self.received: list[dict[str, Any]] = []
        self.deliveries: Counter[str] = Counter()
        self.route("POST", re.compile(r"/.*"), self.receive)

    def rate_limit_response(self, reset_after: float) -> Response:
        """A plain 429 with Retry-After in seconds."""
        return 429, {"error": "too many requests"}, {"Retry-After": str(math.ceil(reset_after))}

    def authenticate(self, request: Request) -> Response | None:
        """None for a fresh, correctly signed request, else 401 (every path)."""
        return None if self._signature_ok(request) else (401, {"error": "bad signature"}, {})

    def _signature_ok(self, request: Request) -> bool:
        timestamp = request.headers.get("X-Broadside-Timestamp", "")
        signature = request.headers.get("X-Broadside-Signature", "")
        if not re.fullmatch(r"\d{1,12}", timestamp) or not signature:
            return False
        if abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
            return False
        expected = sign(self.secret, timestamp, request.body)
        return hmac.compare_digest(expected.encode(), signature.encode())

    def receive(self, request: Request) -> Response:
        """Check signature, freshness and shape; record the delivery."""
        payload = request.json
        if request.content_type != "application/json" or not isinstance(payload, dict):
            return 400, {"error": "expected a JSON object"}, {}
        missing = [key for key in REQUIRED_KEYS if key not in payload]
        if missing:
            return 400, {"error": f"missing keys: {', '.join(missing)}"}, {}
        if not isinstance(payload["delivery"], str) or not payload["delivery"]:
            return 400, {"error": "delivery must be a non-empty string"}, {}
        self.deliveries[payload["delivery"]] += 1
        self.received.append(
            {"json": payload, "headers": dict(request.headers.items()), "path": request.path}
        )
        return 200, {"ok": True, "id": str(len(self.received))}, {}
