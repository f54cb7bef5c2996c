"""Connect Mastodon: the editor names an instance; authorization code with PKCE.

Broadside registers itself on the instance (`POST /api/v1/apps`) the first
time and keeps the registration (models.OAuthClient) for every later account
on that instance. Scopes are the granular ones posting needs. PKCE (S256) is
sent always: Mastodon 4.3 checks it, older servers ignore it.

Sources: https://docs.joinmastodon.org/methods/apps/#create,
https://docs.joinmastodon.org/methods/oauth/, https://docs.joinmastodon.org/spec/oauth/
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import requests
from django import forms
from django.conf import settings
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables

from publishing.models import OAuthClient
from publishing.outbound import check_outbound_url

from .base import (
    ConnectError,
    ConnectFlow,
    Connection,
    expired_code_message,
    fetch_token,
    network_error,
    refused_message,
)

NETWORK = "Mastodon"
SCOPES = ["read:accounts", "write:statuses", "write:media"]


def instance_origin(value: str) -> str:
    """scheme://host[:port] of what the editor typed ("example.social" means https).

    Raises ValidationError with a message for the editor."""
    value = value.strip()
    if "://" not in value:
        value = "https://" + value.lstrip("@").split("@")[-1]
    check_outbound_url(value)
    parts = urlsplit(value)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class MastodonConnect(ConnectFlow):
    channel = "mastodon"
    required_settings = ()  # the app registers itself on each instance

    def extra_fields(self) -> dict[str, forms.Field]:
        return {
            "instance": forms.CharField(
                label=gettext_lazy("Instance"),
                max_length=200,
                help_text=gettext_lazy("The server the account is on, e.g. mastodon.social."),
            )
        }

    def clean_extra(self, data: dict[str, Any]) -> dict[str, Any]:
        """Called by the start form: the instance's origin, or ValidationError."""
        return {"instance": instance_origin(data.get("instance", ""))}

    def client(self, instance: str, callback_url: str) -> OAuthClient:
        """This instance's registration of Broadside, made once (POST /api/v1/apps)."""
        scopes = " ".join(SCOPES)
        found = OAuthClient.objects.filter(
            server=instance, redirect_uri=callback_url, scopes=scopes
        ).first()
        if found:
            return found
        try:
            response = self.http().post(
                f"{instance}/api/v1/apps",
                data={
                    "client_name": getattr(settings, "WAGTAIL_SITE_NAME", "Broadside"),
                    "redirect_uris": callback_url,
                    "scopes": scopes,
                    "website": settings.WAGTAILADMIN_BASE_URL,
                },
            )
        except requests.RequestException as error:
            raise network_error(error, NETWORK) from None
        body = _json(response)
        if response.status_code != 200 or not body.get("client_id"):
            raise ConnectError(
                _("%(instance)s refused to register Broadside (%(status)s).")
                % {"instance": instance, "status": response.status_code}
            )
        registration = OAuthClient(
            server=instance, redirect_uri=callback_url, scopes=scopes, client_id=body["client_id"]
        )
        registration.client_secret = body.get("client_secret", "")
        try:
            registration.save()
        except IntegrityError:  # two editors at once: keep the first
            return OAuthClient.objects.get(
                server=instance, redirect_uri=callback_url, scopes=scopes
            )
        return registration

    def _session(self, registration, callback_url: str):
        """The OAuth 2 session (authorization code with PKCE) of the app registered there."""
        return self.oauth2(
            client_id=registration.client_id,
            redirect_uri=callback_url,
            scope=SCOPES,
            pkce="S256",
        )

    @sensitive_variables()
    def start(self, *, callback_url: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        instance = data["instance"]
        registration = self.client(instance, callback_url)
        session = self._session(registration, callback_url)
        url, state = session.authorization_url(f"{instance}/oauth/authorize")
        return url, {
            "state": state,
            "instance": instance,
            "code_verifier": session._code_verifier,
        }

    @sensitive_variables()
    def finish(
        self, *, callback_url: str, pending: dict[str, Any], params: dict[str, str]
    ) -> Connection:
        if params.get("error") or not params.get("code"):
            raise ConnectError(refused_message(NETWORK))
        instance = pending["instance"]
        registration = self.client(instance, callback_url)
        session = self._session(registration, callback_url)
        session._code_verifier = pending["code_verifier"]
        token = fetch_token(
            session,
            NETWORK,
            SCOPES,
            f"{instance}/oauth/token",
            code=params["code"],
            client_secret=registration.client_secret,
            include_client_id=True,
        )
        access_token = token["access_token"]
        try:
            response = self.http().get(
                f"{instance}/api/v1/accounts/verify_credentials",
                headers={"Authorization": f"Bearer {access_token}"},
            )
        except requests.RequestException as error:
            raise network_error(error, NETWORK) from None
        account = _json(response)
        if response.status_code != 200 or not account.get("acct"):
            raise ConnectError(expired_code_message(NETWORK))
        host = urlsplit(instance).netloc
        return Connection(
            credentials={"access_token": access_token},
            verified_as=f"@{account['acct']}@{host}",
            base_url=instance,
        )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
