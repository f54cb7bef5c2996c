"""The worker: moving one delivery through its states (the sweep after dead workers is
`publishing.social.sweep`).

    pending ─claim→ sending ─→ sent
                       ├─→ retrying (nothing posted: connection refused, 5xx, 429;
                       │             or an unknown outcome on a network with a
                       │             duplicate-proof key) ─claim→ sending …
                       ├─→ failed (the network refused; or out of attempts)
                       ├─→ unconfirmed (maybe posted, no duplicate protection)
                       └─→ skipped (account disabled, page no longer live or public,
                                    credentials no configured key decrypts: the account
                                    needs attention, and a person retries once it is fixed)

Every transition is a conditional UPDATE on the current state, so two
workers (or a worker and an editor) cannot both act on one delivery, and a
task that runs twice does nothing the second time. Nothing here enqueues: an
attempt returns when to try again (`Attempt.retry_at`) and the task layer
(`publishing.social.tasks`) schedules it.
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Now
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from home.links import http_url
from publishing.channels import UnknownChannel, build_channel
from publishing.channels.base import (
    AuthenticationFailed,
    OutcomeUnknown,
    PermanentError,
    TemporaryError,
)
from publishing.messages import Part, message, stored_text
from publishing.models import Delivery, DeliveryStatus, SocialAccount
from publishing.models.social import CLAIMABLE

from .compose import CompositionError
from .credentials import CredentialsError
from .posts import CardNotReady, build_post, post_url
from .recording import shareable_letter

logger = logging.getLogger(__name__)
Status = DeliveryStatus
# How long a delivery waits for its share card to be drawn (the card task runs on publish).
CARD_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Attempt:
    """What one run of `deliver` did: the state the delivery is in (or "not-claimed",
    "lease-lost"); when it is `retrying`, the time from which to try again; and the page
    whose share card it waits for, when it found none current (the caller has it drawn)."""

    status: str
    retry_at: datetime | None = None
    awaits_card_of: int | None = None


# Keeps "a send started whose outcome is unknown" (the stored fact), or records it now.
_DOUBT_KEPT = Coalesce(F("send_started_at"), Now())


def attempts_left(made: int) -> bool:
    """Whether a delivery that has made `made` attempts may make another: the one cap
    (BROADSIDE_DELIVERY_MAX_ATTEMPTS)."""
    return made < settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS


class LeaseLost(Exception):
    """Another worker took the delivery over (this one outlived its lease)."""


def _lease() -> timedelta:
    return timedelta(seconds=settings.BROADSIDE_DELIVERY_LEASE_SECONDS)


def claim(delivery_id: int) -> Delivery | None:
    now = timezone.now()
    token = uuid.uuid4().hex
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status__in=CLAIMABLE)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            claim_token=token,
            claimed_until=now + _lease(),
        )
    )
    if not claimed:
        return None
    return Delivery.objects.select_related("account", "locale").get(pk=delivery_id)


def _mine(delivery: Delivery):
    return Delivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, claim_token=delivery.claim_token
    )


def _finish(delivery: Delivery, status: str, **fields) -> bool:
    return bool(_mine(delivery).update(status=status, claimed_until=None, claim_token="", **fields))


def _start_sending(delivery: Delivery, text: str) -> None:
    """Mark the publishing request as started, renewing the lease; refuse if it was lost."""
    now = timezone.now()
    started = (
        _mine(delivery)
        .filter(claimed_until__gt=now)
        .update(
            text=text,
            send_started_at=now,
            first_send_at=delivery.first_send_at or now,
            claimed_until=now + _lease(),
        )
    )
    if not started:
        raise LeaseLost


def deliver(delivery_id: int) -> Attempt:
    """Compose, validate, send and record one delivery. Returns the state it ends in and,
    when it is to be tried again, from when (the caller schedules that).

    The errors and reasons it stores are read later by editors in their own admin languages:
    its own words are stored as messages (publishing.messages), translated when shown. What
    a channel raised is stored as it said it, our words around a network's in the site's
    language (LANGUAGE_CODE), never in whatever language a request left active; the post
    itself is composed in the letter's language (posts.build_post)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _deliver(delivery_id)


