"""A loopback stand-in for the X (Twitter) API v2: OAuth 1.0a, media upload and posts.

Also the three-legged OAuth 1.0a flow (``/oauth/request_token``, ``/oauth/authorize``,
``/oauth/access_token``): the callback must be the one registered for the app, the
request token is used once and expires, the verifier must match, every request is signed
with the consumer secret (and the request token's secret). Source:
https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/obtaining-user-access-tokens

And OAuth 2.0 with PKCE (required): ``/i/oauth2/authorize``, ``POST /2/oauth2/token``
(confidential client in HTTP Basic; ``authorization_code`` and ``refresh_token`` grants,
refresh tokens rotate: each is used once); API routes then take the two-hour user token
as a Bearer token. Source: https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code
"""

from __future__ import annotations

import base64
import binascii
import calendar
import math
import re
import secrets
import threading
import time
import unicodedata
from typing import Any

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint
from oauthlib.oauth1.rfc5849.errors import OAuth1Error
from oauthlib.oauth1.rfc5849.signature import verify_hmac_sha1
from twitter_text import parse_tweet
from twitter_text.extract_urls import extract_urls_with_indices

from .base import (
    Body,
    LoopbackServer,
    MultipartError,
    Request,
    Response,
    parse_multipart,
    sniff_image,
    snowflake,
)
from .oauth2 import AuthorizationCodes, OAuthError, form

MAX_WEIGHTED_LENGTH = 280
URL_WEIGHT = 23
MAX_MEDIA_BYTES = 5 * 1024 * 1024
MAX_MEDIA_PER_TWEET = 4
TWEET_FIELDS = {
    "text",
    "media",
    "reply",
    "quote_tweet_id",
    "poll",
    "reply_settings",
    "for_super_followers_only",
    "direct_message_deep_link",
    "geo",
    "nullcast",
    "card_uri",
    "community_id",
    "made_with_ai",
    "paid_partnership",
    "share_with_followers",
}
INVALID_REQUEST = "https://api.twitter.com/2/problems/invalid-request"
REQUEST_TOKEN_SECONDS = 300
OAUTH2_SCOPES = {
    "tweet.read",
    "tweet.write",
    "users.read",
    "media.write",
    "offline.access",
    "like.write",
}
OAUTH2_TOKEN_SECONDS = 7200
# GET /2/users/:id/tweets (https://docs.x.com/x-api/users/get-posts): its query parameters,
# the tweet.fields values this fake knows, and RFC 3339 times as X accepts them.
TIMELINE_PARAMS = {
    "max_results",
    "exclude",
    "tweet.fields",
    "start_time",
    "end_time",
    "since_id",
    "until_id",
    "pagination_token",
    "expansions",
    "media.fields",
    "user.fields",
}
TIMELINE_FIELDS = {"created_at", "entities", "author_id", "text", "id", "edit_history_tweet_ids"}
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,3})?Z$")
CLIENT_FORBIDDEN = "https://api.twitter.com/2/problems/client-forbidden"


def weighted_length(text: str) -> int:
    """The weighted length X uses for the 280 limit: twitter-text 3's reference rules.

    Counted by `twitter-text-parser`, a port of twitter/twitter-text that passes its
    conformance suite: the network's own reference implementation, not Broadside's code (which
    also uses it: the oracle is the reference, and tests/test_fake_servers.py checks it against
    values copied from twitter-text's conformance/validate.yml)."""
    return parse_tweet(text).weightedLength


class _Validator(RequestValidator):
    """Accepts exactly one consumer and one access token; remembers nonces."""

    enforce_ssl = False
    dummy_client = "dummy-client"
    dummy_access_token = "dummy-token"
    allowed_signature_methods = ("HMAC-SHA1",)
    realms: list[str] = []

    def __init__(self, fake: FakeX) -> None:
        super().__init__()
        self.fake = fake
        self.nonces: set[tuple[str, str, str, str | None]] = set()
        self.nonce_lock = threading.Lock()

    def check_client_key(self, client_key: str) -> bool:
        return 0 < len(client_key) <= 200 and client_key.isprintable()

    def check_access_token(self, request_token: str) -> bool:
        return 0 < len(request_token) <= 200 and request_token.isprintable()

    def check_nonce(self, nonce: str) -> bool:
        return 8 <= len(nonce) <= 200 and nonce.isascii() and nonce.isprintable()

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key == self.fake.consumer_key

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return client_key == self.fake.consumer_key and token == self.fake.access_token

    def get_client_secret(self, client_key: str, request: Any) -> str:
        if client_key == self.fake.consumer_key:
            return self.fake.consumer_secret
        return "dummy-secret"

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        if self.validate_access_token(client_key, token, request):
            return self.fake.access_token_secret
        return "dummy-secret"

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Any,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        key = (client_key, timestamp, nonce, request_token or access_token)
        with self.nonce_lock:
            if key in self.nonces:
                return False
            self.nonces.add(key)
            return True


