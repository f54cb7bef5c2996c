"""A loopback stand-in for LinkedIn's sign-in and the organization reads a connect makes.

``GET /oauth/v2/authorization`` (the browser's consent page), ``POST
/oauth/v2/accessToken`` (``authorization_code`` and ``refresh_token`` grants),
``GET /rest/organizationAcls?q=roleAssignee`` and ``GET /rest/organizations/{id}``.

Strict as LinkedIn is: the code grant through tests/servers/oauth2.py; access tokens
of 60 days, refresh tokens (when the app is enabled for them) of 365 days, whose
remaining life a refresh does not extend; the REST endpoints need
``Linkedin-Version`` of a served version and ``X-Restli-Protocol-Version: 2.0.0``,
and the scope that covers them. Scopes come back comma-separated.
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

ACCESS_SECONDS = 60 * 24 * 3600
REFRESH_SECONDS = 365 * 24 * 3600
SCOPES = {"w_organization_social", "r_organization_admin", "rw_organization_admin", "openid"}
SERVED_VERSIONS = {"202610", "202611"}


@dataclass
class Token:
    scopes: set[str]
    expires_at: float
    issued_at: float = field(default_factory=time.time)


class FakeLinkedIn(LoopbackServer):
    """LinkedIn's OAuth 2.0 and the organization ACL and lookup endpoints."""

    def __init__(
        self,
        *,
        client_id: str = "linkedin-client",
        client_secret: str = "linkedin-secret",
        redirect_uri: str = "",
        grants_refresh_tokens: bool = True,
        organizations: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.oauth = AuthorizationCodes()
        self.oauth.register(client_id, client_secret, [redirect_uri], SCOPES)
        self.client_id = client_id
        self.client_secret = client_secret
        self.grants_refresh_tokens = grants_refresh_tokens
        self.organizations = organizations if organizations is not None else {"2414183": "Org"}
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}
        self.route(
            "GET",
            "/oauth/v2/authorization",
            self.authorize,
            public="the consent page is the web page the user's browser opens",
        )
        self.route(
            "POST",
            "/oauth/v2/accessToken",
            self.access_token,
            public="the app authenticates with its secret in the body, checked here",
        )
        self.route("GET", "/rest/organizationAcls", self.organization_acls)
        self.route("GET", re.compile(r"/rest/organizations/(?P<id>\d+)"), self.organization)

    def live_tokens(self, scope: str = "w_organization_social") -> LiveTokens:
        """The unexpired access tokens granted ``scope``, for the Posts API stand-in
        (tests/servers/linkedin.py): posting as an organization needs w_organization_social."""
        return LiveTokens(
            self.tokens,
            self.lock,
            lambda token: scope in token.scopes and token.expires_at > time.time(),
        )

    def error_body(self, status: int, message: str) -> dict[str, Any]:
        return {"status": status, "message": message}

    def authenticate(self, request: Request) -> Response | None:
        """Bearer token, served Linkedin-Version and Rest.li 2.0.0, as /rest/ requires."""
        token = self.tokens.get(request.bearer() or "")
        if token is None or token.expires_at < time.time():
            return (
                401,
                {"status": 401, "serviceErrorCode": 65600, "message": "Invalid access token"},
                {},
            )
        if request.headers.get("Linkedin-Version") not in SERVED_VERSIONS:
            return (
                426,
                {
                    "status": 426,
                    "code": "NONEXISTENT_VERSION",
                    "message": "Requested version is not active",
                },
                {},
            )
        if request.headers.get("X-Restli-Protocol-Version") != "2.0.0":
            return 400, {"status": 400, "message": "X-Restli-Protocol-Version 2.0.0 required"}, {}
        request.token = token  # type: ignore[attr-defined]
        return None

    def authorize(self, request: Request) -> Response:
        status, answer = self.oauth.authorize(request.query)
        if status == 302:
            return 302, None, {"Location": answer}
        return status, answer.encode(), {"Content-Type": "text/html"}

    def _issue(self, scopes: set[str], refresh: Token | None = None) -> dict[str, Any]:
        value = secrets.token_urlsafe(32)
        self.tokens[value] = Token(set(scopes), time.time() + ACCESS_SECONDS)
        body: dict[str, Any] = {
            "access_token": value,
            "expires_in": ACCESS_SECONDS,
            "scope": ",".join(sorted(scopes)),
        }
        if self.grants_refresh_tokens:
            if refresh is None:
                refresh_value = secrets.token_urlsafe(32)
                refresh = Token(set(scopes), time.time() + REFRESH_SECONDS)
                self.refresh_tokens[refresh_value] = refresh
            else:
                refresh_value = next(k for k, v in self.refresh_tokens.items() if v is refresh)
            body["refresh_token"] = refresh_value
            body["refresh_token_expires_in"] = int(refresh.expires_at - time.time())
        return body

    def access_token(self, request: Request) -> Response:
        params = form(request)
        if params.get("grant_type") == "refresh_token":
            if (params.get("client_id"), params.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ):
                return 401, {"error": "invalid_client", "error_description": "Client auth"}, {}
            refresh = self.refresh_tokens.get(params.get("refresh_token", ""))
            if refresh is None or refresh.expires_at < time.time():
                return (
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "The token used in the request is expired",
                    },
                    {},
                )
            self.refreshed = getattr(self, "refreshed", 0) + 1
            return 200, self._issue(refresh.scopes, refresh), {}
        try:
            grant = self.oauth.exchange(params)
        except OAuthError as error:
            return error.status, {"error": error.error, "error_description": error.description}, {}
        return 200, self._issue(grant.scopes), {}

    def organization_acls(self, request: Request) -> Response:
        scopes = request.token.scopes  # type: ignore[attr-defined]
        if not scopes & {"r_organization_admin", "rw_organization_admin"}:
            return (
                403,
                {
                    "status": 403,
                    "serviceErrorCode": 100,
                    "message": "Not enough permissions to access: organizationAcls",
                },
                {},
            )
        if request.query.get("q") != "roleAssignee":
            return 400, {"status": 400, "message": "Invalid finder"}, {}
        elements = [
            {
                "organization": f"urn:li:organization:{org_id}",
                "role": "ADMINISTRATOR",
                "state": "APPROVED",
                "roleAssignee": "urn:li:person:abc123",
            }
            for org_id in self.organizations
        ]
        return 200, {"elements": elements, "paging": {"count": 10, "start": 0}}, {}

    def organization(self, request: Request) -> Response:
        org_id = request.params["id"]
        if org_id not in self.organizations:
            return 404, {"status": 404, "message": "Not found"}, {}
        return 200, {"id": int(org_id), "localizedName": self.organizations[org_id]}, {}
