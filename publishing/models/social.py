"""Social accounts and the outbox of deliveries.

A delivery is one post of one page translation to one account for one
publication. It is written in the transaction that publishes the page, so a
publish and its posts can never disagree; the worker moves it through its
states and records what the network answered.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.debug import sensitive_variables

from publishing.messages import message, show_message, stored_text
from publishing.social.credentials import CredentialsError, decrypt_credentials, encrypt_credentials

logger = logging.getLogger(__name__)


class SocialAccount(models.Model):
    """An account Broadside posts to, for one or more languages."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    channel = models.CharField(
        _("channel"),
        max_length=50,
        help_text=_("The network (a key of BROADSIDE_CHANNELS)."),
    )
    locales = models.ManyToManyField(
        "wagtailcore.Locale",
        verbose_name=_("languages"),
        related_name="+",
        help_text=_("Letters published in these languages are posted to this account."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    base_url = models.URLField(
        _("API base URL"),
        blank=True,
        help_text=_(
            "The server to talk to: a Mastodon instance, a Bluesky PDS, the webhook's URL. "
            "Leave empty for the network's own service."
        ),
    )
    post_template = models.TextField(
        _("post template"),
        blank=True,
        help_text=_(
            "Placeholders: {title}, {standfirst}, {url}, {signatories}, {hashtags}, {mentions}. "
            "Empty: the channel's default."
        ),
    )
    # Encrypted JSON (publishing/credentials.py); never shown back.
    credentials_encrypted = models.TextField(editable=False, default="")
    # Encrypted JSON the channel keeps between posts (sessions, instance limits).
    state_encrypted = models.TextField(editable=False, default="")
    verified_as = models.CharField(_("posts as"), max_length=200, blank=True, editable=False)
    # Connection health (publishing/social/connect/health.py): what the network said last.
    token_expires_at = models.DateTimeField(_("token expires"), null=True, blank=True)
    token_obtained_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_failure = models.TextField(_("last failure"), blank=True, editable=False)
    # Set when the network refused the credentials (401): a person must reconnect.
    auth_failed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("social account")
        verbose_name_plural = _("social accounts")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    @sensitive_variables()
    def credentials(self) -> dict[str, Any]:
        """The decrypted credentials. Raises CredentialsError when no configured key reads them."""
        return decrypt_credentials(self.credentials_encrypted)

    @credentials.setter
    @sensitive_variables()
    def credentials(self, value: dict[str, Any]) -> None:
        self.credentials_encrypted = encrypt_credentials(value)

    @property
    @sensitive_variables()
    def state(self) -> dict[str, Any]:
        """What the channel keeps between posts. A cache (sessions, instance limits): one no
        key decrypts is started afresh, as after a logout, rather than stopping the account."""
        try:
            return decrypt_credentials(self.state_encrypted)
        except CredentialsError:
            logger.warning("Account %s: its saved session cannot be decrypted; dropped.", self.pk)
            return {}

    @state.setter
    @sensitive_variables()
    def state(self, value: dict[str, Any]) -> None:
        self.state_encrypted = encrypt_credentials(value)

    def credentials_problem(self) -> str:
        """Why a person must look at the account's credentials ("" when they are readable)."""
        try:
            self.credentials  # noqa: B018  (decrypting is the test)
        except CredentialsError as error:
            return str(error)
        return ""

    credentials_problem.short_description = _("needs attention")

    @property
    def base_url_origin(self) -> str:
        """scheme://host[:port] of the base URL, safe to print: a webhook's path (Slack,
        Discord) is its secret, and user:password@ may precede the host."""
        if not self.base_url:
            return ""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"

    @property
    def base_url_masked(self) -> str:
        """The base URL as pages show it: its origin, then "/…" when anything followed."""
        origin = self.base_url_origin
        return origin if self.base_url.rstrip("/") == origin else f"{origin}/…"

    @sensitive_variables()
    def build_channel(self, build):
        """The account's channel, with its credentials and state: `build` is
        publishing.channels.build_channel (the caller resolves channels; models import none).
        Raises CredentialsError (see `credentials`) and what `build` raises (UnknownChannel)."""
        return build(
            self.channel, base_url=self.base_url, credentials=self.credentials, state=self.state
        )

    def keep_state(self, channel) -> None:
        """Save what the channel learnt (a refreshed session) if it changed."""
        if channel.state != self.state:
            self.state = channel.state
            SocialAccount.objects.filter(pk=self.pk).update(state_encrypted=self.state_encrypted)

    @classmethod
    def record_success(cls, account_id: int) -> None:
        """A post went out: the account's health shows when (one UPDATE)."""
        cls.objects.filter(pk=account_id).update(last_success_at=timezone.now())

    @classmethod
    def record_failure(cls, account_id: int, error: str, *, authentication: bool = False) -> str:
        """A post was refused: the account's health shows why (one UPDATE). When the
        network refused the account's token (`authentication`), the account is flagged
        to be reconnected; returns the delivery's error in either case (stored text,
        publishing.messages: the advice is shown in each editor's language)."""
        now = timezone.now()
        fields = {"last_failure_at": now, "last_failure": error[:500]}
        if authentication:
            fields["auth_failed_at"] = now
            error = stored_text(
                message(gettext_noop("%(error)s Reconnect the account, then retry."), error=error)
            )
        cls.objects.filter(pk=account_id).update(**fields)
        return error


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    RETRYING = "retrying", _("Retrying")
    FAILED = "failed", _("Failed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed: check the account")
    SKIPPED = "skipped", _("Skipped")


# States a worker may pick a delivery up from.
CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)
# States a person may retry from.
RETRYABLE = (DeliveryStatus.FAILED, DeliveryStatus.UNCONFIRMED, DeliveryStatus.SKIPPED)


class Delivery(models.Model):
    """One post of one page translation to one account, for one publication."""

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="deliveries",
    )
    page_title = models.CharField(_("page title"), max_length=255)
    locale = models.ForeignKey(
        "wagtailcore.Locale", verbose_name=_("language"), on_delete=models.PROTECT, related_name="+"
    )
    account = models.ForeignKey(
        SocialAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    # 1 for the first share of the page on this account, 2 after "post again", …
    publication = models.PositiveSmallIntegerField(_("publication"), default=1)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why it was skipped or posted again.")
    )
    # Chosen before the first attempt and kept: Mastodon's Idempotency-Key,
    # Bluesky's record key, the webhook's delivery id.
    idempotency_key = models.CharField(max_length=64)
    text = models.TextField(_("text"), blank=True)
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set just before the request that publishes and cleared once its outcome is
    # known: while set, the network may have the post (a lost answer, a crash), and
    # the next attempt must look before it sends. The one fact "may already be
    # posted" is read from (`outcome_unknown`).
    send_started_at = models.DateTimeField(null=True, blank=True)
    first_send_at = models.DateTimeField(null=True, blank=True)
    # The worker holding the delivery, and until when: a late worker whose lease
    # was handed on can no longer act.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # What the channel keeps for this delivery across attempts (Instagram's and Threads'
    # container id, stored before publishing); not secret, so not encrypted.
    channel_state = models.JSONField(default=dict, blank=True, editable=False)
    remote_id = models.CharField(_("remote id"), max_length=200, blank=True)
    remote_url = models.URLField(_("link"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    page_unpublished_at = models.DateTimeField(
        _("page unpublished at"),
        null=True,
        blank=True,
        help_text=_("The page was unpublished after this post; the post itself stays."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["page", "account", "publication"], name="one_delivery_per_publication"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        permissions = [("retry_delivery", _("Can retry, confirm and repeat social posts"))]

    def __str__(self) -> str:
        return f"{self.page_title} → {self.account_id} #{self.publication}"

    def error_for_reader(self) -> str:
        """The error in the active language: our words are stored as messages, a network's
        as it sent them (publishing.messages). The report's column and export read it."""
        return show_message(self.error)

    error_for_reader.short_description = _("error")

    @property
    def outcome_unknown(self) -> bool:
        """An attempt started a send whose outcome is not known: the post may exist."""
        return self.send_started_at is not None


class LetterLaunch(models.Model):
    """The moment a letter first went live (public, real, set to post) in one language.

    Social posts follow launches, not publishes: a letter is posted when it is launched,
    and later publishes of it (a typo fixed, an account added since) post nothing. It is
    keyed on the translation, not the page row, because a translation started from an
    alias keeps the alias's row and its `first_published_at` (set when the alias was made).
    """

    translation_key = models.UUIDField()
    locale = models.ForeignKey(
        "wagtailcore.Locale", verbose_name=_("language"), on_delete=models.CASCADE, related_name="+"
    )
    page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    launched_at = models.DateTimeField(_("launched at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("letter launch")
        verbose_name_plural = _("letter launches")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "locale"], name="one_launch_per_translation"
            )
        ]

    def __str__(self) -> str:
        return f"{self.translation_key} [{self.locale_id}] {self.launched_at:%Y-%m-%d %H:%M}"
