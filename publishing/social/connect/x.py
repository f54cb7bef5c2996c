"""Connect X: OAuth 1.0a three-legged flow, or OAuth 2.0 with PKCE where configured.

OAuth 1.0a (request token → authorize → access token) is used when only the
consumer key/secret are set. With BROADSIDE_CONNECT["x"]["CLIENT_ID"] (and the
confidential client's CLIENT_SECRET) the OAuth 2.0 authorization code flow with
PKCE is used instead: scopes `tweet.read tweet.write users.read media.write
offline.access`, a two-hour access token refreshed (`refresh_tokens`) with its
rotating refresh token. Source: https://docs.x.com/fundamentals/authentication/oauth-2-0/authorization-code

The app's consumer key and secret come from BROADSIDE_CONNECT["x"] (the
environment: BROADSIDE_X_CONSUMER_KEY / _SECRET) and are stored with the
account's access token, because the X channel signs with all four.
OAuth 1.0a has no `state`: the request token plays its part (kept
server-side, matched on the callback's `oauth_token`, used once).

Source: https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/obtaining-user-access-tokens
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import requests
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from oauthlib.oauth1 import OAuth1Error
from oauthlib.oauth2 import OAuth2Error
from requests.auth import HTTPBasicAuth
from requests_oauthlib.oauth1_session import TokenMissing, TokenRequestDenied

from .base import (
    ConnectError,
    ConnectFlow,
    Connection,
    expired_code_message,
    expires_in,
    fetch_token,
    network_error,
    refused_message,
)

NETWORK = "X"
OAUTH2_SCOPES = ["tweet.read", "tweet.write", "users.read", "media.write", "offline.access"]


class XConnect(ConnectFlow):
    channel = "x"
    defaults = {"API_URL": "https://api.x.com", "AUTHORIZE_URL": "https://x.com/i/oauth2/authorize"}
    # OAuth 2.0 access tokens live two hours: refreshed half an hour ahead, at any age.
    refresh_ahead = timedelta(minutes=30)
    refresh_min_age = timedelta(0)

    def uses_oauth2(self) -> bool:
        return bool(self.setting("CLIENT_ID"))

    def is_configured(self) -> bool:
        return self.uses_oauth2() or bool(
            self.setting("CONSUMER_KEY") and self.setting("CONSUMER_SECRET")
        )

    def state_of(self, params: dict[str, str]) -> str:
        # OAuth 1.0a has the request token; a refusal comes back as ?denied=<request token>.
        return params.get("state") or params.get("oauth_token") or params.get("denied", "")

    def _api(self) -> str:
        return self.setting("API_URL").rstrip("/")

    def _base_url(self) -> str:
        return "" if self._api() == self.defaults["API_URL"] else self._api()

    def _client_auth(self) -> HTTPBasicAuth:
        """X's confidential clients authenticate with HTTP Basic at the token endpoint."""
        return HTTPBasicAuth(self.setting("CLIENT_ID"), self.setting("CLIENT_SECRET"))

    def _oauth2(self, callback_url: str = "", token: dict | None = None):
        return self.oauth2(
            client_id=self.setting("CLIENT_ID"),
            redirect_uri=callback_url or None,
            scope=OAUTH2_SCOPES,
            pkce="S256",
            token=token,
        )

    @sensitive_variables()
    def start(self, *, callback_url: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if self.uses_oauth2():
            session = self._oauth2(callback_url)
            url, state = session.authorization_url(self.setting("AUTHORIZE_URL"))
            return url, {"state": state, "code_verifier": session._code_verifier}
        return self._start_oauth1(callback_url)

    @sensitive_variables()
    def _start_oauth1(self, callback_url: str) -> tuple[str, dict[str, Any]]:
        session = self.oauth1(
            client_key=self.setting("CONSUMER_KEY"),
            client_secret=self.setting("CONSUMER_SECRET"),
            callback_uri=callback_url,
        )
        api = self._api()
        try:
            token = session.fetch_request_token(f"{api}/oauth/request_token")
        except TokenRequestDenied as denied:
            if denied.status_code == 403:  # X's code 415: callback not in the app's allowlist
                raise ConnectError(
                    _(
                        "X refused the callback address %(url)s: the site's operator must add "
                        "it to the app's callback URLs in X's developer portal."
                    )
                    % {"url": callback_url}
                ) from None
            raise ConnectError(
                _("X refused Broadside's app credentials: ask the site's operator to check them.")
            ) from None
        except (TokenMissing, ValueError):
            raise ConnectError(_("X answered in a way Broadside does not understand.")) from None
        except requests.RequestException as error:
            raise network_error(error, NETWORK) from None
        if token.get("oauth_callback_confirmed") != "true":
            raise ConnectError(_("X did not confirm the callback address; nothing was connected."))
        url = session.authorization_url(f"{api}/oauth/authorize")
        pending = {"state": token["oauth_token"], "token_secret": token["oauth_token_secret"]}
        return url, pending

    @sensitive_variables()
    def finish(
        self, *, callback_url: str, pending: dict[str, Any], params: dict[str, str]
    ) -> Connection:
        if "code_verifier" in pending:
            return self._finish_oauth2(callback_url, pending, params)
        if params.get("denied") or not params.get("oauth_verifier"):
            raise ConnectError(refused_message(NETWORK))
        session = self.oauth1(
            client_key=self.setting("CONSUMER_KEY"),
            client_secret=self.setting("CONSUMER_SECRET"),
            resource_owner_key=pending["state"],
            resource_owner_secret=pending["token_secret"],
            verifier=params["oauth_verifier"],
        )
        api = self.setting("API_URL").rstrip("/")
        try:
            token = session.fetch_access_token(f"{api}/oauth/access_token")
        except (TokenRequestDenied, TokenMissing, OAuth1Error, ValueError):
            raise ConnectError(expired_code_message(NETWORK)) from None
        except requests.RequestException as error:
            raise network_error(error, NETWORK) from None
        screen_name = token.get("screen_name", "")
        return Connection(
            credentials={
                "consumer_key": self.setting("CONSUMER_KEY"),
                "consumer_secret": self.setting("CONSUMER_SECRET"),
                "access_token": token["oauth_token"],
                "access_token_secret": token["oauth_token_secret"],
            },
            verified_as=f"@{screen_name}" if screen_name else "",
            base_url="" if api == self.defaults["API_URL"] else api,
        )

    @sensitive_variables()
    def _finish_oauth2(
        self, callback_url: str, pending: dict[str, Any], params: dict[str, str]
    ) -> Connection:
        if params.get("error") or not params.get("code"):
            raise ConnectError(refused_message(NETWORK))
        session = self._oauth2(callback_url)
        session._code_verifier = pending["code_verifier"]
        token = fetch_token(
            session,
            NETWORK,
            OAUTH2_SCOPES,
            f"{self._api()}/2/oauth2/token",
            code=params["code"],
            auth=self._client_auth(),
        )
        return self._oauth2_connection(token)

    @sensitive_variables()
    def _oauth2_connection(self, token: dict[str, Any]) -> Connection:
        try:
            response = self.http().get(
                f"{self._api()}/2/users/me",
                headers={"Authorization": f"Bearer {token['access_token']}"},
            )
        except requests.RequestException as error:
            raise network_error(error, NETWORK) from None
        try:
            username = response.json()["data"]["username"]
        except (ValueError, KeyError, TypeError):
            raise ConnectError(expired_code_message(NETWORK)) from None
        credentials = {"oauth2_access_token": token["access_token"]}
        if token.get("refresh_token"):
            credentials["refresh_token"] = token["refresh_token"]
        return Connection(
            credentials=credentials,
            verified_as=f"@{username}",
            base_url=self._base_url(),
            expires_at=expires_in(token.get("expires_in")),
        )

    @sensitive_variables()
    def refresh(self, credentials: dict[str, Any], base_url: str) -> Connection | None:
        """OAuth 2.0 accounts only (OAuth 1.0a tokens do not expire). X rotates the
        refresh token: the new one replaces the old."""
        if not credentials.get("refresh_token") or not self.uses_oauth2():
            return None
        session = self._oauth2(token={"access_token": credentials.get("oauth2_access_token")})
        try:
            token = session.refresh_token(
                f"{self._api()}/2/oauth2/token",
                refresh_token=credentials["refresh_token"],
                auth=self._client_auth(),
            )
        except Warning as changed:  # the scope listed differently: same grant
            token = getattr(changed, "token", None) or {}
        except OAuth2Error:
            raise ConnectError(expired_code_message(NETWORK)) from None
        except requests.RequestException as error:
            raise network_error(error, NETWORK) from None
        return self._oauth2_connection(dict(token))