def _deliver(delivery_id: int) -> Attempt:
    delivery = claim(delivery_id)
    if delivery is None:
        return Attempt("not-claimed")
    account = delivery.account
    if not attempts_left(delivery.attempts - 1):
        # Only a crash loop gets here: every normal failure is counted in _retry_later.
        status = Status.UNCONFIRMED if delivery.outcome_unknown else Status.FAILED
        gave_up = message(gettext_noop("Gave up: every attempt stopped before it finished."))
        _finish(delivery, status, error=stored_text(gave_up))
        return Attempt(status)
    # An earlier attempt may have posted: stopping now must keep that doubt for a person.
    stopped = Status.UNCONFIRMED if delivery.outcome_unknown else None
    if not account.enabled:
        reason = stored_text(message(gettext_noop("The account was disabled.")))
        _finish(delivery, stopped or Status.SKIPPED, reason=reason)
        return Attempt(stopped or Status.SKIPPED)
    letter = shareable_letter(delivery.page_id) if delivery.page_id else None
    if letter is None:
        reason = stored_text(message(gettext_noop("The page is no longer live and public.")))
        _finish(delivery, stopped or Status.SKIPPED, reason=reason)
        return Attempt(stopped or Status.SKIPPED)
    try:
        channel = account.build_channel(build_channel)
    except CredentialsError as error:
        # The account's fault, not the letter's: nothing was tried; Retry once it is fixed.
        _finish(delivery, stopped or Status.SKIPPED, error=str(error))
        return Attempt(stopped or Status.SKIPPED)
    except UnknownChannel as error:
        _finish(delivery, stopped or Status.FAILED, error=str(error))
        return Attempt(stopped or Status.FAILED)
    channel.delivery_state = dict(delivery.channel_state or {})
    channel.keep_delivery_state = lambda state: _keep_channel_state(delivery, state)
    try:
        return _deliver_with(delivery, letter, channel)
    finally:
        account.keep_state(channel)


def _keep_channel_state(delivery: Delivery, state: dict) -> None:
    """Store what the channel must not forget (a container id) before its next request;
    refuse if the delivery is no longer this worker's (LeaseLost: do not publish)."""
    if not _mine(delivery).update(channel_state=state):
        raise LeaseLost


def _deliver_with(delivery: Delivery, letter, channel) -> Attempt:
    if delivery.outcome_unknown and not _may_resend(delivery, channel):
        return Attempt(_settle_doubt(delivery, channel, post_url(letter), _unconfirmed_message()))
    try:
        post = build_post(
            letter,
            delivery.account,
            channel,
            key=delivery.idempotency_key,
            resumed=delivery.outcome_unknown or delivery.first_send_at is not None,
        )
        problems = channel.validate(post)
        if problems and delivery.outcome_unknown:
            return Attempt(_settle_doubt(delivery, channel, post.url, "\n".join(problems)))
        if problems:
            _finish(delivery, Status.FAILED, text=post.text, error="\n".join(problems))
            return Attempt(Status.FAILED)
        _start_sending(delivery, post.text)
        sent = channel.send(post)
    except LeaseLost:
        logger.warning("Delivery %s was taken over by another worker", delivery.pk)
        return Attempt("lease-lost")
    except CardNotReady as error:
        attempt = _retry_later(
            delivery, str(error), CARD_WAIT_SECONDS, outcome_unknown=False, channel=channel
        )
        return replace(attempt, awaits_card_of=letter.pk)
    except CompositionError as error:
        if delivery.outcome_unknown:
            return Attempt(_settle_doubt(delivery, channel, post_url(letter), str(error)))
        _finish(delivery, Status.FAILED, error=str(error))
        return Attempt(Status.FAILED)
    except TemporaryError as error:
        return _retry_later(
            delivery, str(error), error.retry_after, outcome_unknown=False, channel=channel
        )
    except OutcomeUnknown as error:
        if _may_resend(delivery, channel):
            return _retry_later(delivery, str(error), None, outcome_unknown=True, channel=channel)
        return Attempt(_settle_doubt(delivery, channel, post.url, str(error)))
    except PermanentError as error:
        # A refusal now says nothing of an earlier attempt that may have posted.
        if delivery.outcome_unknown:
            return Attempt(_settle_doubt(delivery, channel, post_url(letter), str(error)))
        refused = SocialAccount.record_failure(
            delivery.account_id, str(error), authentication=isinstance(error, AuthenticationFailed)
        )
        _finish(delivery, Status.FAILED, error=refused, send_started_at=None)
        return Attempt(Status.FAILED)
    except Exception:
        # A bug, not the network: never leave the delivery "sending" for ever.
        logger.exception("Delivery %s crashed", delivery.pk)
        # Started now, or by an earlier attempt whose doubt stands: the post may exist.
        started = _mine(delivery).filter(send_started_at__isnull=False).exists()
        _finish(
            delivery,
            Status.UNCONFIRMED if started else Status.FAILED,
            error=stored_text(
                message(gettext_noop("Broadside failed while sending; see the logs."))
            ),
        )
        raise
    _finish(
        delivery,
        Status.SENT,
        remote_id=sent.remote_id[:200],
        remote_url=_post_url(sent.url),
        sent_at=timezone.now(),
        send_started_at=None,
        error="",
    )
    SocialAccount.record_success(delivery.account_id)
    return Attempt(Status.SENT)


