"""LinkedIn (organization pages): an article share of the letter's page.

Credentials (pasted, or filled by the Connect flow):
    organization_id  the organization's numeric id (or its urn:li:organization:ID)
    access_token     a 3-legged member token with w_organization_social, from a member
                     who administers the page (60 days; the Connect flow refreshes it)

`POST /rest/posts` (https://learn.microsoft.com/linkedin/marketing/community-management/
shares/posts-api) with `Linkedin-Version` (pinned below, the one place) and
`X-Restli-Protocol-Version: 2.0.0`; the new post's URN comes back in `x-restli-id`.
The commentary is "little text" (https://learn.microsoft.com/linkedin/marketing/
community-management/shares/little-text-format): `\\ | { } @ [ ] ( ) < > # * _ ~` are
markup, and an unescaped one makes LinkedIn cut the post there, silently. Links,
hashtags and mentions written as LinkedIn writes them, `@[Name](urn:li:organization:ID)`,
are kept; every other reserved character is escaped with a backslash.

LinkedIn refuses a post identical to a recent one with 422 DUPLICATE_POST: after a lost
answer, sending the same text again either posts (the first attempt never arrived) or
is refused as a duplicate (it did). That makes a retry safe for a while
(`duplicate_window`); a duplicate that is not a retry is the editor's to resolve.
"""

from __future__ import annotations

from datetime import date

import regex
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .base import PermanentError, Post, SentPost
from .http import HttpChannel, json_fields, json_object
from .networks import CredentialField, Network
from .text import TextRules, hashtag_spans, link_spans

# https://learn.microsoft.com/linkedin/marketing/integrations/migrations: a version is
# served for a year after its month (202603 until 2027-03-16); 202610 is taken to end on
# 2027-10-01, the start of its twelfth month, on the safe side. Move it forward before then
# (connection health warns 90 days ahead). The one pin: the connect flow reads it too.
LINKEDIN_VERSION = "202610"
LINKEDIN_VERSION_END_OF_SUPPORT = date(2027, 10, 1)
RESTLI_PROTOCOL_VERSION = "2.0.0"
COMMENTARY_LIMIT = 3000
LINKEDIN_WEB_URL = "https://www.linkedin.com"
# LinkedIn does not say how long it remembers a post to refuse its duplicate: an hour
# is assumed (docs/decisions.md); later, a lost answer waits for a person.
DUPLICATE_WINDOW_SECONDS = 3600

RESERVED = frozenset("\\|{}@[]()<>#*_~")
MENTION = regex.compile(r"@\[[^\[\]()\\]+\]\(urn:li:(?:organization|person):[0-9A-Za-z_-]+\)")
_POST_URN = regex.compile(r"urn:li:(?:share|ugcPost):[0-9]+")


def little_text(text: str) -> str:
    """`text` as LinkedIn's little text: reserved characters escaped, except inside links,
    hashtags and mentions in LinkedIn's own syntax, which stay markup."""
    kept = [match.span() for match in MENTION.finditer(text)]
    kept += [(start, end) for start, end, _url in link_spans(text)]
    kept += [(start, end) for start, end, _tag in hashtag_spans(text)]
    pieces, position = [], 0
    for start, end in sorted(kept):
        if start < position:
            continue  # overlapping spans (a hashtag inside a mention's name)
        pieces.append(_escape(text[position:start]))
        pieces.append(text[start:end])
        position = end
    pieces.append(_escape(text[position:]))
    return "".join(pieces)


def _escape(text: str) -> str:
    return "".join("\\" + char if char in RESERVED else char for char in text)


# A public profile or page URL name: 3-100 letters, digits or "-" (LinkedIn Help).
NETWORK = Network(
    "linkedin", gettext_lazy("LinkedIn"), handle=r"[A-Za-z0-9-]{3,100}", example="aclu", prefix=""
)


class LinkedInTextRules(TextRules):
    """3,000 characters of commentary, counted as sent (escaped), in UTF-16 code units:
    never fewer than LinkedIn counts."""

    def __init__(self, limit: int = COMMENTARY_LIMIT) -> None:
        super().__init__(limit)

    def length(self, text: str) -> int:
        return len(little_text(text).encode("utf-16-le", "surrogatepass")) // 2


