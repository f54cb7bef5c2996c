"""Instagram (professional accounts): the letter's portrait card with the text as caption.

Credentials (pasted, or filled by the Connect flow):
    ig_user_id    the Instagram professional account's id
    access_token  an Instagram User token (Instagram Login: instagram_business_basic,
                  instagram_business_content_publish; base URL https://graph.instagram.com)
                  or a Facebook User/Page token (Facebook Login: instagram_basic,
                  instagram_content_publish; set the account's base URL to
                  https://graph.facebook.com)

Publishing is two steps (https://developers.facebook.com/docs/instagram-platform/content-publishing):
`POST /{ig-user-id}/media` with `image_url`, `caption` and `alt_text` makes a container;
its `status_code` goes IN_PROGRESS → FINISHED (or ERROR, or EXPIRED after 24 hours
unpublished); `POST /{ig-user-id}/media_publish` with `creation_id` publishes it, and
then it is PUBLISHED. An image is required, and Meta fetches it from a public URL: the
card's own address on this site. The account's publishing limit
(`GET /{ig-user-id}/content_publishing_limit`, 50 posts in 24 hours) is read first.

The container id is stored in the delivery before publishing (meta.publish_in_two_steps),
so a retry never publishes twice: a duplicate-proof key, hence `duplicate_safe`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import PermanentError, Post, SentPost
from .http import json_object
from .meta import GraphChannel
from .networks import CredentialField, Network
from .text import TextRules, hashtag_spans, mention_spans

# IG User Media: caption at most 2,200 characters, 30 hashtags and 20 @ tags.
CAPTION_LIMIT = 2200
MAX_HASHTAGS = 30
MAX_MENTIONS = 20
ALT_TEXT_LIMIT = 1000
# Instagram accepts JPEG only for image posts, aspect ratio 4:5 to 1.91:1.
MIN_RATIO, MAX_RATIO = 4 / 5, 1.91
INSTAGRAM_WEB_URL = "https://www.instagram.com"


# Usernames: letters, digits, "." and "_", at most 30 (Instagram Help Center).
NETWORK = Network(
    "instagram",
    gettext_lazy("Instagram"),
    handle=r"[A-Za-z0-9._]{1,30}",
    example="@aclu_nationwide",
    prefix="@",
)


class InstagramTextRules(TextRules):
    """A caption: 2,200 UTF-16 code units (conservative: never fewer than what Instagram
    counts), at most 30 hashtags and 20 mentions."""

    def __init__(self, limit: int = CAPTION_LIMIT) -> None:
        super().__init__(limit)

    def length(self, text: str) -> int:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2

    def fits(self, text: str) -> bool:
        return (
            super().fits(text)
            and len(hashtag_spans(text)) <= MAX_HASHTAGS
            and len(mention_spans(text)) <= MAX_MENTIONS
        )


class InstagramChannel(GraphChannel):
    verbose_name = NETWORK.label
    social_network = NETWORK
    connect_flow = "publishing.social.connect.meta.InstagramConnect"
    default_base_url = "https://graph.instagram.com"
    needs_public_media = True  # Meta fetches the card from its URL (connection health says)
    credential_fields = (
        CredentialField("ig_user_id", gettext_lazy("The Instagram professional account id.")),
        CredentialField("access_token", gettext_lazy("A long-lived Instagram access token.")),
    )
    card_variant = "instagram"
    status_field = "status_code"
    duplicate_safe = True  # the stored container id: a container is published at most once

    def text_rules(self) -> TextRules:
        return InstagramTextRules()

    def mention(self, handle: str) -> str:
        return "@" + handle.strip().lstrip("@")

    def validate(self, post: Post) -> list[str]:
        problems = super().validate(post)
        card = post.card
        if card is None:
            problems.append(_("Instagram needs an image: the letter has no share card yet."))
        elif card.mime_type != "image/jpeg":
            problems.append(_("Instagram accepts JPEG images only."))
        elif not MIN_RATIO <= card.width / max(card.height, 1) <= MAX_RATIO:
            problems.append(_("Instagram accepts images from 4:5 (portrait) to 1.91:1 only."))
        elif not public_url(card.url):
            problems.append(
                _(
                    "Instagram fetches the image from this site, but the card's address is "
                    "not public (%(url)s): set the site's public address (Wagtail's Sites) "
                    "and serve media where Meta can reach it."
                )
                % {"url": urlsplit(card.url).netloc or "-"}
            )
        return problems

    def send(self, post: Post) -> SentPost:
        user = self.credentials["ig_user_id"]
        if not post.card or not post.card.url:
            raise PermanentError(_("Instagram needs an image: the letter has no share card yet."))

        data = {
            "image_url": post.card.url,
            "caption": post.text,
            "alt_text": post.card.alt[:ALT_TEXT_LIMIT],
        }
        return self.publish_container(user, "media", data, quota="content_publishing_limit")

    def verify(self) -> str:
        response = self.graph(
            "GET", str(self.credentials["ig_user_id"]), params={"fields": "id,username"}
        )
        username = json_object(response).get("username")
        return f"@{username}" if username else str(self.credentials["ig_user_id"])


def public_url(url: str) -> bool:
    """Whether Meta could fetch `url`: http(s), a host that is not local or private.

    A name is not resolved here (the site's own name may resolve differently inside its
    network); an address literal must be global."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    try:
        return ipaddress.ip_address(host).is_global
    except ValueError:
        return "." in host  # a single-label name is an intranet's
