"""A JSON POST signed with HMAC-SHA256, for Slack/Discord relays or custom receivers.

The signature covers `{timestamp}.{body}` (header X-Broadside-Signature:
sha256=<hex>, X-Broadside-Timestamp), as Stripe and GitHub do, so a receiver
can refuse forged and replayed calls. X-Broadside-Delivery carries the
delivery key: a receiver that remembers it can drop a repeat. A receiver's
answer body is never shown (any server can be a webhook): only its status.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import PermanentError, Post, SentPost
from .http import HttpChannel, json_fields
from .networks import CredentialField


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


class WebhookChannel(HttpChannel):
    verbose_name = gettext_lazy("Webhook")
    credential_fields = (
        CredentialField("secret", gettext_lazy("Shared with the receiver to check signatures.")),
    )
    card_variant = "og"

    def payload(self, post: Post) -> dict:
        card = post.card
        return {
            "event": "letter.published",
            "delivery": post.key,
            "text": post.text,
            "url": post.url,
            "language": post.language,
            "title": post.title,
            "description": post.description,
            "image": (
                {"url": card.url, "alt": card.alt, "width": card.width, "height": card.height}
                if card
                else None
            ),
        }

    def send(self, post: Post) -> SentPost:
        if not self.base_url:
            raise PermanentError(_("The webhook account has no URL."))
        body = json.dumps(self.payload(post), ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        response = self.request(
            "POST",
            "",
            sending=True,
            data=body,
            headers={
                "Content-Type": "application/json",
                "X-Broadside-Timestamp": timestamp,
                "X-Broadside-Signature": signature(self.credentials["secret"], timestamp, body),
                "X-Broadside-Delivery": post.key,
            },
        )
        self.raise_for_status(response, sending=True)
        remote_id = ""
        if response.headers.get("Content-Type", "").startswith("application/json"):
            remote_id = json_fields(response, "id")
        return SentPost(remote_id=remote_id or post.key)

    def verify(self) -> str:
        if not self.base_url:
            raise PermanentError(_("The webhook account has no URL."))
        return self.origin