class FakeX(LoopbackServer):
    """X API v2 subset: ``GET /2/users/me``, ``POST /2/media/upload``, ``POST /2/tweets``,
    ``GET /2/users/:id/tweets``."""

    def __init__(
        self,
        consumer_key: str = "ck",
        consumer_secret: str = "cs",
        access_token: str = "at",
        access_token_secret: str = "ats",
        username: str = "broadside_test",
        callback_url: str = "",
        client_id: str = "x-oauth2-client",
        client_secret: str = "x-oauth2-secret",
    ) -> None:
        super().__init__()
        self.oauth2 = AuthorizationCodes(pkce_required=True)
        self.oauth2.register(client_id, client_secret, [callback_url], OAUTH2_SCOPES)
        self.bearer_tokens: dict[str, float] = {}  # token → expiry (epoch)
        self.refresh_tokens: dict[str, set[str]] = {}  # token → the scopes it renews
        # The app's registered callback (X's "Callback URI / Redirect URL" allowlist).
        self.callback_url = callback_url
        self.request_tokens: dict[str, dict[str, Any]] = {}
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.access_token = access_token
        self.access_token_secret = access_token_secret
        self.username = username
        self.user_id = "2244994945"
        self.tweets: list[dict[str, Any]] = []
        self.media: dict[str, dict[str, Any]] = {}
        self.auth_failures = 0
        # Whether the app's access level may read timelines (X's free tier may not: 403).
        self.timeline_access = True
        self.timeline_reads = 0
        self._endpoint = SignatureOnlyEndpoint(_Validator(self))
        self.route("GET", "/2/users/me", self.users_me)
        self.route("POST", "/2/media/upload", self.media_upload)
        self.route("POST", "/2/media/metadata", self.media_metadata)
        self.route("POST", "/2/tweets", self.create_tweet)
        self.route("GET", re.compile(r"/2/users/(?P<id>[^/]+)/tweets"), self.user_tweets)
        self.route("POST", "/oauth/request_token", self.request_token, auth=self._consumer_signed)
        self.route(
            "GET",
            "/oauth/authorize",
            self.authorize,
            public="the authorization page is the web page the user's browser opens",
        )
        self.route("POST", "/oauth/access_token", self.access_token_route, auth=self._token_signed)
        self.route(
            "GET",
            "/i/oauth2/authorize",
            self.oauth2_authorize,
            public="the authorization page is the web page the user's browser opens",
        )
        self.route(
            "POST",
            "/2/oauth2/token",
            self.oauth2_token,
            public="the client authenticates with HTTP Basic, checked here",
        )

    # ------------------------------------------------------------ hooks

    def error_body(self, status: int, message: str) -> Body:
        """X's problem JSON."""
        return {"title": message, "detail": message, "type": "about:blank", "status": status}

    def rate_limit_response(self, reset_after: float) -> Response:
        """X's 429 with x-rate-limit-* headers (reset is a unix epoch)."""
        return (
            429,
            self.error_body(429, "Too Many Requests"),
            {
                "x-rate-limit-limit": "100",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(math.ceil(time.time() + reset_after)),
            },
        )

    # ------------------------------------------------------------ auth

    def authenticate(self, request: Request) -> Response | None:
        """None for a live OAuth 2.0 user token or a valid OAuth 1.0a signature, else 401."""
        bearer = request.bearer()
        if bearer is not None:
            if self.bearer_tokens.get(bearer, 0) > time.time():
                return None
            self.auth_failures += 1
            return (
                401,
                {
                    "title": "Unauthorized",
                    "type": "about:blank",
                    "status": 401,
                    "detail": "Unauthorized",
                },
                {},
            )
        headers = dict(request.headers.items())
        body = None
        if request.content_type == "application/x-www-form-urlencoded":
            body = request.body.decode("utf-8", errors="replace")
        try:
            valid, oauth_request = self._endpoint.validate_request(
                request.url, request.method, body, headers
            )
        except (OAuth1Error, ValueError):
            valid, oauth_request = False, None
        if valid and oauth_request is not None:
            token = oauth_request.resource_owner_key
            valid = bool(token) and self._endpoint.request_validator.validate_access_token(
                oauth_request.client_key, token, oauth_request
            )
        if valid:
            return None
        self.auth_failures += 1
        return (
            401,
            {
                "title": "Unauthorized",
                "type": "about:blank",
                "status": 401,
                "detail": "Unauthorized",
            },
            {},
        )

    @staticmethod
    def _invalid(detail: str) -> Response:
        return (
            400,
            {"title": "Invalid Request", "detail": detail, "type": INVALID_REQUEST, "status": 400},
            {},
        )

    # ------------------------------------------------------------ three-legged OAuth

    def _oauth_request(self, request: Request) -> Any:
        body = None
        if request.content_type == "application/x-www-form-urlencoded":
            body = request.body.decode("utf-8", errors="replace")
        try:
            return self._endpoint._create_request(
                request.url, request.method, body, dict(request.headers.items())
            )
        except (OAuth1Error, ValueError):
            return None

    def _unauthorized(self, detail: str = "Unauthorized") -> Response:
        self.auth_failures += 1
        return 401, {"errors": [{"code": 32, "message": detail}]}, {}

    def _consumer_signed(self, request: Request) -> Response | None:
        """A request signed with the consumer secret alone (request_token)."""
        oauth = self._oauth_request(request)
        validator = self._endpoint.request_validator
        if (
            oauth is None
            or oauth.client_key != self.consumer_key
            or not oauth.nonce
            or not validator.validate_timestamp_and_nonce(
                oauth.client_key, oauth.timestamp, oauth.nonce, oauth
            )
            or not verify_hmac_sha1(oauth, self.consumer_secret, "")
        ):
            return self._unauthorized("Could not authenticate you.")
        request.oauth = oauth  # type: ignore[attr-defined]
        return None

    def _token_signed(self, request: Request) -> Response | None:
        """A request signed with the consumer secret and a live request token's secret."""
        oauth = self._oauth_request(request)
        with self.lock:
            token = self.request_tokens.get(oauth.resource_owner_key if oauth else "")
        validator = self._endpoint.request_validator
        if (
            oauth is None
            or token is None
            or oauth.client_key != self.consumer_key
            or not validator.validate_timestamp_and_nonce(
                oauth.client_key, oauth.timestamp, oauth.nonce, oauth
            )
            or not verify_hmac_sha1(oauth, self.consumer_secret, token["secret"])
        ):
            return self._unauthorized("Invalid request token.")
        request.oauth = oauth  # type: ignore[attr-defined]
        return None

    def request_token(self, request: Request) -> Response:
        """Step 1: a request token for the registered callback."""
        callback = request.oauth.redirect_uri  # type: ignore[attr-defined]
        if not callback or callback != self.callback_url:
            return (
                403,
                {
                    "errors": [
                        {
                            "code": 415,
                            "message": "Callback URL not approved for this client application.",
                        }
                    ]
                },
                {},
            )
        token, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
        with self.lock:
            self.request_tokens[token] = {
                "secret": secret,
                "callback": callback,
                "verifier": None,
                "issued_at": time.time(),
            }
        body = f"oauth_token={token}&oauth_token_secret={secret}&oauth_callback_confirmed=true"
        return 200, body.encode(), {"Content-Type": "text/html; charset=utf-8"}

    def authorize(self, request: Request) -> Response:
        """Step 2, the user's browser: ``decision=deny`` stands for the user's Cancel click."""
        token = request.query.get("oauth_token", "")
        with self.lock:
            entry = self.request_tokens.get(token)
            if entry is None:
                return 400, b"This page is no longer valid.", {"Content-Type": "text/html"}
            if request.query.get("decision") == "deny":
                self.request_tokens.pop(token)
                return 302, None, {"Location": f"{entry['callback']}?denied={token}"}
            entry["verifier"] = secrets.token_urlsafe(16)
        location = f"{entry['callback']}?oauth_token={token}&oauth_verifier={entry['verifier']}"
        return 302, None, {"Location": location}

    def expire_request_tokens(self) -> None:
        """Age every request token past X's limit."""
        with self.lock:
            for entry in self.request_tokens.values():
                entry["issued_at"] -= REQUEST_TOKEN_SECONDS + 1

    def access_token_route(self, request: Request) -> Response:
        """Step 3: the request token (once, unexpired) and its verifier for the access token."""
        oauth = request.oauth  # type: ignore[attr-defined]
        with self.lock:
            entry = self.request_tokens.pop(oauth.resource_owner_key)
        if (
            entry["verifier"] is None
            or oauth.verifier != entry["verifier"]
            or time.time() - entry["issued_at"] > REQUEST_TOKEN_SECONDS
        ):
            return self._unauthorized("Invalid or expired token.")
        body = (
            f"oauth_token={self.access_token}&oauth_token_secret={self.access_token_secret}"
            f"&user_id={self.user_id}&screen_name={self.username}"
        )
        return 200, body.encode(), {"Content-Type": "text/html; charset=utf-8"}

    # ------------------------------------------------------------ OAuth 2.0

    def oauth2_authorize(self, request: Request) -> Response:
        status, answer = self.oauth2.authorize(request.query)
        if status == 302:
            return 302, None, {"Location": answer}
        return status, answer.encode(), {"Content-Type": "text/html"}

    def expire_bearer_tokens(self) -> None:
        with self.lock:
            for token in self.bearer_tokens:
                self.bearer_tokens[token] = 0.0

    def _issue_oauth2(self, scopes: set[str]) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.lock:
            self.bearer_tokens[access] = time.time() + OAUTH2_TOKEN_SECONDS
            if "offline.access" in scopes:
                self.refresh_tokens[refresh] = set(scopes)
        body = {
            "token_type": "bearer",
            "expires_in": OAUTH2_TOKEN_SECONDS,
            "access_token": access,
            "scope": " ".join(sorted(scopes)),
        }
        if "offline.access" in scopes:
            body["refresh_token"] = refresh
        return body

    def oauth2_token(self, request: Request) -> Response:
        params = form(request)
        scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id = secret = ""
        app = self.oauth2.apps.get(client_id)
        if scheme.lower() != "basic" or app is None or secret != app.client_secret:
            return (
                401,
                {
                    "error": "unauthorized_client",
                    "error_description": "Missing valid authorization header",
                },
                {},
            )
        if params.get("grant_type") == "refresh_token":
            with self.lock:
                scopes = self.refresh_tokens.pop(params.get("refresh_token", ""), None)
            if scopes is None:  # unknown or used already: X rotates refresh tokens
                return (
                    400,
                    {
                        "error": "invalid_request",
                        "error_description": "Value passed for the token was invalid.",
                    },
                    {},
                )
            self.refreshed = getattr(self, "refreshed", 0) + 1
            return 200, self._issue_oauth2(scopes), {}
        try:
            grant = self.oauth2.exchange(
                {**params, "client_id": client_id, "client_secret": secret}
            )
        except OAuthError as error:
            return 400, {"error": error.error, "error_description": error.description}, {}
        return 200, self._issue_oauth2(grant.scopes), {}

    # ------------------------------------------------------------ endpoints

    def users_me(self, request: Request) -> Response:
        """The authenticated user."""
        user = {"id": self.user_id, "name": "Broadside Test", "username": self.username}
        return 200, {"data": user}, {}

    def media_upload(self, request: Request) -> Response:
        """Simple (one-shot) image upload as multipart/form-data."""
        if request.content_type != "multipart/form-data":
            return self._invalid("Content-Type must be multipart/form-data")
        try:
            fields = parse_multipart(request.headers["Content-Type"], request.body)
        except MultipartError as error:
            return self._invalid(str(error))
        media = fields.get("media", [])
        if len(media) != 1:
            return self._invalid("Exactly one 'media' file field is required")
        category = fields.get("media_category", [])
        if len(category) != 1 or category[0].data != b"tweet_image":
            return self._invalid("'media_category' must be 'tweet_image'")
        data = media[0].data
        if len(data) > MAX_MEDIA_BYTES:
            return self._invalid(f"Media is {len(data)} bytes; the limit is {MAX_MEDIA_BYTES}")
        image = sniff_image(data)
        if image is None:
            return self._invalid("Media is not a PNG, JPEG, GIF or WEBP image")
        mime, width, height = image
        media_id = snowflake()
        self.media[media_id] = {
            "id": media_id,
            "bytes": data,
            "owner": self.access_token,
            "mime": mime,
            "width": width,
            "height": height,
            "alt_text": None,
        }
        return (
            200,
            {
                "data": {
                    "id": media_id,
                    "media_key": f"3_{media_id}",
                    "size": len(data),
                    "expires_after_secs": 86400,
                    "image": {"image_type": mime, "w": width, "h": height},
                }
            },
            {},
        )

    def media_metadata(self, request: Request) -> Response:
        """POST /2/media/metadata: alt text (at most 1,000 characters) for uploaded media."""
        if not request.content_type.startswith("application/json"):
            return self._invalid("Content-Type must be application/json")
        body = request.json if isinstance(request.json, dict) else {}
        media_id = body.get("id")
        alt = (body.get("metadata") or {}).get("alt_text") or {}
        text = alt.get("text") if isinstance(alt, dict) else None
        media = self.media.get(media_id) if isinstance(media_id, str) else None
        if media is None or media["owner"] != self.access_token:
            return self._invalid("Unknown media id")
        if not isinstance(text, str) or not text.strip() or len(text) > 1000:
            return self._invalid("metadata.alt_text.text must be 1 to 1000 characters")
        media["alt_text"] = text
        return (
            200,
            {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": text}}}},
            {},
        )

    def create_tweet(self, request: Request) -> Response:
        """Create a post after X's checks: shape, media ownership, length, duplicates."""
        if request.content_type != "application/json":
            return self._invalid("Content-Type must be application/json")
        payload = request.json
        if not isinstance(payload, dict):
            return self._invalid("The request body must be a JSON object")
        unknown = sorted(set(payload) - TWEET_FIELDS)
        if unknown:
            return self._invalid(f"The `{unknown[0]}` field is not allowed")
        text = payload.get("text", "")
        if not isinstance(text, str):
            return self._invalid("$.text: expected a string")
        media_ids: list[str] = []
        if "media" in payload:
            media = payload["media"]
            if not isinstance(media, dict) or set(media) - {"media_ids", "tagged_user_ids"}:
                return self._invalid("$.media must be an object with media_ids")
            raw_ids = media.get("media_ids")
            if not isinstance(raw_ids, list) or not raw_ids:
                return self._invalid("$.media.media_ids must be a non-empty array")
            if len(raw_ids) > MAX_MEDIA_PER_TWEET:
                return self._invalid("$.media.media_ids: at most 4 items are allowed")
            for media_id in raw_ids:
                if not isinstance(media_id, str) or not media_id.isdigit():
                    return self._invalid("$.media.media_ids: items must be numeric strings")
                known = self.media.get(media_id)
                if known is None or known["owner"] != self.access_token:
                    return self._invalid(f"Your media IDs are invalid: {media_id}")
                media_ids.append(media_id)
        if not text.strip() and not media_ids:
            return self._invalid("A post needs text or media")
        length = weighted_length(text)
        if length > MAX_WEIGHTED_LENGTH:
            return self._invalid(
                f"Your Tweet text is too long: weighted length {length} > {MAX_WEIGHTED_LENGTH}"
            )
        normalized = unicodedata.normalize("NFC", text).strip()
        if normalized and any(
            unicodedata.normalize("NFC", tweet["text"]).strip() == normalized
            for tweet in self.tweets
        ):
            return (
                403,
                {
                    "detail": "You are not allowed to create a Tweet with duplicate content.",
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                },
                {},
            )
        tweet_id = snowflake()
        self.tweets.append(
            {
                "id": tweet_id,
                "text": text,
                "media_ids": list(media_ids),
                "media": [self.media[media_id]["bytes"] for media_id in media_ids],
                "alt_texts": [self.media[media_id]["alt_text"] for media_id in media_ids],
                "created_at": time.time(),
            }
        )
        return (
            201,
            {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}},
            {},
        )

    def user_tweets(self, request: Request) -> Response:
        """GET /2/users/:id/tweets: the user's posts newest first, as X answers them.

        Strict on the query (unknown parameters, ``max_results`` outside 5..100, a bad
        ``exclude`` or ``tweet.fields`` value, a time not in RFC 3339 are a 400); only the
        fields asked for are returned; links in the text are t.co links, the original
        being in ``entities.urls[].expanded_url`` (found with twitter-text, X's reference
        extractor). Without timeline access X answers 403 "client-not-enrolled".
        """
        query = request.query
        unknown = sorted(set(query) - TIMELINE_PARAMS)
        if unknown:
            return self._invalid(
                f"The query parameter [{unknown[0]}] is not one of {sorted(TIMELINE_PARAMS)}"
            )
        if not self.timeline_access:
            return (
                403,
                {
                    "title": "Client Forbidden",
                    "detail": "This endpoint is not available at your app's access level.",
                    "reason": "client-not-enrolled",
                    "required_enrollment": "Appropriate Level of API Access",
                    "type": CLIENT_FORBIDDEN,
                },
                {},
            )
        try:
            limit = int(query.get("max_results", "10"))
        except ValueError:
            return self._invalid("The `max_results` query parameter value is not a number")
        if not 5 <= limit <= 100:
            return self._invalid(
                f"The `max_results` query parameter value [{limit}] is not between 5 and 100"
            )
        excluded = set(filter(None, query.get("exclude", "").split(",")))
        if excluded - {"retweets", "replies"}:
            return self._invalid("The `exclude` query parameter value is not valid")
        fields = set(filter(None, query.get("tweet.fields", "").split(",")))
        if fields - TIMELINE_FIELDS:
            return self._invalid("The `tweet.fields` query parameter value is not valid")
        start = query.get("start_time")
        if start is not None and not RFC3339.match(start):
            return self._invalid(f"Invalid 'start_time':'{start}'. 'start_time' must be RFC 3339")
        if request.params["id"] != self.user_id:
            return (
                200,
                {
                    "errors": [
                        {
                            "title": "Not Found Error",
                            "resource_type": "user",
                            "parameter": "id",
                            "value": request.params["id"],
                            "detail": f"Could not find user with id: [{request.params['id']}].",
                            "type": "https://api.twitter.com/2/problems/resource-not-found",
                        }
                    ]
                },
                {},
            )
        self.timeline_reads += 1
        earliest = _epoch(start) if start else 0.0
        found = [t for t in reversed(self.tweets) if t["created_at"] >= earliest][:limit]
        if not found:
            return 200, {"meta": {"result_count": 0}}, {}
        data = [self._timeline_post(tweet, fields) for tweet in found]
        meta = {"result_count": len(data), "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]}
        return 200, {"data": data, "meta": meta}, {}

    @staticmethod
    def _timeline_post(tweet: dict[str, Any], fields: set[str]) -> dict[str, Any]:
        """A stored post as the timeline shows it: t.co links, the requested fields only."""
        text, urls = tweet["text"], []
        for found in reversed(extract_urls_with_indices(tweet["text"])):
            begin, end = found["indices"]
            short = f"https://t.co/{secrets.token_urlsafe(7)[:10]}"
            text = text[:begin] + short + text[end:]
            urls.append({"url": short, "expanded_url": found["url"], "display_url": found["url"]})
        post: dict[str, Any] = {
            "id": tweet["id"],
            "text": text,
            "edit_history_tweet_ids": [tweet["id"]],
        }
        if "created_at" in fields:
            moment = time.gmtime(tweet["created_at"])
            post["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", moment)
        if "entities" in fields and urls:
            post["entities"] = {"urls": list(reversed(urls))}
        return post


def _epoch(value: str) -> float:
    """Seconds since the epoch of an RFC 3339 UTC time (as matched by RFC3339)."""
    return calendar.timegm(time.strptime(value[:19], "%Y-%m-%dT%H:%M:%S"))
