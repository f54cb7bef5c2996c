"""What every connect flow shares: its result, its errors, app credentials and HTTP.

A flow (one module per network) turns an editor's consent into credentials:
`start()` returns the network's authorization URL and what must be kept until
the callback (the "pending" dict, stored server-side by pending.py);
`finish()` exchanges the callback's code for a `Connection`. Flows without a
browser step (Bluesky) have only `finish()`.

HTTP goes through sessions built here on requests-oauthlib's OAuth1Session and
OAuth2Session with the outbound address policy's adapters (publishing/outbound.py),
no redirects followed and the channel timeouts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

import requests
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables
from oauthlib.oauth2 import InvalidClientError, OAuth2Error
from requests_oauthlib import OAuth1Session, OAuth2Session

from publishing.outbound import RefusedAddress, outbound_session


class ConnectError(Exception):
    """The connection failed; the message is shown to the editor (plain, translated words)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Choice:
    """One of several things the consent gave access to (a Facebook Page, a LinkedIn
    organization): the editor picks one, and it becomes the account's credentials."""

    id: str
    label: str
    credentials: dict[str, Any]
    verified_as: str
    # None: the token does not expire (a Page token derived from a long-lived user token).
    expires_at: datetime | None = None
    problem: str = ""  # why it cannot be picked ("" when it can)


@dataclass
class Connection:
    """What a finished flow gives: the credentials to store and who they post as."""

    credentials: dict[str, Any] = field(default_factory=dict)
    verified_as: str = ""
    base_url: str = ""
    expires_at: datetime | None = None
    # What the channel keeps between posts (Bluesky's session from the check).
    state: dict[str, Any] = field(default_factory=dict)
    # Non-empty when the editor must pick one (credentials then come from the choice).
    choices: list[Choice] = field(default_factory=list)

    def to_pending(self) -> dict[str, Any]:
        return {
            "base_url": self.base_url,
            "choices": [
                {
                    "id": choice.id,
                    "label": choice.label,
                    "credentials": choice.credentials,
                    "verified_as": choice.verified_as,
                    "expires_at": _iso(choice.expires_at),
                    "problem": choice.problem,
                }
                for choice in self.choices
            ],
        }

    @staticmethod
    def choices_from_pending(data: dict[str, Any]) -> list[Choice]:
        return [
            Choice(
                id=item["id"],
                label=item["label"],
                credentials=item["credentials"],
                verified_as=item["verified_as"],
                expires_at=_from_iso(item.get("expires_at")),
                problem=item.get("problem", ""),
            )
            for item in data.get("choices", [])
        ]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def expires_in(seconds: Any) -> datetime | None:
    """The moment a token with `expires_in` seconds of life ends (None when not given)."""
    try:
        return timezone.now() + timedelta(seconds=int(seconds))
    except (TypeError, ValueError):
        return None


