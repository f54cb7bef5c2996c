"""The OAuth 2.0 authorization-code grant, strictly, for the loopback networks.

RFC 6749 §4.1 and RFC 7636 (PKCE) as the real services apply them: the
redirect URI must be one registered for the client, exactly, and repeated
identically at the token request (§4.1.3); a code lives minutes and is used
once (§10.5); the client secret must match; a code issued with a
`code_challenge` needs the verifier that hashes to it (RFC 7636 §4.6); scopes
outside the app's are refused. The browser step (`authorize`) stands for the
person: ``decision=deny`` is their Cancel, ``granted=a,b`` the permissions they
left ticked (Meta lets people decline some).

Never imports Broadside's code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

CODE_SECONDS = 600  # RFC 6749 §4.1.2 recommends at most 10 minutes


@dataclass
class App:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    scopes: set[str]


@dataclass
class Grant:
    """What a valid code gave: the app, the scopes granted, the person's choices."""

    app: App
    scopes: set[str]
    redirect_uri: str
    challenge: str | None
    method: str | None
    issued_at: float = field(default_factory=time.time)
    used: bool = False


class OAuthError(Exception):
    """An RFC 6749 §5.2 error: `error` code and description, and the HTTP status."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class AuthorizationCodes:
    """Apps, codes and their checks, shared by every loopback network that uses the grant."""

    def __init__(self, *, scope_separator: str = " ", pkce_required: bool = False):
        self.scope_separator = scope_separator
        self.pkce_required = pkce_required
        self.apps: dict[str, App] = {}
        self.codes: dict[str, Grant] = {}
        self.lock = threading.Lock()

    def register(
        self, client_id: str, client_secret: str, redirect_uris: list[str], scopes: set[str]
    ) -> App:
        app = App(client_id, client_secret, list(redirect_uris), set(scopes))
        with self.lock:
            self.apps[client_id] = app
        return app

    def split(self, value: str) -> set[str]:
        return {scope for scope in value.replace(",", " ").split() if scope}

    def authorize(self, query: dict[str, str]) -> tuple[int, str]:
        """(status, Location or message) for the browser's GET of the authorization page.

        An unknown client or unregistered redirect URI is an error page (never a redirect:
        §4.1.2.1); other problems and a refusal go back to the redirect URI with `error`."""
        app = self.apps.get(query.get("client_id", ""))
        redirect_uri = query.get("redirect_uri", "")
        if app is None:
            return 400, "invalid client_id"
        if redirect_uri not in app.redirect_uris:
            return 400, "redirect_uri does not match the app's registered redirect URIs"
        state = query.get("state")
        extra = {"state": state} if state is not None else {}
        if query.get("response_type") != "code":
            return 302, _with(redirect_uri, error="unsupported_response_type", **extra)
        asked = self.split(query.get("scope", ""))
        if not asked or not asked <= app.scopes:
            return 302, _with(redirect_uri, error="invalid_scope", **extra)
        challenge = query.get("code_challenge")
        method = query.get("code_challenge_method", "plain" if challenge else None)
        if (self.pkce_required and not challenge) or method not in (None, "S256", "plain"):
            return 302, _with(redirect_uri, error="invalid_request", **extra)
        if query.get("decision") == "deny":
            return 302, _with(
                redirect_uri, error="access_denied", error_description="Permissions error", **extra
            )
        granted = asked
        if "granted" in query:
            granted = asked & self.split(query["granted"])
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = Grant(app, granted, redirect_uri, challenge, method)
        return 302, _with(redirect_uri, code=code, **extra)

    def exchange(self, params: dict[str, str], *, secret_required: bool = True) -> Grant:
        """Check a token request of grant_type authorization_code; the code's grant.

        Raises OAuthError (invalid_client, invalid_grant, invalid_request)."""
        app = self.apps.get(params.get("client_id", ""))
        if app is None:
            raise OAuthError("invalid_client", "Client authentication failed", 401)
        if secret_required and not hmac.compare_digest(
            params.get("client_secret", ""), app.client_secret
        ):
            raise OAuthError("invalid_client", "Client authentication failed", 401)
        if params.get("grant_type", "authorization_code") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "grant_type is not supported")
        code = params.get("code", "")
        with self.lock:
            grant = self.codes.get(code)
            if grant is None or grant.used:
                if grant is not None:  # §4.1.2: a reused code is refused
                    grant.used = True
                raise OAuthError("invalid_grant", "The authorization code is invalid or used")
            grant.used = True
        if grant.app is not app:
            raise OAuthError("invalid_grant", "The code was issued to another client")
        if time.time() - grant.issued_at > CODE_SECONDS:
            raise OAuthError("invalid_grant", "The authorization code has expired")
        if params.get("redirect_uri", "") != grant.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match")
        if grant.challenge is not None:
            verifier = params.get("code_verifier", "")
            if not verifier or not hmac.compare_digest(
                _challenge(verifier, grant.method), grant.challenge
            ):
                raise OAuthError("invalid_grant", "PKCE verification failed")
        return grant

    def expire_codes(self) -> None:
        """Age every code past its life."""
        with self.lock:
            for grant in self.codes.values():
                grant.issued_at -= CODE_SECONDS + 1


def _challenge(verifier: str, method: str | None) -> str:
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")
    return verifier


def _with(url: str, **params: Any) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def form(request) -> dict[str, str]:
    """A form-encoded body's fields (the token endpoints' parameters)."""
    from urllib.parse import parse_qsl

    if request.content_type != "application/x-www-form-urlencoded":
        return {}
    return dict(parse_qsl(request.body.decode("utf-8", errors="replace"), keep_blank_values=True))


class LiveTokens:
    """The tokens a sign-in stand-in issued that are still good for something, seen live.

    A posting stand-in given this as its token accepts exactly what the sign-in issued
    (and no longer what has expired or been revoked since), as one network's sign-in and
    API share their tokens. ``alive(token)`` says which of the stored tokens count.
    """

    def __init__(
        self, tokens: dict[str, Any], lock: threading.RLock, alive: Callable[[Any], bool]
    ) -> None:
        self.tokens = tokens
        self.lock = lock
        self.alive = alive

    def __contains__(self, value: object) -> bool:
        with self.lock:
            token = self.tokens.get(value) if isinstance(value, str) else None
            return token is not None and self.alive(token)
