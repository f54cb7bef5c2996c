"""Mastodon (and compatible servers): an instance URL and an access token.

Limits come from the instance (`/api/v2/instance`: max characters, the
length a URL counts), kept in the channel state for a day. The card goes
through `/api/v2/media` with its alt text (202 means still processing: we
wait for it). `Idempotency-Key` makes a retried status safe for an hour, so
a send whose answer was lost is retried with the same key, not marked
unconfirmed.
"""

from __future__ import annotations

import html
import time
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import PermanentError, Post, SentPost, TemporaryError
from .http import HttpChannel, json_fields
from .networks import CredentialField, Network
from .text import TextRules, grapheme_count, link_spans, mention_spans

LIMITS_MAX_AGE = 24 * 3600
MEDIA_POLLS = 10
MEDIA_POLL_SECONDS = 1.0
IDEMPOTENCY_WINDOW_SECONDS = 3600
RECENT_STATUSES = 40  # the most /api/v1/accounts/:id/statuses returns
CLOCK_SKEW = timedelta(minutes=2)  # our clock against the instance's
# A mention from another server needs the domain: "@user@domain". The user part as
# Mastodon's Account::USERNAME_RE ([a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?, case-insensitive).
NETWORK = Network(
    "mastodon",
    gettext_lazy("Mastodon"),
    handle=r"[A-Za-z0-9_]+(?:[A-Za-z0-9_.-]+[A-Za-z0-9_]+)?@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    example="@iccl@mastodon.ie",
)


class MastodonTextRules(TextRules):
    """Mastodon counts graphemes, any http(s) URL as url_length, and a remote mention
    "@user@domain" as "@user": the domain part is free."""

    def __init__(self, limit: int = 500, url_length: int = 23) -> None:
        super().__init__(limit)
        self.url_length = url_length

    def length(self, text: str) -> int:
        replacements = [(s, e, "x" * self.url_length) for s, e, _url in link_spans(text)]
        replacements += [(s, e, "@" + h.split("@")[0]) for s, e, h in mention_spans(text)]
        pieces, position = [], 0
        for start, end, replacement in sorted(replacements):
            pieces += [text[position:start], replacement]
            position = end
        return grapheme_count("".join(pieces) + text[position:])


class MastodonChannel(HttpChannel):
    verbose_name = NETWORK.label
    social_network = NETWORK
    connect_flow = "publishing.social.connect.mastodon.MastodonConnect"
    credential_fields = (
        CredentialField(
            "access_token",
            gettext_lazy("From Preferences → Development → New application (scope write)."),
        ),
    )
    card_variant = "og"
    duplicate_safe = True
    duplicate_window = IDEMPOTENCY_WINDOW_SECONDS

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.credentials['access_token']}"}

    def instance_limits(self) -> dict:
        limits = self.state.get("limits")
        if limits and (self.offline or time.time() - limits.get("read_at", 0) < LIMITS_MAX_AGE):
            return limits
        if self.offline:
            raise TemporaryError(_("The instance's limits are not known yet."))
        response = self.request("GET", "/api/v2/instance")
        self.raise_for_status(response)
        configuration = response.json().get("configuration", {})
        statuses = configuration.get("statuses", {})
        limits = {
            "max_characters": int(statuses.get("max_characters", 500)),
            "url_length": int(statuses.get("characters_reserved_per_url", 23)),
            "image_size_limit": int(
                configuration.get("media_attachments", {}).get("image_size_limit", 2 * 2**20)
            ),
            "read_at": time.time(),
        }
        self.state["limits"] = limits
        return limits

    def text_rules(self) -> TextRules:
        try:
            limits = self.instance_limits()
        except (TemporaryError, PermanentError):
            # Without the instance (preview while it is down): Mastodon's defaults.
            return MastodonTextRules()
        return MastodonTextRules(limit=limits["max_characters"], url_length=limits["url_length"])

    def send(self, post: Post) -> SentPost:
        media_ids = [self.upload_card(post)] if post.card else []
        response = self.request(
            "POST",
            "/api/v1/statuses",
            sending=True,
            json={
                "status": post.text,
                "media_ids": media_ids,
                "language": post.language,
                "visibility": "public",
            },
            headers={**self.auth(), "Idempotency-Key": post.key},
        )
        self.raise_for_status(response, _error(response), sending=True)
        status = response.json()
        return SentPost(remote_id=str(status["id"]), url=status.get("url") or "")

    def find_post(
        self, *, key: str, url: str, since: datetime | None, known: frozenset[str]
    ) -> SentPost | None:
        """The account's own recent status carrying `url`, created since the first attempt.

        `GET /api/v1/accounts/verify_credentials` gives the account id, then
        `GET /api/v1/accounts/:id/statuses` its newest statuses (at most 40, no boosts).
        """
        response = self.request("GET", "/api/v1/accounts/verify_credentials", headers=self.auth())
        self.raise_for_status(response, _error(response))
        account_id = response.json()["id"]
        response = self.request(
            "GET",
            f"/api/v1/accounts/{account_id}/statuses",
            params={"limit": RECENT_STATUSES, "exclude_reblogs": "true"},
            headers=self.auth(),
        )
        self.raise_for_status(response, _error(response))
        earliest = since - CLOCK_SKEW if since else None
        for status in response.json():
            if str(status.get("id")) in known or not _carries(status, url):
                continue
            created = _parse_time(status.get("created_at", ""))
            if earliest is None or created is None or created >= earliest:
                return SentPost(remote_id=str(status["id"]), url=status.get("url") or "")
        return None

    def upload_card(self, post: Post) -> str:
        card = post.card
        extension = "jpg" if card.mime_type == "image/jpeg" else "png"
        response = self.request(
            "POST",
            "/api/v2/media",
            files={"file": (f"card.{extension}", card.data, card.mime_type)},
            data={"description": card.alt},
            headers=self.auth(),
        )
        self.raise_for_status(response, _error(response))
        media = response.json()
        polls = 0
        while response.status_code in (202, 206) or not media.get("url"):
            if polls >= MEDIA_POLLS:
                raise TemporaryError(_("Mastodon is still processing the card."))
            time.sleep(MEDIA_POLL_SECONDS if polls else 0.2)
            polls += 1
            response = self.request("GET", f"/api/v1/media/{media['id']}", headers=self.auth())
            self.raise_for_status(response, _error(response))
            media = response.json()
        return str(media["id"])

    def verify(self) -> str:
        response = self.request("GET", "/api/v1/accounts/verify_credentials", headers=self.auth())
        self.raise_for_status(response, _error(response))
        account = response.json()
        self.instance_limits()
        return f"@{account['acct']}"


def _carries(status: dict, url: str) -> bool:
    """Whether a status links `url` (its HTML content escapes `&`; its card has it plain)."""
    card = status.get("card") or {}
    return url in html.unescape(str(status.get("content", ""))) or card.get("url") == url


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _error(response) -> str:
    """Mastodon's documented error fields (https://docs.joinmastodon.org/entities/Error/)."""
    return json_fields(response, "error", "error_description")
