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

Channels that talk HTTP subclass `http.HttpChannel`, the one transport.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

from django.utils.translation import gettext_lazy

from .networks import CredentialField, Network, credential_problems
from .text import PlainTextRules, TextRules

# What a post says when neither the editor nor the account wrote a template
# (placeholders: publishing.social.compose.PLACEHOLDERS).
DEFAULT_TEMPLATE = "{title}\n\n{standfirst}\n\n{url}\n\n{mentions} {hashtags}"


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


class AuthenticationFailed(PermanentError):
    """The network refused the account's credentials (401): a person must reconnect it."""


class OutcomeUnknown(DeliveryError):
    pass


class Channel:
    """Base class of every channel. Subclasses set the class attributes and `send`."""

    verbose_name: ClassVar[Any] = gettext_lazy("Channel")
    # The network whose handles are mentioned and whose post texts are used (its
    # `Network`, which home reads through the broadside_social_networks hook); None for
    # channels that are not a network. `network` is its key ("" for none).
    social_network: ClassVar[Network | None] = None
    network: ClassVar[str] = ""
    # Dotted path of the flow that connects an account from the admin
    # (publishing.social.connect.base.ConnectFlow), or None: credentials are typed in.
    connect_flow: ClassVar[str | None] = None
    default_base_url: ClassVar[str] = ""
    # The keys of the account's credentials JSON, with their help (form, command, README).
    credential_fields: ClassVar[tuple[CredentialField, ...]] = ()
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
        # Set for previews: use what is known, make no network call.
        self.offline = False
        # What earlier attempts of the delivery being sent kept (a container id), and the
        # pipeline's way to store more at once, before the next request (see `remember`).
        self.delivery_state: dict[str, Any] = {}
        self.keep_delivery_state: Callable[[dict[str, Any]], None] | None = None

    def __repr__(self) -> str:  # never the credentials
        return f"<{type(self).__name__} {self.origin}>"

    # -- what a channel says about itself ------------------------------------------
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.social_network is not None:
            cls.network = cls.social_network.key

    @classmethod
    def credential_problems(cls, credentials: Any) -> list[str]:
        """Messages for whoever typed `credentials` (decoded JSON); [] when usable."""
        return credential_problems(cls.verbose_name, cls.credential_fields, credentials)

    @classmethod
    def credentials_help(cls) -> str:
        """The shape of the credentials JSON, e.g. '{"access_token": …}'."""
        return "{" + ", ".join(f'"{field.name}": …' for field in cls.credential_fields) + "}"

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
        """Problems beyond the text's length that would make the network refuse the post,
        for the editor. The length is checked once, by composition (`text_rules()`): a
        composed post always fits."""
        return []

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

    def remember(self, **values: Any) -> None:
        """Store `values` in the delivery's state now, durably, before going on.

        For networks that publish in two steps (Instagram, Threads): the container id is
        remembered before the publishing request, so an attempt after a crash or a lost
        answer asks about that container instead of publishing a second one. Raises
        whatever the pipeline's store raises (another worker took the delivery over).
        """
        self.delivery_state.update(values)
        if self.keep_delivery_state is not None:
            self.keep_delivery_state(dict(self.delivery_state))

    # -- helpers -------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        """scheme://host of the base URL: safe to show (a webhook's path may be its secret)."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
