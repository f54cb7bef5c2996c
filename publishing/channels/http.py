"""The one HTTP transport of the channels: timeouts, the outbound address policy, errors.

`HttpChannel` is the base of every channel that talks HTTP. Its requests go
through `publishing.outbound.outbound_session()`: only allowed addresses,
checked at connection time, and no redirects. `request()` turns transport
failures, and `raise_for_status()` error answers, into the pipeline's three
exceptions (base.py).

What an error says is shown to every editor, so it holds the status and the
network's *documented* error fields only (each channel extracts them, e.g.
with `json_fields`), cleaned of control characters and shortened:
never the raw body, which a server at a configured address could fill with
anything (an HTML page, a reflected token).
"""

from __future__ import annotations

import email.utils
import socket
import time
import unicodedata
from datetime import datetime
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from publishing.outbound import RefusedAddress, outbound_session

from .base import AuthenticationFailed, Channel, OutcomeUnknown, PermanentError, TemporaryError

ERROR_DETAIL_LIMIT = 200

# The request could not even be built: nothing was sent.
_NOT_SENT = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
    requests.exceptions.URLRequired,
)
# RFC 9110 §15.4.8-9: the request was not acted on and must be repeated elsewhere.
_NOT_ACTED_ON_REDIRECTS = (307, 308)


class HttpChannel(Channel):
    """A channel that talks HTTP through the shared transport."""

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.timeout = tuple(self.options.get("timeout", settings.BROADSIDE_CHANNEL_TIMEOUT))
        self.http = outbound_session(self.timeout)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def request(
        self, method: str, path: str, *, sending: bool = False, **kwargs
    ) -> requests.Response:
        """Make one HTTP request to base URL + path; transport failures become our exceptions.

        `sending` marks the request that publishes: a timeout or dropped
        connection there means the post may exist (OutcomeUnknown). An address
        the policy refuses, or a URL that cannot be sent, is a PermanentError
        (nothing was sent). Redirects are returned, never followed.
        """
        kwargs.setdefault("timeout", self.timeout)
        kwargs["allow_redirects"] = False
        try:
            return self.http.request(method, self.url(path), **kwargs)
        except RefusedAddress:
            raise PermanentError(
                _(
                    "Broadside does not connect to %(url)s: it is a local or private network "
                    "address (see BROADSIDE_OUTBOUND_ADDRESSES)."
                )
                % {"url": self.origin}
            ) from None
        except _NOT_SENT as error:
            raise PermanentError(
                _("Cannot send to %(url)s (%(error)s).")
                % {"url": self.origin, "error": type(error).__name__}
            ) from None
        except requests.ConnectTimeout as error:
            raise TemporaryError(_("Could not connect to %(url)s.") % {"url": self.origin}) from (
                error
            )
        except requests.RequestException as error:
            refused = isinstance(error, requests.ConnectionError) and _never_connected(error)
            if sending and not refused:
                raise OutcomeUnknown(
                    _("No answer from %(url)s after sending: the post may or may not exist.")
                    % {"url": self.origin}
                ) from error
            raise TemporaryError(
                _("Could not reach %(url)s (%(error)s).")
                % {"url": self.origin, "error": type(error).__name__}
            ) from error

    def raise_for_status(
        self, response: requests.Response, error_text: str = "", *, sending: bool = False
    ) -> None:
        """Classify an answer that is not a success.

        429 and 5xx are temporary, other 4xx permanent; except on the request
        that publishes, for a network without duplicate protection, where a 500,
        502 or 504 may hide a post that went through. A redirect is never
        followed: 307/308 were not acted on (permanent: the address needs
        fixing); another 3xx to a publishing request (303 answers a POST that was
        processed) may hide a post. `error_text` is the network's documented
        error field(s); the raw body is never reported.
        """
        status = response.status_code
        if status < 300:
            return
        detail = shorten(error_text)
        if 300 <= status < 400:
            message = _(
                "%(network)s answered with a redirect (%(status)s), which Broadside does not "
                "follow: enter the final address as the API base URL."
            ) % {"network": self.verbose_name, "status": status}
            if sending and status not in _NOT_ACTED_ON_REDIRECTS:
                raise OutcomeUnknown(message, status=status)
            raise PermanentError(message, status=status)
        if detail:
            message = _("%(network)s answered %(status)s: %(detail)s") % {
                "network": self.verbose_name,
                "status": status,
                "detail": detail,
            }
        else:
            message = _("%(network)s answered %(status)s.") % {
                "network": self.verbose_name,
                "status": status,
            }
        # A 500, 502 or 504 on the request that publishes may hide a post that went through
        # (mastodon/mastodon#40399: 504 after creating the status, then 500 for every retry
        # with its Idempotency-Key): the outcome is unknown even on a duplicate-safe network,
        # which is still retried, but the doubt is kept.
        if sending and status in (500, 502, 504):
            raise OutcomeUnknown(message, status=status)
        if status == 429 or status >= 500:
            raise TemporaryError(message, status=status, retry_after=retry_after(response))
        if status == 401:  # RFC 9110 §15.5.2: the credentials were refused
            raise AuthenticationFailed(message, status=status)
        raise PermanentError(message, status=status)


def shorten(text: str, limit: int = ERROR_DETAIL_LIMIT) -> str:
    """`text` on one line, without control or format characters, at most `limit` characters."""
    cleaned = "".join(
        " " if unicodedata.category(char)[0] in "CZ" else char for char in str(text or "")
    )
    cleaned = " ".join(cleaned.split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def json_object(response: requests.Response) -> dict[str, Any]:
    """The answer's body as a JSON object; {} when it is not JSON or not an object."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def json_fields(response: requests.Response, *names: str) -> str:
    """The named top-level string (or number) fields of a JSON object answer, joined with ": ".

    "" when the answer is not a JSON object or has none of them. Channels pass
    the error fields their network documents: nothing else is ever reported.
    """
    body = json_object(response)
    values = [body.get(name) for name in names]
    return ": ".join(str(value) for value in values if isinstance(value, str | int) and value)


def _never_connected(error: requests.ConnectionError) -> bool:
    """True when the connection was refused or never established (nothing was sent)."""
    if isinstance(error.__cause__, socket.gaierror):  # the transport's own name lookup
        return True
    text = repr(error)
    return any(
        marker in text
        for marker in ("NewConnectionError", "Connection refused", "NameResolutionError")
    )


def retry_after(response: requests.Response) -> float | None:
    """Seconds to wait, from Retry-After or a rate-limit reset header (whichever is given).

    X sends x-rate-limit-reset and Bluesky ratelimit-reset as Unix times,
    Mastodon X-RateLimit-Reset as an ISO 8601 time, HTTP Retry-After seconds or a date.
    """
    for name in ("Retry-After", "x-rate-limit-reset", "ratelimit-reset", "X-RateLimit-Reset"):
        value = response.headers.get(name)
        if value:
            seconds = _seconds_until(value.strip())
            if seconds is not None:
                return max(seconds, 0.0)
    return None


def _seconds_until(value: str) -> float | None:
    now = time.time()
    try:
        number = float(value)
    except ValueError:
        pass
    else:
        return number - now if number > 1_000_000_000 else number
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() - now
    except ValueError:
        pass
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError):
        return None
