"""Storing what a flow obtained: a new account, or new credentials for an existing one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from publishing.models import SocialAccount
from publishing.social.credentials import CredentialsError

# Credentials a network may not send again when a person reconnects, but that are still
# needed (LinkedIn grants a refresh token once, for its 365 days; a later consent without
# one leaves the earlier one valid).
KEPT_ACROSS_RECONNECT = ("refresh_token", "refresh_token_expires_at")


@sensitive_variables()
def merge_credentials(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """`new`, plus the refresh token of `old` when `new` has none (same network account)."""
    merged = dict(new)
    for name in KEPT_ACROSS_RECONNECT:
        if not merged.get(name) and old.get(name):
            merged[name] = old[name]
    return merged


@sensitive_variables()
def store(
    *,
    channel: str,
    credentials: dict[str, Any],
    verified_as: str,
    base_url: str = "",
    expires_at: datetime | None = None,
    state: dict[str, Any] | None = None,
    account: SocialAccount | None = None,
    name: str = "",
    locale_ids: list[int] | None = None,
) -> SocialAccount:
    """Create the account (name, languages) or give an existing one its new credentials.

    Reconnecting keeps the account's name, languages, template and enabled flag, and a
    refresh token the network did not send again; it clears the authentication flag.
    Raises CredentialsError when the credentials cannot be encrypted (a malformed key)."""
    now = timezone.now()
    with transaction.atomic():
        if account is None:
            account = SocialAccount(name=name, channel=channel)
        else:
            account = SocialAccount.objects.select_for_update().get(pk=account.pk)
            try:
                old = account.credentials if account.channel == channel else {}
            except CredentialsError:  # unreadable: nothing in them can be kept
                old = {}
            credentials = merge_credentials(old, credentials)
        account.channel = channel
        account.base_url = base_url
        account.credentials = credentials
        account.state = state or {}
        account.verified_as = verified_as[:200]
        account.token_expires_at = expires_at
        account.token_obtained_at = now
        account.auth_failed_at = None
        account.save()
        if locale_ids is not None:
            account.locales.set(locale_ids)
    return account
