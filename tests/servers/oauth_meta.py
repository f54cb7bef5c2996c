"""Loopback stand-ins for Meta's sign-in: Facebook Login, Instagram Login, Threads.

One server per network (their paths overlap), with the authorization dialog,
the code exchange, the long-lived token exchange and refresh, and the Graph
reads a connect flow makes:

- Facebook: ``GET /{v}/dialog/oauth``, ``GET /{v}/oauth/access_token`` (code, then
  ``grant_type=fb_exchange_token``), ``/{v}/me``, ``/{v}/me/permissions``,
  ``/{v}/{user-id}/accounts`` (Pages with their tasks and Page tokens, and the linked
  Instagram professional account when ``fields`` asks for ``instagram_business_account``).
- Instagram: ``GET /oauth/authorize``, ``POST /oauth/access_token`` (answers
  ``{"data": [{access_token, user_id, permissions}]}``), ``GET /access_token``
  (``ig_exchange_token``), ``GET /refresh_access_token`` (``ig_refresh_token``),
  ``/{v}/me``.
- Threads: the same with ``th_exchange_token`` / ``th_refresh_token`` and ``/v1.0/me``.

Strict as Meta is: the code grant through tests/servers/oauth2.py (registered
redirect URI, single-use expiring codes, client secret); only the pinned Graph API
versions are served; tokens expire; a long-lived token is refreshed only once it is
24 hours old and still valid; reads need the scope that covers them.
Never imports Broadside's code.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from .base import LoopbackServer, Request, Response
from .oauth2 import AuthorizationCodes, LiveTokens, OAuthError, form

SHORT_LIVED = 3600
LONG_LIVED = 60 * 24 * 3600
REFRESH_MIN_AGE = 24 * 3600
VERSIONS = {"facebook": {"v25.0"}, "instagram": {"v25.0"}, "threads": {"v1.0"}}
SCOPES = {
    "facebook": {
        "pages_show_list",
        "pages_manage_posts",
        "pages_read_engagement",
        "email",
        "instagram_basic",
        "instagram_content_publish",
    },
    "instagram": {"instagram_business_basic", "instagram_business_content_publish"},
    "threads": {"threads_basic", "threads_content_publish"},
}
# Which scope a read needs.
READ_SCOPE = {
    "facebook": "pages_show_list",
    "instagram": "instagram_business_basic",
    "threads": "threads_basic",
}


@dataclass
class Token:
    kind: str  # "short", "long", "page"
    scopes: set[str]
    issued_at: float = field(default_factory=time.time)
    lifetime: float | None = SHORT_LIVED

    def expired(self) -> bool:
        return self.lifetime is not None and time.time() > self.issued_at + self.lifetime


@dataclass
class Page:
    id: str
    name: str
    tasks: list[str]
    gives_token: bool = True  # False: a business-portfolio Page Facebook gives no token for
    # The Instagram professional account linked to the Page: (id, username), or None.
    instagram: tuple[str, str] | None = None


class FakeMetaOAuth(LoopbackServer):
    """Meta's sign-in for one network ("facebook", "instagram" or "threads")."""

    def __init__(
        self,
        network: str,
        *,
        client_id: str = "meta-app-id",
        client_secret: str = "meta-app-secret",
        redirect_uri: str = "",
        user_id: str = "17841400000000001",
        username: str = "broadside_org",
        pages: list[Page] | None = None,
    ) -> None:
        super().__init__()
        self.network = network
        self.user_id = user_id
        self.username = username
        self.pages = pages or []
        self.tokens: dict[str, Token] = {}
        self.oauth = AuthorizationCodes()
        self.oauth.register(client_id, client_secret, [redirect_uri], SCOPES[network])
        self.client_secret = client_secret
        version = r"(?P<version>v\d+\.\d+)"
        public = "the authorization dialog is the web page the user's browser opens"
        if network == "facebook":
            self.route(
                "GET", re.compile(rf"/{version}/dialog/oauth"), self.authorize, public=public
            )
            self.route(
                "GET",
                re.compile(rf"/{version}/oauth/access_token"),
                self.facebook_token,
                public="the app authenticates with its secret in the query, checked here",
            )
            self.route("GET", re.compile(rf"/{version}/me/permissions"), self.permissions)
            self.route("GET", re.compile(rf"/{version}/me"), self.me)
            self.route("GET", re.compile(rf"/{version}/(?P<user>\d+)/accounts"), self.accounts)
        else:
            self.route("GET", "/oauth/authorize", self.authorize, public=public)
            self.route(
                "POST",
                "/oauth/access_token",
                self.code_token,
                public="the app authenticates with its secret in the body, checked here",
            )
            self.route("GET", "/access_token", self.exchange)
            self.route("GET", "/refresh_access_token", self.refresh)
            self.route("GET", re.compile(rf"/{version}/me"), self.me)

    # ------------------------------------------------------------ hooks

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"error": {"message": message, "type": "OAuthException", "code": 1}}

    @staticmethod
    def _error(status: int, message: str, code: int, kind: str = "OAuthException") -> Response:
        return status, {"error": {"message": message, "type": kind, "code": code}}, {}

    def authenticate(self, request: Request) -> Response | None:
        """A live token in ``access_token`` and, on versioned paths, a served version."""
        version = request.params.get("version")
        if version is not None and version not in VERSIONS[self.network]:
            return self._error(
                400,
                f"Unsupported or deprecated API version {version}.",
                2635,
                "GraphMethodException",
            )
        token = self.tokens.get(request.query.get("access_token", ""))
        if token is None or token.expired():
            return self._error(400, "Error validating access token: the session is invalid.", 190)
        request.token = token  # type: ignore[attr-defined]
        return None

    # ------------------------------------------------------------ tokens

    def issue(self, kind: str, scopes: set[str], lifetime: float | None) -> str:
        value = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[value] = Token(kind, set(scopes), lifetime=lifetime)
        return value

    def live_tokens(self, *kinds: str) -> LiveTokens:
        """The unexpired tokens of these kinds ("short", "long", "page"), for the posting
        stand-in of the same network (Facebook posts with Page tokens only)."""
        return LiveTokens(
            self.tokens, self.lock, lambda token: token.kind in kinds and not token.expired()
        )

    def age_tokens(self, seconds: float) -> None:
        """Make every token `seconds` older."""
        with self.lock:
            for token in self.tokens.values():
                token.issued_at -= seconds

    def authorize(self, request: Request) -> Response:
        version = request.params.get("version")
        if version is not None and version not in VERSIONS[self.network]:
            return 400, b"Unsupported API version", {"Content-Type": "text/html"}
        status, answer = self.oauth.authorize(request.query)
        if status == 302:
            if self.network == "instagram" and "code=" in answer:
                answer += "#_"  # Instagram appends it; clients must strip it
            return 302, None, {"Location": answer}
        return status, answer.encode(), {"Content-Type": "text/html"}

    def _grant(self, params: dict[str, str]) -> Any:
        try:
            return self.oauth.exchange(params)
        except OAuthError as error:
            return self._error(400, error.description, 100 if error.status == 400 else 101)

    def facebook_token(self, request: Request) -> Response:
        """The code exchange, or ``grant_type=fb_exchange_token`` for a long-lived token."""
        version = request.params["version"]
        if version not in VERSIONS[self.network]:
            return self._error(400, f"Unsupported API version {version}.", 2635)
        params = request.query
        if params.get("grant_type") == "fb_exchange_token":
            if params.get("client_secret") != self.client_secret:
                return self._error(400, "Error validating client secret.", 1)
            short = self.tokens.get(params.get("fb_exchange_token", ""))
            if short is None or short.expired() or short.kind == "page":
                return self._error(400, "Error validating access token.", 190)
            token = self.issue("long", short.scopes, LONG_LIVED)
            return (
                200,
                {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED},
                {},
            )
        grant = self._grant(dict(params))
        if isinstance(grant, tuple):
            return grant
        token = self.issue("short", grant.scopes, SHORT_LIVED)
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": SHORT_LIVED}, {}

    def code_token(self, request: Request) -> Response:
        """Instagram's and Threads' code exchange (form POST)."""
        params = form(request)
        grant = self._grant(params)
        if isinstance(grant, tuple):
            return grant
        token = self.issue("short", grant.scopes, SHORT_LIVED)
        if self.network == "instagram":
            entry = {
                "access_token": token,
                "user_id": self.user_id,
                "permissions": ",".join(sorted(grant.scopes)),
            }
            return 200, {"data": [entry]}, {}
        return 200, {"access_token": token, "user_id": self.user_id}, {}

    def exchange(self, request: Request) -> Response:
        expected = {"instagram": "ig_exchange_token", "threads": "th_exchange_token"}
        if request.query.get("grant_type") != expected[self.network]:
            return self._error(400, "Unsupported grant_type.", 100)
        if request.query.get("client_secret") != self.client_secret:
            return self._error(400, "Error validating client secret.", 1)
        if request.token.kind != "short":  # type: ignore[attr-defined]
            return self._error(400, "Only short-lived tokens can be exchanged.", 100)
        token = self.issue("long", request.token.scopes, LONG_LIVED)  # type: ignore[attr-defined]
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED}, {}

    def refresh(self, request: Request) -> Response:
        expected = {"instagram": "ig_refresh_token", "threads": "th_refresh_token"}
        old: Token = request.token  # type: ignore[attr-defined]
        if request.query.get("grant_type") != expected[self.network]:
            return self._error(400, "Unsupported grant_type.", 100)
        if old.kind != "long" or time.time() - old.issued_at < REFRESH_MIN_AGE:
            return self._error(400, "The token must be long-lived and at least 24 hours old.", 190)
        token = self.issue("long", old.scopes, LONG_LIVED)
        self.refreshed = getattr(self, "refreshed", 0) + 1
        return 200, {"access_token": token, "token_type": "bearer", "expires_in": LONG_LIVED}, {}

    # ------------------------------------------------------------ reads

    def _needs_scope(self, request: Request) -> Response | None:
        if READ_SCOPE[self.network] not in request.token.scopes:  # type: ignore[attr-defined]
            return self._error(
                403, f"(#200) Requires the {READ_SCOPE[self.network]} permission", 200
            )
        return None

    def me(self, request: Request) -> Response:
        if (denied := self._needs_scope(request)) is not None and self.network != "facebook":
            return denied
        if self.network == "facebook":
            return 200, {"id": self.user_id, "name": "Ada Editor"}, {}
        if self.network == "instagram":
            return 200, {"user_id": self.user_id, "username": self.username, "id": "1"}, {}
        return 200, {"id": self.user_id, "username": self.username}, {}

    def permissions(self, request: Request) -> Response:
        granted = request.token.scopes  # type: ignore[attr-defined]
        data = [
            {"permission": scope, "status": "granted" if scope in granted else "declined"}
            for scope in sorted(SCOPES["facebook"])
        ]
        return 200, {"data": data}, {}

    def accounts(self, request: Request) -> Response:
        if (denied := self._needs_scope(request)) is not None:
            return denied
        if request.params["user"] != self.user_id:
            return self._error(403, "(#10) Not allowed for this user", 10)
        long_lived = request.token.kind == "long"  # type: ignore[attr-defined]
        data = []
        for page in self.pages:
            entry: dict[str, Any] = {"id": page.id, "name": page.name, "tasks": page.tasks}
            if page.instagram and "instagram_business_account" in request.query.get("fields", ""):
                ig_id, username = page.instagram  # only when asked for, as Graph fields are
                entry["instagram_business_account"] = {"id": ig_id, "username": username}
            if page.gives_token:
                scopes = request.token.scopes  # type: ignore[attr-defined]
                entry["access_token"] = self.issue(
                    "page", scopes, None if long_lived else SHORT_LIVED
                )
            data.append(entry)
        return 200, {"data": data, "paging": {"cursors": {"before": "a", "after": "b"}}}, {}


def _token_body(token: str, lifetime: int) -> dict[str, Any]:
    return {"access_token": token, "token_type": "bearer", "expires_in": lifetime}
