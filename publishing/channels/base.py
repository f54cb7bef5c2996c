"""The contract between the pipeline and a social network.

A channel receives a composed `Post` — text, link, language, card bytes and
alt text — never a page. It says how the network counts text
(`text_rules`), checks a post before sending (`validate`), sends it (`send`)
and classifies what went wrong into three exceptions the pipeline acts on:

- `TemporaryError`: nothing was posted; try again later (connection refused,
  5xx, 429 — with the wait the network asked for).
- `PermanentError`: the network refused the post; a person must act.
- `OutcomeUnknown`: the request may have been acted on (timeout or a dropped
  connection after sending). Retried only by channels with `duplicate_safe`.
"""

from __future__ import annotations

import email.utils
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from publishing.compose import DEFAULT_TEMPLATE, PlainTextRules, TextRules

ERROR_TEXT_LIMIT = 500


@dataclass(frozen=True)
class Card:
    """The share card of the page in the post's language."""

    data: bytes
    mime_type: str
    alt: str
    width: int
    height: int
    url: str = ""


@dataclass(frozen=True)
class Post:
    text: str
    url: str
    language: str
    title: str = ""
    description: str = ""
    card: Card | None = None
    # Chosen before the first attempt and kept across retries: Mastodon's
    # Idempotency-Key, Bluesky's record key, the webhook's delivery id.
    key: str = ""
    # An earlier attempt may have reached the network.
    resumed: bool = False


@dataclass(frozen=True)
class SentPost:
    remote_id: str
    url: str = ""


class DeliveryError(Exception):
    """Base of what a channel raises; the message is shown to the editor."""

    def __init__(self, message: str, *, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


class TemporaryError(DeliveryError):
    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class PermanentError(DeliveryError):
    pass


class OutcomeUnknown(DeliveryError):
    pass


class Channel:
    """Base class of every channel. Subclasses set the class attributes and `send`."""

    verbose_name: ClassVar[Any] = gettext_lazy("Channel")
    # The network whose handles are mentioned and whose post texts are used
    # (home.models.SocialNetwork values); "" for channels that are not a network.
    network: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    credential_fields: ClassVar[tuple[str, ...]] = ()
    # Which share card variant to attach (publishing.share_images.card.VARIANTS), or None.
    card_variant: ClassVar[str | None] = "og"
    default_template: ClassVar[str] = DEFAULT_TEMPLATE
    # True when a retry after an unknown outcome cannot post twice; for how many
    # seconds after the first attempt the network remembers (None: for ever).
    duplicate_safe: ClassVar[bool] = False
    duplicate_window: ClassVar[float | None] = None

    def __init__(
        self,
        *,
        base_url: str = "",
        credentials: dict[str, Any] | None = None,
        state: dict[str, Any] | None = None,
        options: dict[str, Any] | None = None,
    ):
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.credentials = credentials or {}
        # Kept between deliveries (encrypted, like credentials): sessions, instance limits.
        self.state = dict(state or {})
        self.options = options or {}
        self.timeout = tuple(self.options.get("timeout", settings.BROADSIDE_CHANNEL_TIMEOUT))
        # Set for previews: use what is known, make no network call.
        self.offline = False
        self.http = requests.Session()

    def __repr__(self) -> str:  # never the credentials
        return f"<{type(self).__name__} {self.origin}>"

    # -- what a channel says about itself ------------------------------------------
    @classmethod
    def missing_credentials(cls, credentials: dict[str, Any]) -> list[str]:
        return [field for field in cls.credential_fields if not credentials.get(field)]

    def text_rules(self) -> TextRules:
        return PlainTextRules()

    def mention(self, handle: str) -> str:
        """How an organization's handle is written to mention it on this network."""
        handle = handle.strip()
        return handle if handle.startswith("@") else f"@{handle}"

    @classmethod
    def new_key(cls) -> str:
        return uuid.uuid4().hex

    # -- the work -------------------------------------------------------------------
    def validate(self, post: Post) -> list[str]:
        """Problems that would make the network refuse the post, for the editor."""
        rules = self.text_rules()
        problems = []
        if not rules.fits(post.text):
            problems.append(
                _("The text is too long for %(network)s: %(count)s.")
                % {"network": self.verbose_name, "count": rules.describe(post.text)}
            )
        return problems

    def send(self, post: Post) -> SentPost:
        raise NotImplementedError

    def verify(self) -> str:
        """Check the credentials against the network; return who they post as."""
        raise NotImplementedError

    def find_post(
        self, *, key: str, url: str, since: datetime | None, known: frozenset[str]
    ) -> SentPost | None:
        """Look on the network for a post an attempt with an unknown outcome may have made.

        `key` is the delivery's key, `url` the link the post carries, `since` when the first
        attempt started (None: unknown), `known` remote ids already recorded for other
        deliveries of the same link (earlier postings, not this one). Returns the post, or
        None when it was not found or the network offers no way to look (the default).
        Raises DeliveryError subclasses when the lookup itself fails.
        """
        return None

    # -- helpers for subclasses -----------------------------------------------------
    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    @property
    def origin(self) -> str:
        """scheme://host of the base URL: safe to show (a webhook's path may be its secret)."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"

    def request(
        self, method: str, path: str, *, sending: bool = False, session=None, **kwargs
    ) -> requests.Response:
        """Make one HTTP request and turn transport failures into our exceptions.

        `sending` marks the request that publishes: a timeout or dropped
        connection there means the post may exist.
        """
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = (session or self.http).request(method, self.url(path), **kwargs)
        except requests.ConnectTimeout as error:
            raise TemporaryError(_("Could not connect to %(url)s.") % {"url": self.origin}) from (
                error
            )
        except (requests.ConnectionError, requests.Timeout) as error:
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
        return response

    def raise_for_status(
        self, response: requests.Response, error_text: str = "", *, sending: bool = False
    ) -> None:
        """Classify an error answer: 429 and 5xx are temporary, other 4xx permanent.

        Except on the request that publishes: a 500, 502 or 504 there may hide a post
        that went through (mastodon/mastodon#40399: 504 after creating the status, then
        500 for every retry with its Idempotency-Key), so the outcome is unknown; a
        duplicate-safe network is still retried, but the doubt is kept.
        """
        if response.status_code < 400:
            return
        detail = (error_text or response.text or "")[:ERROR_TEXT_LIMIT]
        message = _("%(network)s answered %(status)s: %(detail)s") % {
            "network": self.verbose_name,
            "status": response.status_code,
            "detail": detail,
        }
        if sending and response.status_code in (500, 502, 504):
            raise OutcomeUnknown(message, status=response.status_code)
        if response.status_code == 429 or response.status_code >= 500:
            raise TemporaryError(
                message, status=response.status_code, retry_after=retry_after(response)
            )
        raise PermanentError(message, status=response.status_code)


def _never_connected(error: requests.ConnectionError) -> bool:
    """True when the connection was refused or never established (nothing was sent)."""
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
