"""Threads: a text post with the letter's link attached (its card from the page's tags).

Credentials (pasted, or filled by the Connect flow):
    user_id       the Threads user's id (or "me")
    access_token  a long-lived Threads token (threads_basic, threads_content_publish)

Publishing is two steps (https://developers.facebook.com/docs/threads/posts):
`POST /{threads-user-id}/threads` with `media_type=TEXT`, `text` and `link_attachment`
makes a container; `POST /{threads-user-id}/threads_publish` with `creation_id`
publishes it. Publishing right after creation can fail ("media not found"), so the
container's `status` is awaited until FINISHED; PUBLISHED means it went out
(https://developers.facebook.com/docs/threads/troubleshooting). The profile's 250
posts a day (`GET /{threads-user-id}/threads_publishing_limit`) are checked first.
The container id is stored in the delivery before publishing: a retry never posts twice.

Counting (`ThreadsTextRules`): Meta documents "Text posts are limited to 500 characters"
and "Emojis are counted as the number of UTF-8 bytes". What the API enforces is the
UTF-8 size of the whole text: a post of 498 characters with three curly apostrophes
(504 bytes) is refused with "Param text must be at most 500 characters long"
(gitroomhq/postiz-app#1946, from their production errors). So Broadside counts UTF-8
bytes for every character: a post it accepts is never refused, at the price of Cyrillic
or Arabic posts being cut near 250 letters. Links: at most 5 unique URLs, the attached
link included (THREADS_API__LINK_LIMIT_EXCEEDED since 2025-12-22,
https://developers.facebook.com/docs/threads/create-posts/text-attachments).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import Post, SentPost
from .http import json_object
from .meta import THREADS_API_VERSION, GraphChannel
from .networks import CredentialField, Network
from .text import TextRules, link_spans

TEXT_LIMIT_BYTES = 500
MAX_LINKS = 5


# Threads profiles are Instagram usernames (Threads Help Center).
NETWORK = Network(
    "threads", gettext_lazy("Threads"), handle=r"[A-Za-z0-9._]{1,30}", example="@aclu", prefix="@"
)


class ThreadsTextRules(TextRules):
    """500 UTF-8 bytes, and at most 5 unique links (see the module's docstring)."""

    def __init__(self, limit: int = TEXT_LIMIT_BYTES, max_links: int = MAX_LINKS) -> None:
        super().__init__(limit)
        self.max_links = max_links

    def length(self, text: str) -> int:
        return len(text.encode("utf-8", "surrogatepass"))

    def links(self, text: str) -> int:
        return len({url for _start, _end, url in link_spans(text)})

    def fits(self, text: str) -> bool:
        return super().fits(text) and self.links(text) <= self.max_links

    def describe(self, text: str) -> str:
        counter = _("%(length)s / %(limit)s bytes") % {
            "length": self.length(text),
            "limit": self.limit,
        }
        links = self.links(text)
        if links <= self.max_links:
            return counter
        return _("%(counter)s, %(links)s / %(max_links)s links") % {
            "counter": counter,
            "links": links,
            "max_links": self.max_links,
        }


class ThreadsChannel(GraphChannel):
    verbose_name = NETWORK.label
    social_network = NETWORK
    connect_flow = "publishing.social.connect.meta.ThreadsConnect"
    default_base_url = "https://graph.threads.net"
    api_version = THREADS_API_VERSION
    api_version_ends = None  # Meta publishes no end date for the Threads API v1.0
    credential_fields = (
        CredentialField("user_id", gettext_lazy("The Threads user id.")),
        CredentialField("access_token", gettext_lazy("A long-lived Threads access token.")),
    )
    card_variant = None  # the link attachment's card comes from the page's og:image
    duplicate_safe = True  # the stored container id: a container is published at most once

    def text_rules(self) -> TextRules:
        return ThreadsTextRules()

    def mention(self, handle: str) -> str:
        return "@" + handle.strip().lstrip("@")

    def send(self, post: Post) -> SentPost:
        user = self.credentials["user_id"]

        data = {"media_type": "TEXT", "text": post.text, "link_attachment": post.url}
        return self.publish_container(user, "threads", data, quota="threads_publishing_limit")

    def verify(self) -> str:
        response = self.graph("GET", "me", params={"fields": "id,username"})
        username = json_object(response).get("username")
        return f"@{username}" if username else str(self.credentials["user_id"])
