"""Connect LinkedIn organization pages: 3-legged authorization code flow.

Scopes: `w_organization_social` (post as the organization) and
`r_organization_admin` (list the organizations the person administers:
`GET /rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED`).
The editor picks one. Access tokens live 60 days; LinkedIn grants a refresh
token (365 days) only to apps enabled for it, and does not necessarily send it
again when a person reconnects: save.py keeps the earlier one.

Sources: learn.microsoft.com/linkedin/shared/authentication/authorization-code-flow,
/linkedin/shared/authentication/programmatic-refresh-tokens,
/linkedin/marketing/community-management/organizations/organization-access-control-by-role,
/linkedin/marketing/versioning (each monthly version is served at least a year).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from oauthlib.oauth2 import OAuth2Error

from publishing.channels.linkedin import LINKEDIN_VERSION, LINKEDIN_VERSION_END_OF_SUPPORT

from .base import (
    Choice,
    ConnectError,
    ConnectFlow,
    Connection,
    TemporaryFailure,
    expired_code_message,
    expires_in,
    fetch_token,
    network_error,
    refused_message,
)

NETWORK = "LinkedIn"
SCOPES = ["w_organization_social", "r_organization_admin"]


class LinkedInConnect(ConnectFlow):
    channel = "linkedin"
    api_version = LINKEDIN_VERSION
    api_version_ends = LINKEDIN_VERSION_END_OF_SUPPORT
    defaults = {
        "AUTHORIZE_URL": "https://www.linkedin.com/oauth/v2/authorization",
        "TOKEN_URL": "https://www.linkedin.com/oauth/v2/accessToken",
        "API_URL": "https://api.linkedin.com",
    }

    def _session(self, callback_url: str = "", token: dict | None = None):
        return self.oauth2(
            client_id=self.setting("CLIENT_ID"),
            redirect_uri=callback_url or None,
            scope=SCOPES,
            token=token,
        )

    def start(self, *, callback_url: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        url, state = self._session(callback_url).authorization_url(self.setting("AUTHORIZE_URL"))
        return url, {"state": state}

    @sensitive_variables()
    def finish(
        self, *, callback_url: str, pending: dict[str, Any], params: dict[str, str]
    ) -> Connection:
        if params.get("error") or not params.get("code"):
            raise ConnectError(refused_message(NETWORK))
        token = fetch_token(
            self._session(callback_url),
            NETWORK,
            SCOPES,
            self.setting("TOKEN_URL"),
            code=params["code"],
            client_secret=self.setting("CLIENT_SECRET"),
            include_client_id=True,
        )
        credentials = _token_credentials(token)
        acls = self.api(
            "/rest/organizationAcls",
            token["access_token"],
            {"q": "roleAssignee", "role": "ADMINISTRATOR", "state": "APPROVED"},
        ).get("elements", [])
        if not acls:
            raise ConnectError(
                _(
                    "LinkedIn shows no organization page that you administer: ask a "
                    "super admin of the page to make you an administrator, then connect again."
                )
            )
        choices = []
        for acl in acls:
            urn = str(acl.get("organization", ""))
            org_id = urn.rpartition(":")[2]
            org = self.api(f"/rest/organizations/{org_id}", token["access_token"])
            name = str(org.get("localizedName") or urn)
            choices.append(
                Choice(
                    id=urn,
                    label=name,
                    credentials={**credentials, "organization_id": urn},
                    verified_as=name,
                    expires_at=expires_in(token.get("expires_in")),
                )
            )
        api = self.setting("API_URL").rstrip("/")
        return Connection(choices=choices, base_url="" if api == self.defaults["API_URL"] else api)

    @sensitive_variables()
    def api(self, path: str, access_token: str, params: dict | None = None) -> dict[str, Any]:
        try:
            response = self.http().get(
                self.setting("API_URL").rstrip("/") + path,
                params=params,
                headers={
                    "Authorization": f"Bearer {access_token}",
                    "Linkedin-Version": LINKEDIN_VERSION,
                    "X-Restli-Protocol-Version": "2.0.0",
                },
            )
        except requests.RequestException as error:
            raise network_error(error, NETWORK) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryFailure(
                _("LinkedIn is unavailable (%(status)s). Try again in a few minutes.")
                % {"status": response.status_code}
            )
        if response.status_code == 401:
            raise ConnectError(expired_code_message(NETWORK))
        if response.status_code != 200:
            raise ConnectError(
                _("LinkedIn refused the request (%(status)s).") % {"status": response.status_code}
            )
        try:
            body = response.json()
        except ValueError:
            body = {}
        return body if isinstance(body, dict) else {}

    @sensitive_variables()
    def refresh(self, credentials: dict[str, Any], base_url: str) -> Connection | None:
        if not credentials.get("refresh_token"):
            return None  # no refresh token granted: the health flag asks for a reconnect
        session = self._session(token={"access_token": credentials.get("access_token", "")})
        try:
            token = session.refresh_token(
                self.setting("TOKEN_URL"),
                refresh_token=credentials["refresh_token"],
                client_id=self.setting("CLIENT_ID"),
                client_secret=self.setting("CLIENT_SECRET"),
                include_client_id=True,
            )
        except Warning as changed:  # scope listed differently (commas): same grant
            token = getattr(changed, "token", None) or {}
        except OAuth2Error:
            raise ConnectError(expired_code_message(NETWORK)) from None
        except requests.RequestException as error:
            raise network_error(error, NETWORK) from None
        new = {**credentials, **_token_credentials(token)}
        return Connection(credentials=new, expires_at=expires_in(token.get("expires_in")))


@sensitive_variables()
def _token_credentials(token: dict[str, Any]) -> dict[str, Any]:
    credentials = {"access_token": token["access_token"]}
    if token.get("refresh_token"):
        credentials["refresh_token"] = token["refresh_token"]
        seconds = token.get("refresh_token_expires_in")
        if seconds:
            ends = timezone.now() + timedelta(seconds=int(seconds))
            credentials["refresh_token_expires_at"] = ends.isoformat()
    return credentials
