"""Where Broadside may send requests: the outbound address policy, in one place.

Every request to an address someone configured (a channel's API base URL, a
webhook, the WebSub hub, connect flows to come) is made with a session from
`outbound_session()`. It is requests-hardened's session (Saleor), which
resolves the host name once, refuses a non-public address and then connects
to *that* address, so a name that resolves to a public address when a form
checks it and to 127.0.0.1 when the worker connects (DNS rebinding) is still
refused. It follows no redirect: a publishing request is never re-sent, body
and signature included, to where an answer points.

`BROADSIDE_OUTBOUND_ADDRESSES` says which addresses are allowed:

- ``public`` (production default): public addresses only;
- ``loopback``: public ones and this machine (the test suite's loopback servers);
- ``private``: also private networks, link-local and loopback (development,
  and self-hosted instances that post to a Mastodon on their own network).

`check_outbound_url()` refuses, up front and with a message for the person
who typed it, what the session would refuse at connection time, and URLs
that carry a user name or password (they end up in logs and error pages).
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _
from requests_hardened import Config, HTTPSession
from requests_hardened.ip_filter import InvalidIPAddress, get_ip_address

PUBLIC = "public"
LOOPBACK = "loopback"
PRIVATE = "private"
POLICIES = (PUBLIC, LOOPBACK, PRIVATE)

# Raised by the session, before anything is sent, for an address the policy refuses.
RefusedAddress = InvalidIPAddress


def address_policy() -> str:
    """The configured policy: "public", "loopback" or "private".

    Raises ImproperlyConfigured for any other value of BROADSIDE_OUTBOUND_ADDRESSES.
    """
    policy = getattr(settings, "BROADSIDE_OUTBOUND_ADDRESSES", PUBLIC)
    if policy not in POLICIES:
        raise ImproperlyConfigured(
            f"BROADSIDE_OUTBOUND_ADDRESSES must be one of {', '.join(POLICIES)}, not {policy!r}."
        )
    return policy


def outbound_session(timeout: tuple[float, float] | None = None) -> requests.Session:
    """A requests session that connects only to allowed addresses and follows no redirect.

    `timeout` is (connect, read) seconds for requests that give none;
    BROADSIDE_CHANNEL_TIMEOUT by default. A refused address raises
    `RefusedAddress` (a requests.RequestException) before anything is sent;
    a 3xx answer is returned as it is, for the caller to classify.
    """
    policy = address_policy()
    return HTTPSession(
        Config(
            ip_filter_enable=policy != PRIVATE,
            ip_filter_allow_loopback_ips=policy == LOOPBACK,
            never_redirect=True,
            default_timeout=tuple(timeout or settings.BROADSIDE_CHANNEL_TIMEOUT),
        )
    )


def check_outbound_url(url: str) -> None:
    """Refuse a URL Broadside must not send requests to; return None if it may.

    Refused: anything but http(s), a URL with a user name or password (always),
    and a host that is, or resolves to, an address the policy refuses. A name
    that does not resolve now is accepted: the session checks again, at
    connection time, the address it actually connects to.
    Raises django.core.exceptions.ValidationError with a message for the editor
    (the URL itself is never repeated in it: it may hold a secret).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            _("Enter an http:// or https:// address with a host name."), code="scheme"
        )
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError(
            _(
                "Remove the user name and password from the address: put credentials in the "
                "credentials field, where they are stored encrypted."
            ),
            code="userinfo",
        )
    policy = address_policy()
    if policy == PRIVATE:
        return
    default_port = 443 if parts.scheme.lower() == "https" else 80
    try:
        get_ip_address(parts.hostname, port or default_port, allow_loopback=policy == LOOPBACK)
    except InvalidIPAddress:
        raise ValidationError(
            _(
                "%(host)s is a local or private network address. Broadside sends requests only "
                "to public addresses (an operator can allow private ones with "
                "BROADSIDE_OUTBOUND_ADDRESSES)."
            )
            % {"host": parts.hostname},
            code="private_address",
        ) from None
    except (socket.gaierror, UnicodeError):
        return
