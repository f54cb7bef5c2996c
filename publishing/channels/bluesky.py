"""Bluesky (AT Protocol): a PDS URL, a handle and an app password.

createSession is rate-limited hard, so the session is kept in the channel
state and refreshed with its refresh token when the access token expires.
The post is one `app.bsky.feed.post` record: link, tag and mention facets at
UTF-8 byte offsets, `langs`, and an external link card with the share card as
its thumbnail (a blob ≤ 1,000,000 bytes). The record key (a TID) is chosen
before the first attempt and stored, so a retry after a lost answer looks the
record up instead of posting twice.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing.share_images.card import VARIANTS

from .base import PermanentError, Post, SentPost
from .http import HttpChannel, json_fields
from .networks import CredentialField, Network
from .text import (
    TextRules,
    grapheme_count,
    hashtag_spans,
    link_spans,
    mention_spans,
    utf8_offsets,
    utf8_size,
)

POST_COLLECTION = "app.bsky.feed.post"
TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
SESSION_EXPIRED = {"ExpiredToken", "InvalidToken"}
CARD_VARIANT = "bluesky"
# Handles are domain names, compared in lower case (atproto.com/specs/handle).
NETWORK = Network(
    "bluesky",
    gettext_lazy("Bluesky"),
    handle=r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?",
    example="aclu.org",
    prefix="",
    lowercase=True,
)
# app.bsky.embed.external: thumb blob maxSize 1,000,000 bytes, kept once: on the card variant.
MAX_BLOB_BYTES = VARIANTS[CARD_VARIANT].max_bytes


# app.bsky.richtext.facet#tag: "tag": {"maxLength": 640, "maxGraphemes": 64} (UTF-8 bytes).
BLUESKY_TAG_GRAPHEMES = 64
BLUESKY_TAG_BYTES = 640


def bluesky_tag_fits(tag: str) -> bool:
    """Whether a tag (without "#") is within app.bsky.richtext.facet#tag's limits."""
    return grapheme_count(tag) <= BLUESKY_TAG_GRAPHEMES and utf8_size(tag) <= BLUESKY_TAG_BYTES


class BlueskyTextRules(TextRules):
    """Bluesky counts graphemes (URLs literally: the client shortens only what it displays)
    and also caps the UTF-8 size, which scripts of 3-4 byte characters can reach first
    (app.bsky.feed.post: text maxGraphemes 300, maxLength 3000 bytes). A hashtag longer than
    a tag facet allows is left out: the PDS would refuse the post."""

    def __init__(self, limit: int = 300, max_bytes: int = 3000) -> None:
        super().__init__(limit)
        self.max_bytes = max_bytes

    def allows_hashtag(self, tag: str) -> bool:
        return bluesky_tag_fits(tag.removeprefix("#"))

    def fits(self, text: str) -> bool:
        return super().fits(text) and utf8_size(text) <= self.max_bytes

    def describe(self, text: str) -> str:
        counter, size = super().describe(text), utf8_size(text)
        if size <= self.max_bytes:
            return counter
        values = {"counter": counter, "bytes": size, "max_bytes": self.max_bytes}
        return _("%(counter)s (%(bytes)s / %(max_bytes)s bytes)") % values


def new_tid() -> str:
    """A timestamp identifier: 53 bits of microseconds and 10 random clock bits, base32-sortable."""
    value = (int(time.time() * 1_000_000) << 10) | random.getrandbits(10)
    return "".join(TID_ALPHABET[(value >> shift) & 31] for shift in range(60, -1, -5))


