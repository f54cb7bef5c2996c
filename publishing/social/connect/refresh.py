"""Refreshing tokens ahead of expiry (`manage.py refresh_tokens`, on a timer).

An account is due when its token expires within its flow's `refresh_ahead`
and was obtained at least its `refresh_min_age` ago (Instagram and Threads
refresh only tokens 24 hours old or more; X's OAuth 2 tokens live two hours).
A refusal flags the account (health: reconnect); a network that cannot be
reached is tried again on the next run. Safe to run twice at once: the new
token is written only if the account still has the token that was refreshed
(a conditional UPDATE on `token_obtained_at`, as everywhere in the pipeline),
and no transaction is held during the request.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from publishing.models import SocialAccount
from publishing.social.credentials import CredentialsError

from . import flow_for
from .base import ConnectError, TemporaryFailure
from .save import merge_credentials

logger = logging.getLogger(__name__)

# The widest window any flow uses: the query's bound; each flow's own is checked after.
LONGEST_AHEAD = timedelta(days=14)


def due_accounts(now=None):
    """Accounts that may be due (the flow's own window is checked in `refresh_account`)."""
    now = now or timezone.now()
    return SocialAccount.objects.filter(
        enabled=True,
        token_expires_at__isnull=False,
        token_expires_at__lte=now + LONGEST_AHEAD,
        auth_failed_at__isnull=True,
    )


def is_due(flow, account, now) -> bool:
    """Whether `account`'s token is within `flow`'s refresh window and old enough."""
    return (
        account.token_expires_at - now <= flow.refresh_ahead
        and account.token_obtained_at is not None
        and now - account.token_obtained_at >= flow.refresh_min_age
    )


def refresh_account(account_id: int) -> str:
    """Refresh one account's token. Returns "refreshed", "not-due", "no-refresh",
    "failed" (flagged: reconnect), "later" (the network could not be reached) or
    "raced" (another run refreshed it meanwhile; its token is kept)."""
    now = timezone.now()
    account = due_accounts(now).filter(pk=account_id).first()
    if account is None:
        return "not-due"
    flow = flow_for(account.channel)
    if flow is None:
        return "no-refresh"
    if not is_due(flow, account, now):
        return "not-due"
    # No transaction around the request (it may take seconds): the write below is
    # conditional on the token still being the one refreshed.
    unchanged = SocialAccount.objects.filter(
        pk=account.pk, token_obtained_at=account.token_obtained_at
    )
    try:
        connection = flow.refresh(account.credentials, account.base_url)
    except TemporaryFailure as error:
        logger.warning("Account %s: token refresh postponed: %s", account.pk, error)
        return "later"
    except (ConnectError, CredentialsError) as error:
        unchanged.update(auth_failed_at=now, last_failure_at=now, last_failure=str(error)[:500])
        return "failed"
    if connection is None:
        return "no-refresh"
    account.credentials = merge_credentials(account.credentials, connection.credentials)
    updated = unchanged.update(
        credentials_encrypted=account.credentials_encrypted,
        token_expires_at=connection.expires_at,
        token_obtained_at=timezone.now(),
        verified_as=(connection.verified_as or account.verified_as)[:200],
    )
    return "refreshed" if updated else "raced"


def refresh_due() -> dict[str, int]:
    """Refresh every due account; counts per outcome."""
    counts: dict[str, int] = {}
    for account_id in due_accounts().values_list("pk", flat=True):
        outcome = refresh_account(account_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