class LinkedInChannel(HttpChannel):
    verbose_name = gettext_lazy("LinkedIn page")
    social_network = NETWORK
    connect_flow = "publishing.social.connect.linkedin.LinkedInConnect"
    default_base_url = "https://api.linkedin.com"
    api_version = LINKEDIN_VERSION  # connection health warns before it ends
    api_version_ends = LINKEDIN_VERSION_END_OF_SUPPORT
    credential_fields = (
        CredentialField(
            "organization_id",
            gettext_lazy("The LinkedIn organization id (the number in urn:li:organization:…)."),
        ),
        CredentialField(
            "access_token", gettext_lazy("An access token with w_organization_social.")
        ),
    )
    card_variant = None  # the article card comes from the page's Open Graph tags
    duplicate_safe = True
    duplicate_window = DUPLICATE_WINDOW_SECONDS

    def text_rules(self) -> TextRules:
        return LinkedInTextRules()

    def mention(self, handle: str) -> str:
        """LinkedIn mentions by URN: the handle is written as LinkedIn writes it,
        `@[Name](urn:li:organization:ID)`; anything else cannot mention and is left out."""
        handle = handle.strip()
        return handle if MENTION.fullmatch(handle) else ""

    @property
    def author(self) -> str:
        organization = str(self.credentials["organization_id"]).strip()
        if organization.startswith("urn:li:organization:"):
            return organization
        return f"urn:li:organization:{organization}"

    def headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.credentials['access_token']}",
            "Linkedin-Version": LINKEDIN_VERSION,
            "X-Restli-Protocol-Version": RESTLI_PROTOCOL_VERSION,
        }

    def send(self, post: Post) -> SentPost:
        article = {"source": post.url, "title": post.title[:400]}
        if post.description:
            article["description"] = post.description[:4086]
        response = self.request(
            "POST",
            "/rest/posts",
            sending=True,
            headers=self.headers(),
            json={
                "author": self.author,
                "commentary": little_text(post.text),
                "visibility": "PUBLIC",
                "distribution": {
                    "feedDistribution": "MAIN_FEED",
                    "targetEntities": [],
                    "thirdPartyDistributionChannels": [],
                },
                "content": {"article": article},
                "lifecycleState": "PUBLISHED",
                "isReshareDisabledByAuthor": False,
            },
        )
        if response.status_code == 422 and _duplicate(response):
            if post.resumed:
                urn = _POST_URN.search(json_fields(response, "message"))
                remote = urn.group() if urn else ""
                return SentPost(remote_id=remote, url=_post_url(remote) if remote else "")
            raise PermanentError(
                _(
                    "LinkedIn refuses a post identical to a recent one on this page "
                    "(DUPLICATE_POST): change the text, or check the page."
                ),
                status=422,
            )
        self.check(response, sending=True)
        urn = response.headers.get("x-restli-id", "")
        if not urn:
            urn = str(json_object(response).get("id") or "")
        return SentPost(remote_id=urn, url=_post_url(urn) if urn else "")

    def check(self, response, *, sending: bool = False) -> None:
        """raise_for_status, with an expired token or a sunset version said plainly."""
        if response.status_code == 401:
            raise PermanentError(
                _("LinkedIn refused the account's access token: reconnect the account."),
                status=401,
            )
        if response.status_code == 426:
            raise PermanentError(
                _(
                    "LinkedIn no longer serves API version %(version)s: Broadside must be "
                    "updated (LINKEDIN_VERSION in publishing/channels/linkedin.py)."
                )
                % {"version": LINKEDIN_VERSION},
                status=426,
            )
        self.raise_for_status(response, _error(response), sending=sending)

    def verify(self) -> str:
        organization = self.author.rsplit(":", 1)[1]
        response = self.request(
            "GET", f"/rest/organizations/{organization}", headers=self.headers()
        )
        self.check(response)
        return str(json_object(response).get("localizedName") or self.author)


def _duplicate(response) -> bool:
    return (
        json_fields(response, "code") == "DUPLICATE_POST"
        or "duplicate" in json_fields(response, "message").lower()
    )


def _post_url(urn: str) -> str:
    return f"{LINKEDIN_WEB_URL}/feed/update/{urn}/"


def _error(response) -> str:
    """LinkedIn's documented error fields: `message` (and `code` when given)
    (https://learn.microsoft.com/linkedin/shared/api-guide/concepts/error-handling)."""
    return json_fields(response, "code", "message")