class BlueskyChannel(HttpChannel):
    verbose_name = NETWORK.label
    social_network = NETWORK
    connect_flow = "publishing.social.connect.bluesky.BlueskyConnect"
    default_base_url = "https://bsky.social"
    credential_fields = (
        CredentialField("handle", gettext_lazy("The account's handle, e.g. example.bsky.social.")),
        CredentialField(
            "app_password",
            gettext_lazy("An app password (Settings → Privacy and security), not the password."),
        ),
    )
    card_variant = CARD_VARIANT
    duplicate_safe = True

    @property
    def app_url(self) -> str:
        return self.options.get("app_url", "https://bsky.app")

    def text_rules(self) -> TextRules:
        return BlueskyTextRules()

    def mention(self, handle: str) -> str:
        return "@" + handle.strip().lstrip("@")

    @classmethod
    def new_key(cls) -> str:
        return new_tid()

    # -- sessions ---------------------------------------------------------------------
    def create_session(self) -> dict:
        response = self.request(
            "POST",
            "/xrpc/com.atproto.server.createSession",
            json={
                "identifier": self.credentials["handle"],
                "password": self.credentials["app_password"],
            },
        )
        self.raise_for_status(response, _error(response))
        return self._keep_session(response.json())

    def refresh_session(self) -> dict:
        refresh = self.state.get("session", {}).get("refreshJwt")
        if not refresh:
            return self.create_session()
        response = self.request(
            "POST",
            "/xrpc/com.atproto.server.refreshSession",
            headers={"Authorization": f"Bearer {refresh}"},
        )
        if _error_name(response) in SESSION_EXPIRED or response.status_code == 401:
            return self.create_session()
        self.raise_for_status(response, _error(response))
        return self._keep_session(response.json())

    def _keep_session(self, data: dict) -> dict:
        self.state["session"] = {
            key: data[key] for key in ("accessJwt", "refreshJwt", "did", "handle")
        }
        return self.state["session"]

    def session(self) -> dict:
        return self.state.get("session") or self.create_session()

    def authed(self, method: str, path: str, *, sending: bool = False, **kwargs):
        """A request with the access token, refreshing the session once if it expired."""
        headers = kwargs.pop("headers", {})
        for attempt in range(2):
            token = self.session()["accessJwt"]
            response = self.request(
                method,
                path,
                sending=sending,
                headers={**headers, "Authorization": f"Bearer {token}"},
                **kwargs,
            )
            expired = _error_name(response) in SESSION_EXPIRED or (
                response.status_code == 401 and _error_name(response) == "AuthenticationRequired"
            )
            if not expired or attempt:
                return response
            self.refresh_session()
        return response

    # -- posting ------------------------------------------------------------------------
    def send(self, post: Post) -> SentPost:
        session = self.session()
        if post.resumed:
            existing = self.existing_record(session["did"], post.key)
            if existing:
                return existing
        record = self.record(post)
        response = self.authed(
            "POST",
            "/xrpc/com.atproto.repo.createRecord",
            sending=True,
            json={
                "repo": session["did"],
                "collection": POST_COLLECTION,
                "rkey": post.key,
                "record": record,
            },
        )
        if response.status_code >= 400:
            # A record key that is taken means an earlier attempt posted: the PDS
            # answers that with a 500 (bluesky-social/atproto#3718), so any
            # failure is checked against the record before it is believed.
            existing = self.existing_record(session["did"], post.key)
            if existing:
                return existing
        self.raise_for_status(response, _error(response), sending=True)
        return self.sent(post.key)

    def find_post(
        self, *, key: str, url: str, since: datetime | None, known: frozenset[str]
    ) -> SentPost | None:
        """The record with the delivery's record key, if it exists: exact evidence."""
        return self.existing_record(self.session()["did"], key)

    def sent(self, rkey: str) -> SentPost:
        handle = self.state["session"]["handle"]
        return SentPost(remote_id=rkey, url=f"{self.app_url}/profile/{handle}/post/{rkey}")

    def existing_record(self, did: str, rkey: str) -> SentPost | None:
        response = self.request(
            "GET",
            "/xrpc/com.atproto.repo.getRecord",
            params={"repo": did, "collection": POST_COLLECTION, "rkey": rkey},
        )
        if response.status_code == 400 and _error_name(response) == "RecordNotFound":
            return None
        self.raise_for_status(response, _error(response))
        return self.sent(rkey)

    def record(self, post: Post) -> dict:
        record = {
            "$type": POST_COLLECTION,
            "text": post.text,
            "createdAt": datetime.now(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "langs": [post.language],  # app.bsky.feed.post: langs maxLength 3
            "facets": self.facets(post.text),
        }
        thumb = self.upload_card(post) if post.card else None
        external = {"uri": post.url, "title": post.title, "description": post.description}
        if thumb:
            external["thumb"] = thumb
        record["embed"] = {"$type": "app.bsky.embed.external", "external": external}
        return record

    def facets(self, text: str) -> list[dict]:
        facets = []
        for start, end, uri in link_spans(text):
            facets.append(
                _facet(text, start, end, {"$type": "app.bsky.richtext.facet#link", "uri": uri})
            )
        for start, end, tag in hashtag_spans(text):
            if not bluesky_tag_fits(tag):
                continue  # over the tag facet's limits: left as plain text, not refused
            facets.append(
                _facet(text, start, end, {"$type": "app.bsky.richtext.facet#tag", "tag": tag})
            )
        for start, end, handle in mention_spans(text):
            did = self.resolve_handle(handle)
            if did:
                facets.append(
                    _facet(
                        text, start, end, {"$type": "app.bsky.richtext.facet#mention", "did": did}
                    )
                )
        return facets

    def resolve_handle(self, handle: str) -> str | None:
        """The DID of a handle, or None: an unknown handle stays plain text."""
        response = self.request(
            "GET", "/xrpc/com.atproto.identity.resolveHandle", params={"handle": handle}
        )
        if response.status_code == 400:
            return None
        self.raise_for_status(response, _error(response))
        return response.json().get("did")

    def upload_card(self, post: Post) -> dict:
        card = post.card
        # app.bsky.embed.external#external thumb: blob, accept image/*, maxSize 1000000.
        if len(card.data) > MAX_BLOB_BYTES:
            raise PermanentError(_("The card is larger than Bluesky's 1,000,000 bytes."))
        if not card.mime_type.startswith("image/"):
            raise PermanentError(_("Bluesky accepts only an image as a link card's thumbnail."))
        response = self.authed(
            "POST",
            "/xrpc/com.atproto.repo.uploadBlob",
            data=card.data,
            headers={"Content-Type": card.mime_type},
        )
        self.raise_for_status(response, _error(response))
        return response.json()["blob"]

    def verify(self) -> str:
        response = self.authed("GET", "/xrpc/com.atproto.server.getSession")
        self.raise_for_status(response, _error(response))
        return "@" + response.json()["handle"]


def _facet(text: str, start: int, end: int, feature: dict) -> dict:
    byte_start, byte_end = utf8_offsets(text, start, end)
    return {"index": {"byteStart": byte_start, "byteEnd": byte_end}, "features": [feature]}


def _error_name(response) -> str:
    return json_fields(response, "error")


def _error(response) -> str:
    """XRPC's documented error fields, `error` and `message` (atproto.com/specs/xrpc)."""
    return json_fields(response, "error", "message")