class ConnectFlow:
    """Base of the connect flows. Subclasses set the class attributes and the methods."""

    channel: ClassVar[str] = ""  # the BROADSIDE_CHANNELS key accounts get
    # "oauth": the editor is sent to the network; "password": a form verified at once.
    kind: ClassVar[str] = "oauth"
    # Names in BROADSIDE_CONNECT[channel] that must be set for the Connect button to show.
    required_settings: ClassVar[tuple[str, ...]] = ("CLIENT_ID", "CLIENT_SECRET")
    # Refresh (refresh.py): this long before expiry, once the token is this old.
    refresh_ahead: ClassVar[timedelta] = timedelta(days=14)
    refresh_min_age: ClassVar[timedelta] = timedelta(hours=24)
    # Endpoint defaults, each overridable in BROADSIDE_CONNECT[channel] (tests, proxies).
    defaults: ClassVar[dict[str, str]] = {}

    def __init__(self, config: dict[str, Any] | None = None):
        configured = getattr(settings, "BROADSIDE_CONNECT", {}).get(self.channel, {})
        self.config = {**self.defaults, **(configured if config is None else config)}

    def setting(self, name: str) -> str:
        return str(self.config.get(name) or "")

    def is_configured(self) -> bool:
        return all(self.setting(name) for name in self.required_settings)

    def extra_fields(self) -> dict[str, forms.Field]:
        """Fields the editor fills before connecting (Mastodon's instance, Bluesky's handle)."""
        return {}

    def start(self, *, callback_url: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """(authorization URL, pending) where pending holds "state" and what `finish` needs.

        Raises ConnectError."""
        raise NotImplementedError

    def finish(
        self, *, callback_url: str, pending: dict[str, Any], params: dict[str, str]
    ) -> Connection:
        """Exchange the callback's parameters for a Connection. Raises ConnectError."""
        raise NotImplementedError

    def refresh(self, credentials: dict[str, Any], base_url: str) -> Connection | None:
        """New credentials before the token expires; None when the network has no refresh.

        Raises ConnectError (the token was refused: reconnect) or TemporaryFailure."""
        return None

    def state_of(self, params: dict[str, str]) -> str:
        """Our state, from the callback's parameters (OAuth 1.0a: the request token)."""
        return params.get("state", "")

    # -- HTTP ----------------------------------------------------------------------------
    def oauth2(self, **kwargs) -> OAuth2Session:
        return _outbound(OutboundOAuth2Session(**kwargs))

    @sensitive_variables()
    def oauth1(self, **kwargs) -> OAuth1Session:
        return _outbound(OutboundOAuth1Session(**kwargs))

    def http(self) -> requests.Session:
        return outbound_session()


class TemporaryFailure(ConnectError):
    """The network could not be reached or answered 5xx/429: try again later."""


class _NoRedirects:
    timeout: tuple[float, float]

    def send(self, request, **kwargs):
        kwargs["allow_redirects"] = False
        if not kwargs.get("timeout"):
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class OutboundOAuth2Session(_NoRedirects, OAuth2Session):
    """OAuth2Session on the outbound policy's adapters (see `_outbound`)."""


class OutboundOAuth1Session(_NoRedirects, OAuth1Session):
    """OAuth1Session on the outbound policy's adapters (see `_outbound`)."""


def _outbound(session):
    """Give a requests-oauthlib session the address checks of `outbound_session()`."""
    policy = outbound_session()
    for prefix, adapter in policy.adapters.items():
        session.mount(prefix, adapter)
    session.timeout = tuple(settings.BROADSIDE_CHANNEL_TIMEOUT)
    return session


def callback_url(channel: str) -> str:
    """The redirect URI registered with the network: WAGTAILADMIN_BASE_URL + the callback path.

    Built from the setting, never from the request's Host header: the network compares it
    byte for byte with the one registered, and a forged Host must not redirect a code."""
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return base + reverse("publishing_admin:connect_callback", args=[channel])


def network_error(error: Exception, network: str) -> ConnectError:
    """A transport failure as the editor reads it (never the URL's secrets, never a token)."""
    if isinstance(error, RefusedAddress):
        return ConnectError(
            _(
                "Broadside does not connect to %(network)s at that address: it is a local or "
                "private network address."
            )
            % {"network": network}
        )
    return TemporaryFailure(
        _("%(network)s could not be reached (%(error)s). Try again in a few minutes.")
        % {"network": network, "error": type(error).__name__}
    )


def refused_message(network: str) -> str:
    return _(
        "You did not give Broadside the permission to post on %(network)s, so nothing was "
        "connected. Connect again and accept every permission asked for."
    ) % {"network": network}


def expired_code_message(network: str) -> str:
    return _(
        "%(network)s did not accept the sign-in (it expired or was already used). "
        "Connect again, without waiting on the network's page."
    ) % {"network": network}


def app_refused_message(network: str) -> str:
    return _(
        "%(network)s refused Broadside's app credentials: ask the site's operator to check "
        "them (BROADSIDE_CONNECT)."
    ) % {"network": network}


def missing_scopes_message(network: str, scopes: list[str]) -> str:
    return _(
        "%(network)s did not grant these permissions, which posting needs: %(scopes)s. "
        "Connect again and accept them."
    ) % {"network": network, "scopes": ", ".join(scopes)}


@sensitive_variables()
def fetch_token(
    session: OAuth2Session, network: str, scopes: list[str], token_url: str, **kwargs
) -> dict[str, Any]:
    """`session.fetch_token(token_url, **kwargs)` with our errors: the token dict.

    Raises ConnectError: a refused code (expired, used, wrong verifier or redirect URI),
    or a grant without one of `scopes` (oauthlib warns when the scope changed; only a
    missing scope matters); TemporaryFailure when the network cannot be reached."""
    try:
        token = session.fetch_token(token_url, **kwargs)
    except Warning as changed:  # oauthlib: the granted scope differs from the asked one
        token = getattr(changed, "token", None) or {}
        granted = {
            scope
            for item in getattr(changed, "new_scope", None) or []
            for scope in item.replace(",", " ").split()
        }
        missing = [scope for scope in scopes if scope not in granted]
        if missing or not token.get("access_token"):
            raise ConnectError(missing_scopes_message(network, missing)) from None
    except InvalidClientError:
        raise ConnectError(app_refused_message(network)) from None
    except OAuth2Error:
        raise ConnectError(expired_code_message(network)) from None
    except requests.RequestException as error:
        raise network_error(error, network) from None
    return dict(token)
