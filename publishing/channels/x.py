"""X: OAuth 1.0a user context (requests-oauthlib), v2 media upload and create-post.

X gives no duplicate protection (identical text is refused with 403, which
is no proof our earlier attempt went through), so a send whose answer was
lost is never retried: the account's timeline is searched for the post
(`find_post`), and if it is not there, or the app's access level cannot read
timelines, the delivery becomes "unconfirmed" for a person to check.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils.translation import gettext_lazy
from requests.auth import AuthBase
from requests_oauthlib import OAuth1
from twitter_text import parse_tweet
from twitter_text.config import config as twitter_text_config
from twitter_text.has_invalid_characters import has_invalid_characters

from .base import PermanentError, Post, SentPost
from .http import HttpChannel, json_object, shorten
from .networks import CredentialField, Network
from .text import TextRules

X_WEB_URL = "https://x.com"
RECENT_POSTS = 100  # the most one page of GET /2/users/:id/tweets holds (max_results)
CLOCK_SKEW = timedelta(minutes=2)  # our clock against X's
# Usernames: letters, digits and "_", at most 15 (help.x.com, "Help with username registration").
NETWORK = Network("x", gettext_lazy("X"), handle=r"[A-Za-z0-9_]{1,15}", example="@aclu")


class XTextRules(TextRules):
    """X's weighted count, by twitter-text 3's own rules (`twitter-text-parser`, MIT, a port
    that passes twitter-text's conformance suite): NFC, every URL 23 whether or not it has a
    scheme ("broadside.org" is a URL), an emoji sequence 2 ("❤️" is 2, a family is 2), code
    points in the light ranges 1 and all others 2. Emoji newer than the library's table are
    counted per code point: too high, never too low. A text with characters X refuses
    (U+FFFE, U+FEFF, U+FFFF) never fits."""

    def __init__(self, limit: int = 280, url_length: int = 23) -> None:
        super().__init__(limit)
        self.url_length = url_length
        self._options = {
            **twitter_text_config["defaults"],
            "max_weighted_tweet_length": limit,
            "transformed_url_length": url_length,
        }

    def length(self, text: str) -> int:
        return parse_tweet(text, self._options).weightedLength

    def fits(self, text: str) -> bool:
        return super().fits(text) and not has_invalid_characters(text)


class BearerToken(AuthBase):
    """`Authorization: Bearer <token>` (RFC 6750 §2.1), for OAuth 2.0 user tokens."""

    def __init__(self, token: str):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def __repr__(self) -> str:  # never the token
        return "<BearerToken>"


class XChannel(HttpChannel):
    verbose_name = NETWORK.label
    social_network = NETWORK
    connect_flow = "publishing.social.connect.x.XConnect"
    default_base_url = "https://api.x.com"
    credential_fields = (
        CredentialField("consumer_key", gettext_lazy("The app's API key (developer portal).")),
        CredentialField("consumer_secret", gettext_lazy("The app's API key secret.")),
        CredentialField(
            "access_token", gettext_lazy("The account's access token (read and write).")
        ),
        CredentialField("access_token_secret", gettext_lazy("The access token's secret.")),
    )
    card_variant = "og"

    @classmethod
    def missing_credentials(cls, credentials: dict[str, Any]) -> list[str]:
        # An account connected with OAuth 2.0 (publishing/social/connect/x.py) has a user token.
        if credentials.get("oauth2_access_token"):
            return []
        return super().missing_credentials(credentials)

    def oauth(self) -> AuthBase:
        """OAuth 1.0a user-context signing (or an OAuth 2.0 user token), applied per request
        on the shared transport."""
        if self.credentials.get("oauth2_access_token"):
            return BearerToken(self.credentials["oauth2_access_token"])
        return OAuth1(
            self.credentials["consumer_key"],
            client_secret=self.credentials["consumer_secret"],
            resource_owner_key=self.credentials["access_token"],
            resource_owner_secret=self.credentials["access_token_secret"],
        )

    def text_rules(self) -> TextRules:
        return XTextRules()

    def mention(self, handle: str) -> str:
        return "@" + handle.strip().lstrip("@")

    def send(self, post: Post) -> SentPost:
        auth = self.oauth()
        body: dict = {"text": post.text}
        if post.card:
            body["media"] = {"media_ids": [self.upload_card(auth, post)]}
        response = self.request("POST", "/2/tweets", sending=True, auth=auth, json=body)
        self.raise_for_status(response, _problem(response), sending=True)
        tweet_id = str(response.json()["data"]["id"])
        return SentPost(remote_id=tweet_id, url=f"{X_WEB_URL}/i/web/status/{tweet_id}")

    def find_post(
        self, *, key: str, url: str, since: datetime | None, known: frozenset[str]
    ) -> SentPost | None:
        """The account's own post linking `url`, created since the first attempt.

        `GET /2/users/me` gives the account's user id, then `GET /2/users/:id/tweets` its
        newest posts (at most 100, no reposts or replies) from `since` less the clock skew.
        X puts t.co links in the text, so the link is matched on `entities.urls[].expanded_url`.
        Posts in `known` (recorded by other deliveries) are skipped. Reading a timeline needs
        an access level the app may lack: X's 403 is then a PermanentError (nothing found).
        Source: https://docs.x.com/x-api/users/get-posts
        """
        auth = self.oauth()
        response = self.request("GET", "/2/users/me", auth=auth)
        self.raise_for_status(response, _problem(response))
        user_id = str((json_object(response).get("data") or {}).get("id", ""))
        if not user_id.isdigit():
            raise PermanentError(_problem(response) or "X did not say who the account is.")
        params = {
            "max_results": RECENT_POSTS,
            "exclude": "retweets,replies",
            "tweet.fields": "created_at,entities",
        }
        if since is not None:
            start = (since - CLOCK_SKEW).astimezone(UTC)
            params["start_time"] = start.strftime("%Y-%m-%dT%H:%M:%SZ")
        response = self.request("GET", f"/2/users/{user_id}/tweets", auth=auth, params=params)
        self.raise_for_status(response, _problem(response))
        posts = json_object(response).get("data")
        for post in posts if isinstance(posts, list) else []:
            post_id = str(post.get("id", "")) if isinstance(post, dict) else ""
            if post_id.isdigit() and post_id not in known and _links(post, url):
                return SentPost(remote_id=post_id, url=f"{X_WEB_URL}/i/web/status/{post_id}")
        return None

    def upload_card(self, auth: AuthBase, post: Post) -> str:
        card = post.card
        extension = "jpg" if card.mime_type == "image/jpeg" else "png"
        response = self.request(
            "POST",
            "/2/media/upload",
            auth=auth,
            files={"media": (f"card.{extension}", card.data, card.mime_type)},
            data={"media_category": "tweet_image"},
        )
        self.raise_for_status(response, _problem(response))
        media_id = str(response.json()["data"]["id"])
        if card.alt:
            response = self.request(
                "POST",
                "/2/media/metadata",
                auth=auth,
                json={"id": media_id, "metadata": {"alt_text": {"text": card.alt[:1000]}}},
            )
            self.raise_for_status(response, _problem(response))
        return media_id

    def verify(self) -> str:
        response = self.request("GET", "/2/users/me", auth=self.oauth())
        self.raise_for_status(response, _problem(response))
        return "@" + response.json()["data"]["username"]


def _links(post: dict, url: str) -> bool:
    """Whether an X post links `url`: its `entities.urls` give each t.co link's target."""
    links = (post.get("entities") or {}).get("urls")
    return any(
        isinstance(link, dict) and url in (link.get("expanded_url"), link.get("unwound_url"))
        for link in (links if isinstance(links, list) else [])
    )


def _problem(response) -> str:
    """X's documented error fields: problem JSON (detail or title), or v1-style errors[].message.

    Source: https://docs.x.com/x-api/fundamentals/response-codes-and-errors
    """
    body = json_object(response)
    for field in ("detail", "title"):
        if isinstance(body.get(field), str) and body[field]:
            return body[field]
    errors = body.get("errors")
    messages = [
        shorten(error["message"], 100)
        for error in (errors if isinstance(errors, list) else [])[:3]
        if isinstance(error, dict) and isinstance(error.get("message"), str)
    ]
    return "; ".join(messages)