def _post_url(url: str) -> str:
    """The network's link to the post, kept only if it is an http(s) URL that fits the field."""
    url = http_url(url)
    return url if len(url) <= Delivery._meta.get_field("remote_url").max_length else ""


def _settle_doubt(delivery: Delivery, channel, url: str, error: Part) -> str:
    """End a delivery that an attempt may have posted: *sent* if the network shows the post,
    otherwise *unconfirmed* for a person, never *failed* (nothing proves it was not posted).
    """
    found = _look_for_post(delivery, channel, url)
    if found is not None:
        _finish(
            delivery,
            Status.SENT,
            remote_id=found.remote_id[:200],
            remote_url=found.url,
            sent_at=timezone.now(),
            send_started_at=None,
            error="",
            reason=stored_text(
                message(gettext_noop("The answer was lost; the post was found on the network."))
            ),
        )
        return Status.SENT
    _finish(
        delivery,
        Status.UNCONFIRMED,
        send_started_at=_DOUBT_KEPT,
        error=stored_text(error, _unconfirmed_message()),
    )
    return Status.UNCONFIRMED


def _look_for_post(delivery: Delivery, channel, url: str):
    """The post, if the channel can find it; None when it cannot look or looking failed
    (the delivery then stays a doubt for a person: looking is evidence only when it finds)."""
    first = Delivery.objects.filter(pk=delivery.pk).values_list("first_send_at", flat=True)[0]
    known = frozenset(
        Delivery.objects.filter(page_id=delivery.page_id, account_id=delivery.account_id)
        .exclude(pk=delivery.pk)
        .exclude(remote_id="")
        .values_list("remote_id", flat=True)
    )
    try:
        return channel.find_post(key=delivery.idempotency_key, url=url, since=first, known=known)
    except (TemporaryError, PermanentError, OutcomeUnknown) as error:
        logger.warning("Delivery %s: could not look for the post: %s", delivery.pk, error)
        return None


def _unconfirmed_message() -> Part:
    return message(
        gettext_noop(
            "The network may have the post, and it offers no protection against duplicates: "
            "check the account, then choose Mark as posted or Retry."
        )
    )


def may_resend(channel_class, first_send_at) -> bool:
    """Whether a send whose outcome is unknown may be repeated: the network has a
    duplicate-proof key and still remembers it."""
    if not channel_class.duplicate_safe:
        return False
    window = channel_class.duplicate_window
    return (
        window is None
        or first_send_at is None
        or (timezone.now() - first_send_at).total_seconds() < window
    )


def _may_resend(delivery: Delivery, channel) -> bool:
    first = Delivery.objects.filter(pk=delivery.pk).values_list("first_send_at", flat=True)[0]
    return may_resend(type(channel), first)


def backoff_seconds(attempt: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter ("equal jitter"); at least what the network asked for."""
    first, longest = settings.BROADSIDE_DELIVERY_BACKOFF
    ceiling = min(longest, first * 2 ** max(attempt - 1, 0))
    delay = ceiling / 2 + random.uniform(0, ceiling / 2)
    return max(delay, retry_after or 0.0)


def _retry_later(
    delivery: Delivery,
    error: str,
    retry_after: float | None,
    *,
    outcome_unknown: bool,
    channel,
) -> Attempt:
    """Schedule the next attempt. A temporary error says nothing was posted *this* time;
    an earlier unknown outcome still stands (its `send_started_at` is kept here), and
    out of attempts it is settled by looking for the post through `channel`, never turned
    into *failed*."""
    attempts = delivery.attempts  # as counted by claim()
    unknown = outcome_unknown or delivery.outcome_unknown
    fields = {"send_started_at": _DOUBT_KEPT if unknown else None}
    if not attempts_left(attempts):
        if unknown:
            return Attempt(_settle_doubt(delivery, channel, _letter_url(delivery), error))
        gave_up = message(
            gettext_noop("Gave up after %(count)s attempts. Last error: %(error)s"),
            count=attempts,
            error=error,
        )
        _finish(delivery, Status.FAILED, error=stored_text(gave_up), **fields)
        return Attempt(Status.FAILED)
    run_after = timezone.now() + timedelta(seconds=backoff_seconds(attempts, retry_after))
    _finish(delivery, Status.RETRYING, error=error, next_attempt_at=run_after, **fields)
    return Attempt(Status.RETRYING, retry_at=run_after)


def _letter_url(delivery: Delivery) -> str:
    letter = shareable_letter(delivery.page_id) if delivery.page_id else None
    return post_url(letter) if letter is not None else ""
