"""A loopback stand-in for a Mastodon server: instance info, media and statuses.

Also app registration (``POST /api/v1/apps``) and OAuth 2 with PKCE
(``/oauth/authorize``, ``/oauth/token``) as https://docs.joinmastodon.org/methods/oauth/
describes them, strict through tests/servers/oauth2.py.
"""

from __future__ import annotations

import html
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import regex

from .base import (
    Body,
    LoopbackServer,
    MultipartError,
    Request,
    Response,
    find_urls,
    parse_multipart,
    sniff_image,
    snowflake,
)
from .oauth2 import AuthorizationCodes, OAuthError, form

SUPPORTED_MIME_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"]
IMAGE_SIZE_LIMIT = 16 * 1024 * 1024
DESCRIPTION_LIMIT = 1500
MAX_MEDIA_ATTACHMENTS = 4
IDEMPOTENCY_TTL = 3600.0
VISIBILITIES = {"public", "unlisted", "private", "direct"}
# Mastodon's Account::MENTION_RE: a remote mention counts as its local part only.
MENTION = re.compile(r"(?<![=/\w])@([a-z0-9_]+(?:[.-]+[a-z0-9_]+)*)(?:@[\w.-]+\w+)?", re.IGNORECASE)
# Scopes Mastodon knows (a subset: the top-level ones and the granular ones we may ask).
SCOPES = {
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "read:accounts",
    "read:statuses",
    "write:statuses",
    "write:media",
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def status_length(text: str, spoiler_text: str = "", url_length: int = 23) -> int:
    """Mastodon's countable length: grapheme clusters, URLs fixed, remote mentions local."""
    pieces = []
    position = 0
    for start, end in find_urls(text):
        pieces.append(text[position:start])
        pieces.append("x" * url_length)
        position = end
    pieces.append(text[position:])
    countable = "".join(MENTION.sub(lambda m: "@" + m.group(1), piece) for piece in pieces)
    return len(regex.findall(r"\X", spoiler_text + countable))


def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakeMastodon(LoopbackServer):
    """Mastodon API subset with bearer auth, async media processing and idempotency keys."""

    def __init__(
        self,
        access_token: str = "mastodon-token",
        max_characters: int = 500,
        characters_reserved_per_url: int = 23,
        username: str = "broadside",
    ) -> None:
        super().__init__()
        self.access_token = access_token
        self.max_characters = max_characters
        self.characters_reserved_per_url = characters_reserved_per_url
        self.username = username
        self.media_processing_polls: int = 0
        self.media: dict[str, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self.registered_apps = 0
        self._idempotency: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self.route(
            "GET",
            "/api/v2/instance",
            self.instance,
            public="instance information is public on every Mastodon server",
        )
        self.route("GET", "/api/v1/accounts/verify_credentials", self.verify_credentials)
        self.route("POST", "/api/v2/media", self.upload_media)
        self.route("GET", re.compile(r"/api/v1/media/(?P<id>[^/]+)"), self.get_media)
        self.route("POST", "/api/v1/statuses", self.create_status)
        self.route("GET", re.compile(r"/api/v1/statuses/(?P<id>[^/]+)"), self.get_status)
        self.route(
            "GET", re.compile(r"/api/v1/accounts/(?P<id>[^/]+)/statuses"), self.account_statuses
        )
        self.oauth = AuthorizationCodes()
        self.route("POST", "/api/v1/apps", self.create_app, public="anyone may register an app")
        self.route(
            "GET",
            "/oauth/authorize",
            self.authorize,
            public="the authorization page is the web page the user's browser opens",
        )
        self.route(
            "POST",
            "/oauth/token",
            self.token,
            public="the client authenticates with its secret in the body, checked here",
        )

    # ------------------------------------------------------------ hooks

    def error_body(self, status: int, message: str) -> Body:
        """Mastodon's ``{"error": ...}``."""
        return {"error": message}

    def rate_limit_response(self, reset_after: float) -> Response:
        """Mastodon's 429 with X-RateLimit-* headers (reset is an ISO 8601 timestamp)."""
        reset = datetime.now(UTC) + timedelta(seconds=reset_after)
        return (
            429,
            {"error": "Too many requests"},
            {
                "X-RateLimit-Limit": "300",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace(
                    "+00:00", "Z"
                ),
            },
        )

    # ------------------------------------------------------------ helpers

    def authenticate(self, request: Request) -> Response | None:
        """None for the account's bearer token, else Mastodon's 401 (every route but instance)."""
        if request.bearer() != self.access_token:
            return 401, {"error": "The access token is invalid"}, {}
        return None

    @staticmethod
    def _unprocessable(message: str) -> Response:
        return 422, {"error": f"Validation failed: {message}"}, {}

    def _media_json(self, media: dict[str, Any]) -> dict[str, Any]:
        extension = EXTENSIONS[media["mime"]]
        processed = media["polls_left"] == 0
        return {
            "id": media["id"],
            "type": "image",
            "url": f"{self.url}/media/{media['id']}.{extension}" if processed else None,
            "preview_url": f"{self.url}/media/{media['id']}_small.{extension}",
            "remote_url": None,
            "description": media["description"],
            "meta": {"original": {"width": media["width"], "height": media["height"]}},
        }

    # ------------------------------------------------------------ endpoints

    def instance(self, request: Request) -> Response:
        """Public instance information with the limits clients should honour."""
        return (
            200,
            {
                "domain": "127.0.0.1",
                "title": "Fake Mastodon",
                "version": "4.3.0",
                "configuration": {
                    "statuses": {
                        "max_characters": self.max_characters,
                        "max_media_attachments": MAX_MEDIA_ATTACHMENTS,
                        "characters_reserved_per_url": self.characters_reserved_per_url,
                    },
                    "media_attachments": {
                        "supported_mime_types": SUPPORTED_MIME_TYPES,
                        "image_size_limit": IMAGE_SIZE_LIMIT,
                        "description_limit": DESCRIPTION_LIMIT,
                    },
                },
            },
            {},
        )

    # ------------------------------------------------------------ OAuth

    def create_app(self, request: Request) -> Response:
        """POST /api/v1/apps: a client id and secret for the given redirect URIs and scopes."""
        params = form(request) or (request.json if isinstance(request.json, dict) else {})
        name = params.get("client_name", "")
        uris = params.get("redirect_uris", "")
        uris = uris if isinstance(uris, list) else str(uris).split()
        if not name or not uris:
            return (
                422,
                {"error": "Validation failed: Name can't be blank, Redirect URI can't be blank"},
                {},
            )
        scopes = self.oauth.split(params.get("scopes", "read"))
        if not scopes <= SCOPES:
            return 422, {"error": "Validation failed: Scopes are invalid"}, {}
        client_id, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self.oauth.register(client_id, secret, uris, scopes)
        self.registered_apps += 1
        return (
            200,
            {
                "id": str(len(self.oauth.apps)),
                "name": name,
                "redirect_uris": uris,
                "scopes": sorted(scopes),
                "client_id": client_id,
                "client_secret": secret,
            },
            {},
        )

    def authorize(self, request: Request) -> Response:
        status, answer = self.oauth.authorize(request.query)
        if status == 302:
            return 302, None, {"Location": answer}
        return status, answer.encode(), {"Content-Type": "text/html"}

    def token(self, request: Request) -> Response:
        """POST /oauth/token, authorization_code grant: the account's access token."""
        try:
            grant = self.oauth.exchange(form(request))
        except OAuthError as error:
            return error.status, {"error": error.error, "error_description": error.description}, {}
        return (
            200,
            {
                "access_token": self.access_token,
                "token_type": "Bearer",
                "scope": " ".join(sorted(grant.scopes)),
                "created_at": int(time.time()),
            },
            {},
        )

    def verify_credentials(self, request: Request) -> Response:
        """The account the token belongs to."""
        user = self.username
        return 200, {"id": "1", "username": user, "acct": user, "url": f"{self.url}/@{user}"}, {}

    def upload_media(self, request: Request) -> Response:
        """Upload an image with its (required) alt text; may need processing polls."""
        try:
            fields = parse_multipart(request.headers.get("Content-Type", ""), request.body)
        except MultipartError as error:
            return self._unprocessable(str(error))
        files = fields.get("file", [])
        if len(files) != 1 or files[0].filename is None:
            return self._unprocessable("File can't be blank")
        data = files[0].data
        if len(data) > IMAGE_SIZE_LIMIT:
            return self._unprocessable("File file size must be less than 16 MB")
        image = sniff_image(data)
        if image is None or image[0] not in SUPPORTED_MIME_TYPES:
            return self._unprocessable("File content type is invalid, File is invalid")
        try:
            description = "".join(part.text for part in fields.get("description", []))
        except UnicodeDecodeError:
            return self._unprocessable("Description is not valid UTF-8")
        if not description.strip():
            return self._unprocessable("Description can't be blank")
        if len(description) > DESCRIPTION_LIMIT:
            return self._unprocessable(
                f"Description is too long (maximum is {DESCRIPTION_LIMIT} characters)"
            )
        mime, width, height = image
        media = {
            "id": snowflake(16),
            "owner": self.access_token,
            "bytes": data,
            "mime": mime,
            "width": width,
            "height": height,
            "description": description,
            "polls_left": max(0, self.media_processing_polls),
            "status_id": None,
        }
        self.media[media["id"]] = media
        return (202 if media["polls_left"] else 200), self._media_json(media), {}

    def get_media(self, request: Request) -> Response:
        """Poll an upload: 206 while processing, then 200 with its url."""
        media = self.media.get(request.params["id"])
        if media is None or media["owner"] != request.bearer():
            return 404, {"error": "Record not found"}, {}
        if media["polls_left"] > 0:
            status_json = self._media_json(media)
            media["polls_left"] -= 1
            return 206, status_json, {}
        return 200, self._media_json(media), {}

    def account_statuses(self, request: Request) -> Response:
        """An account's statuses, newest first; ``limit`` defaults to 20, at most 40."""
        if request.params["id"] != "1":
            return 404, {"error": "Record not found"}, {}
        try:
            limit = int(request.query.get("limit", "20"))
        except ValueError:
            return 400, {"error": "limit must be a number"}, {}
        limit = min(max(limit, 1), 40)
        return 200, [status["json"] for status in reversed(self.statuses)][:limit], {}

    def get_status(self, request: Request) -> Response:
        """A status created here."""
        for status in self.statuses:
            if status["id"] == request.params["id"]:
                return 200, status["json"], {}
        return 404, {"error": "Record not found"}, {}

    def create_status(self, request: Request) -> Response:
        """Post a status after Mastodon's checks; honours ``Idempotency-Key``."""
        token = self.access_token
        key = request.headers.get("Idempotency-Key")
        now = time.time()
        if key:
            earlier = self._idempotency.get((token, key))
            if earlier is not None and now - earlier[0] < IDEMPOTENCY_TTL:
                return 200, earlier[1], {}
        params = self._status_params(request)
        if not isinstance(params, dict):
            return params
        text, spoiler = params["text"], params["spoiler_text"]
        media_ids, language, visibility = (
            params["media_ids"],
            params["language"],
            params["visibility"],
        )
        if not text.strip() and not media_ids:
            return self._unprocessable("Text can't be blank")
        if language is not None and not re.fullmatch(r"[a-z]{2}", language):
            return self._unprocessable("Language is not a valid language")
        if visibility not in VISIBILITIES:
            return self._unprocessable("Visibility is not included in the list")
        if len(media_ids) > MAX_MEDIA_ATTACHMENTS:
            return self._unprocessable(f"Cannot attach more than {MAX_MEDIA_ATTACHMENTS} files")
        attachments = []
        for media_id in media_ids:
            media = self.media.get(media_id)
            if media is None or media["owner"] != token:
                return 404, {"error": "Record not found"}, {}
            if media["status_id"] is not None:
                return self._unprocessable(f"Media {media_id} is already attached to a post")
            if media["polls_left"] > 0:
                return (
                    422,
                    {
                        "error": "Cannot attach files that have not finished processing. "
                        "Try again in a moment!"
                    },
                    {},
                )
            attachments.append(media)
        length = status_length(text, spoiler, self.characters_reserved_per_url)
        if length > self.max_characters:
            return self._unprocessable(f"Text character limit of {self.max_characters} exceeded")
        status_id = snowflake(16)
        for media in attachments:
            media["status_id"] = status_id
        user = self.username
        content = "<p>" + html.escape(text).replace("\n", "<br />") + "</p>"
        status_json = {
            "id": status_id,
            "uri": f"{self.url}/users/{user}/statuses/{status_id}",
            "url": f"{self.url}/@{user}/{status_id}",
            "content": content,
            "spoiler_text": spoiler,
            "language": language,
            "visibility": visibility,
            "media_attachments": [self._media_json(media) for media in attachments],
            "created_at": _iso(now),
            "account": {"id": "1", "username": user, "acct": user},
        }
        self.statuses.append(
            {
                "id": status_id,
                "text": text,
                "spoiler_text": spoiler,
                "language": language,
                "visibility": visibility,
                "media_ids": list(media_ids),
                "idempotency_key": key,
                "json": status_json,
            }
        )
        if key:
            self._idempotency[(token, key)] = (now, status_json)
        return 200, status_json, {}

    def _status_params(self, request: Request) -> dict[str, Any] | Response:
        """status, spoiler_text, media_ids, language and visibility from JSON or a form."""
        if request.content_type == "application/json":
            payload = request.json
            if not isinstance(payload, dict):
                return 400, {"error": "Request body must be a JSON object"}, {}
            raw_ids = payload.get("media_ids") or []
            values: dict[str, Any] = payload
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            try:
                if request.content_type == "multipart/form-data":
                    parts = parse_multipart(request.headers["Content-Type"], request.body)
                    form = {name: [part.text for part in items] for name, items in parts.items()}
                else:
                    form = parse_qs(request.body.decode("utf-8"), keep_blank_values=True)
            except (UnicodeDecodeError, MultipartError):
                return 400, {"error": "Request body is not a valid form"}, {}
            raw_ids = form.get("media_ids[]", [])
            values = {name: items[-1] for name, items in form.items()}
        else:
            return self._unprocessable("Text can't be blank")
        text = values.get("status") or ""
        spoiler = values.get("spoiler_text") or ""
        language = values.get("language")
        visibility = values.get("visibility") or "public"
        if not isinstance(raw_ids, list) or not all(
            isinstance(item, str | int) and not isinstance(item, bool) for item in raw_ids
        ):
            return self._unprocessable("media_ids must be a list of ids")
        for name, value in (("status", text), ("spoiler_text", spoiler)):
            if not isinstance(value, str):
                return self._unprocessable(f"{name} must be a string")
        if language is not None and not isinstance(language, str):
            return self._unprocessable("Language is not a valid language")
        if not isinstance(visibility, str):
            return self._unprocessable("Visibility is not included in the list")
        return {
            "text": text,
            "spoiler_text": spoiler,
            "media_ids": [str(item) for item in raw_ids],
            "language": language,
            "visibility": visibility,
        }
