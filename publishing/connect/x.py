"""Connect X: OAuth 1.0a three-legged flow (request token → authorize → access token).

The app's consumer key and secret come from BROADSIDE_CONNECT["x"] (the
environment: BROADSIDE_X_CONSUMER_KEY / _SECRET) and are stored with the
account's access token, because the X channel signs with all four.
OAuth 1.0a has no `state`: the request token plays its part (kept
server-side, matched on the callback's `oauth_token`, used once).

Source: https://docs.x.com/resources/fundamentals/authentication/oauth-1-0a/obtaining-user-access-tokens
"""

from __future__ import annotations

from typing import Any

import requests
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from oauthlib.oauth1 import OAuth1Error
from requests_oauthlib.oauth1_session import TokenMissing, TokenRequestDenied

from .base import (
    ConnectError,
    ConnectFlow,
    Connection,
    expired_code_message,
    network_error,
    refused_message,
)

NETWORK = "X"


class XConnect(ConnectFlow):
    channel = "x"
    required_settings = ("CONSUMER_KEY", "CONSUMER_SECRET")
    defaults = {"API_URL": "https://api.x.com"}

    def state_of(self, params: dict[str, str]) -> str:
        # A refusal comes back as ?denied=<request token>.
        return params.get("oauth_token") or params.get("denied", "")

    @sensitive_variables()
    def start(self, *, callback_url: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        session = self.oauth1(
            client_key=self.setting("CONSUMER_KEY"),
            client_secret=self.setting("CONSUMER_SECRET"),
            callback_uri=callback_url,
        )
        api = self.setting("API_URL").rstrip("/")
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
