"""Facebook Page: one post on the Page's feed with the message and the letter's link.

Credentials (pasted, or filled by the Connect flow):
    page_id            the Page's numeric id
    page_access_token  a Page access token with pages_manage_posts (and
                       pages_read_engagement, to look a post up after a lost answer)

`POST /{page-id}/feed` with `message` and `link`
(https://developers.facebook.com/docs/pages-api/posts): the link's card comes from
the page's Open Graph tags, so no image is uploaded. Facebook has no duplicate
protection, so a send whose answer was lost (or a 500, which can hide a created
post) is never repeated: the post is looked for on the Page's recent posts, and
otherwise left *unconfirmed* for a person. After posting, Facebook is asked to
re-scrape the link (`POST /?id={url}&scrape=true`,
https://developers.facebook.com/docs/sharing/opengraph/using-objects#update) so the card
shows the page as it is now, not as a first crawl cached it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import DeliveryError, OutcomeUnknown, Post, SentPost
from .http import json_object
from .meta import GraphChannel
from .networks import CredentialField, Network
from .text import TextRules

logger = logging.getLogger(__name__)

FACEBOOK_WEB_URL = "https://www.facebook.com"
# Facebook's own limit on a post's message is 63,206 characters (UTF-16 code units).
MESSAGE_LIMIT = 63206
RECENT_POSTS = 25
CLOCK_SKEW = timedelta(minutes=2)


# Usernames: letters, digits and ".", at least 5 (facebook.com/help/105399436216001).
NETWORK = Network(
    "facebook",
    gettext_lazy("Facebook"),
    handle=r"[A-Za-z0-9.]{5,50}",
    example="cancivlib",
    prefix="",
)


class FacebookTextRules(TextRules):
    """Facebook counts a message in UTF-16 code units (a JavaScript string's length)."""

    def __init__(self, limit: int = MESSAGE_LIMIT) -> None:
        super().__init__(limit)

    def length(self, text: str) -> int:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2


class FacebookPageChannel(GraphChannel):
    verbose_name = gettext_lazy("Facebook Page")
    social_network = NETWORK
    connect_flow = "publishing.social.connect.meta.FacebookConnect"
    default_base_url = "https://graph.facebook.com"
    credential_fields = (
        CredentialField("page_id", gettext_lazy("The Facebook Page id.")),
        CredentialField(
            "page_access_token",
            gettext_lazy(
                "A Page access token (long-lived when made from a long-lived user token)."
            ),
        ),
    )
    token_field = "page_access_token"
    card_variant = None  # Facebook draws the card from the page's og:image
    duplicate_safe = False

    def text_rules(self) -> TextRules:
        return FacebookTextRules()

    def send(self, post: Post) -> SentPost:
        page_id = self.credentials["page_id"]
        response = self.graph(
            "POST",
            f"{page_id}/feed",
            sending=True,
            data={"message": post.text, "link": post.url},
        )
        post_id = str(json_object(response).get("id") or "")
        if not post_id:
            # 200 without an id: the post may exist; the pipeline looks for it.
            raise OutcomeUnknown(_("Facebook answered without the post's id."))
        self.rescrape(post.url)
        return SentPost(remote_id=post_id, url=post_url(post_id))

    def rescrape(self, url: str) -> None:
        """Ask Facebook to read the page's Open Graph tags again. The post exists already:
        a failure here is logged, never reported as a failed delivery."""
        try:
            self.graph("POST", "", data={"id": url, "scrape": "true"})
        except DeliveryError as error:
            logger.warning("Facebook did not re-scrape the letter's link: %s", error)

    def find_post(
        self, *, key: str, url: str, since: datetime | None, known: frozenset[str]
    ) -> SentPost | None:
        """The Page's own recent post carrying `url`, created since the first attempt
        (`GET /{page-id}/posts`, newest first)."""
        response = self.graph(
            "GET",
            f"{self.credentials['page_id']}/posts",
            params={
                "fields": "id,message,created_time,permalink_url,attachments{unshimmed_url}",
                "limit": RECENT_POSTS,
            },
        )
        earliest = since - CLOCK_SKEW if since else None
        data = json_object(response).get("data")
        for item in data if isinstance(data, list) else []:
            if not isinstance(item, dict) or str(item.get("id")) in known:
                continue
            if not _carries(item, url):
                continue
            created = _parse_time(str(item.get("created_time") or ""))
            if earliest is None or created is None or created >= earliest:
                post_id = str(item["id"])
                return SentPost(
                    remote_id=post_id, url=str(item.get("permalink_url") or post_url(post_id))
                )
        return None

    def verify(self) -> str:
        response = self.graph("GET", str(self.credentials["page_id"]), params={"fields": "id,name"})
        return str(json_object(response).get("name") or self.credentials["page_id"])


def post_url(post_id: str) -> str:
    """The public address of a Page post from its "{page-id}_{post-id}" id."""
    page, _sep, number = post_id.partition("_")
    return f"{FACEBOOK_WEB_URL}/{page}/posts/{number}" if number else ""


def _carries(item: dict, url: str) -> bool:
    if url and url in str(item.get("message") or ""):
        return True
    attachments = item.get("attachments")
    data = attachments.get("data") if isinstance(attachments, dict) else None
    return any(
        isinstance(entry, dict) and entry.get("unshimmed_url") == url
        for entry in (data if isinstance(data, list) else [])
    )


def _parse_time(value: str) -> datetime | None:
    """Graph times look like 2026-11-30T12:00:00+0000."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None
