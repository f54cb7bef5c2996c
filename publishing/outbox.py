"""The outbox: recording deliveries, and moving each one through its states.

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
task that runs twice does nothing the second time.
"""

from __future__ import annotations

import logging
import random
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from home.links import http_url

from .channels import UnknownChannel, get_channel_class
from .channels.base import AuthenticationFailed, OutcomeUnknown, PermanentError, TemporaryError
from .compose import CompositionError
from .credentials import CredentialsError
from .models import Delivery, DeliveryStatus, LetterLaunch, SocialAccount
from .models.social import CLAIMABLE, RETRYABLE
from .posts import build_post, post_url

logger = logging.getLogger(__name__)
Status = DeliveryStatus
POST_AGAIN_GUARD_SECONDS = 30


# -- which pages are shared ---------------------------------------------------------------
def shareable_letter(page_id: int):
    """The live, public, real (not alias) letter, or None. Checked, not trusted from signals:
    page_published also fires for aliases and (wagtail#13959) scheduled drafts."""
    from home.models import LetterPage

    # One query for the page as a letter (not Page, then .specific): a publish's budget.
    page = LetterPage.objects.filter(pk=page_id).select_related("locale").first()
    now = timezone.now()
    if page is None or not page.live or page.alias_of_id:
        return None
    if page.go_live_at and page.go_live_at > now:
        return None
    if page.get_view_restrictions().exists():
        return None
    return page


def accounts_for(locale_id: int):
    return SocialAccount.objects.filter(enabled=True, locales=locale_id)


def record_deliveries(page_id: int, revision_id: int | None = None) -> list[int]:
    """Record one delivery per account of the page's language when this publish launches
    the letter in that language (see `launch`); any later publish records nothing.

    Runs inside the publishing transaction, in a constant number of queries
    whatever the number of accounts. Returns the ids to enqueue after commit.
    """
    letter = shareable_letter(page_id)
    if letter is None or not letter.post_on_publish or not launch(letter):
        return []
    accounts = [account for account in accounts_for(letter.locale_id) if _configured(account)]
    if not accounts:
        return []
    deliveries = [
        Delivery(
            page_id=page_id,
            page_title=letter.title[:255],
            locale_id=letter.locale_id,
            account=account,
            publication=1,
            revision_id=revision_id,
            idempotency_key=get_channel_class(account.channel).new_key(),
        )
        for account in accounts
    ]
    # A concurrent publish of the same page may have recorded some: the
    # unique constraint keeps one, and only ours are returned.
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(
            idempotency_key__in=[d.idempotency_key for d in deliveries], page_id=page_id
        ).values_list("pk", flat=True)
    )


def launch(letter) -> bool:
    """Record that `letter` (live, public, real, set to post) went live in its language;
    True only the first time. A letter is posted when it is launched, and never again by a
    publish: not when a typo is fixed, nor when an account was added since (which would
    post the back catalogue). *Post again* and `post_latest_letter` are the ways to repost.

    A concurrent publish of the same translation waits on the unique constraint, inserts
    nothing and gets False (two queries, no savepoint: the publish's query budget is
    tested). A letter first published with "post on publish" off is launched by the first
    publish that turns it on: that is the editor asking for the post.
    """
    now = timezone.now()
    key = {"translation_key": letter.translation_key, "locale_id": letter.locale_id}
    LetterLaunch.objects.bulk_create(
        [LetterLaunch(page_id=letter.pk, launched_at=now, **key)], ignore_conflicts=True
    )
    return LetterLaunch.objects.filter(page_id=letter.pk, launched_at=now, **key).exists()


def _configured(account: SocialAccount) -> bool:
    try:
        get_channel_class(account.channel)
    except UnknownChannel:
        logger.error("Account %s names an unknown channel %r", account.pk, account.channel)
        return False
    return True


def record_unpublished(page_id: int) -> int:
    """Posts stay on the networks; note on each that its page went offline."""
    return Delivery.objects.filter(
        page_id=page_id, status=Status.SENT, page_unpublished_at__isnull=True
    ).update(page_unpublished_at=timezone.now())


def enqueue_on_commit(delivery_ids: list[int]) -> None:
    if not delivery_ids:
        return
    from .tasks import dispatch_deliveries

    # robust: the publish has committed; a queue that is down must not turn it
    # into an error page (resume_deliveries enqueues pending deliveries later).
    transaction.on_commit(lambda: dispatch_deliveries.enqueue(list(delivery_ids)), robust=True)


# -- the editor's actions ------------------------------------------------------------------
class PostAgainRefused(Exception):
    """Why "Post again" recorded nothing; the message is for the editor."""


def post_again(page_id: int, *, reason: str, user=None) -> list[int]:
    """A new publication of a live page on every account of its language (a reason is kept).

    Returns the ids of the new deliveries (enqueued on commit). Raises
    PostAgainRefused when the letter is not live and public, no account posts
    in its language, or a posting is under way or was just made: a double
    click, or two editors at once. Whatever the database and its isolation,
    the page's deliveries are read in one statement and the new publication
    numbers follow from that read, so of two concurrent calls either the second
    sees the first's deliveries, or both write the same (page, account,
    publication) rows and the unique constraint refuses the second.
    """
    letter = shareable_letter(page_id)
    if letter is None:
        raise PostAgainRefused(_("Only a live, public letter can be posted again."))
    recent = timezone.now() - timedelta(seconds=POST_AGAIN_GUARD_SECONDS)
    earlier = list(
        Delivery.objects.filter(page_id=page_id).values_list(
            "account_id", "publication", "status", "created_at"
        )
    )
    under_way = (Status.PENDING, Status.SENDING, Status.RETRYING)
    if any(status in under_way or created > recent for _a, _p, status, created in earlier):
        raise PostAgainRefused(_busy_message())
    latest: dict[int, int] = {}
    for account_id, publication, _status, _created in earlier:
        latest[account_id] = max(publication, latest.get(account_id, 0))
    accounts = [a for a in accounts_for(letter.locale_id) if _configured(a)]
    if not accounts:
        raise PostAgainRefused(_("No enabled account posts in this letter's language."))
    try:
        with transaction.atomic():
            created = Delivery.objects.bulk_create(
                [
                    Delivery(
                        page_id=page_id,
                        page_title=letter.title[:255],
                        locale_id=letter.locale_id,
                        account=account,
                        publication=latest.get(account.pk, 0) + 1,
                        revision_id=letter.live_revision_id,
                        idempotency_key=get_channel_class(account.channel).new_key(),
                        reason=reason,
                        requested_by=user,
                    )
                    for account in accounts
                ]
            )
    except IntegrityError:
        raise PostAgainRefused(_busy_message()) from None
    ids = [d.pk for d in created]
    enqueue_on_commit(ids)
    return ids


def _busy_message() -> str:
    return _(
        "This letter is being posted already, or was just posted (a second click, or another "
        "editor): it was not posted once more."
    )


def latest_launches(account: SocialAccount) -> list[LetterLaunch]:
    """The most recent launch in each of the account's languages whose letter is still
    shareable and was never delivered to this account: what `post_latest_letter` offers."""
    launches = []
    for locale_id in account.locales.values_list("pk", flat=True):
        latest = (
            LetterLaunch.objects.filter(locale_id=locale_id, page__isnull=False)
            .order_by("-launched_at", "-pk")
            .first()
        )
        if (
            latest is not None
            and shareable_letter(latest.page_id) is not None
            and not Delivery.objects.filter(page_id=latest.page_id, account=account).exists()
        ):
            launches.append(latest)
    return launches


def post_latest_letter(account_id: int, *, user=None) -> list[int]:
    """Post the latest letter of each of the account's languages to this account only.

    An account added minutes after a launch missed it, and publishing never posts the back
    catalogue: a person asks for this (the account admin offers it), it is never done
    silently. Returns the ids of the deliveries created (none when there is nothing to post
    or the account is disabled)."""
    account = SocialAccount.objects.filter(pk=account_id, enabled=True).first()
    if account is None or not _configured(account):
        return []
    created = []
    for latest in latest_launches(account):
        letter = shareable_letter(latest.page_id)
        delivery = Delivery(
            page_id=letter.pk,
            page_title=letter.title[:255],
            locale_id=letter.locale_id,
            account=account,
            publication=1,
            revision_id=letter.live_revision_id,
            idempotency_key=get_channel_class(account.channel).new_key(),
            reason=_("Posted to a newly added account at a person's request."),
            requested_by=user,
        )
        # A double click: the unique (page, account, publication) keeps one.
        Delivery.objects.bulk_create([delivery], ignore_conflicts=True)
        created.extend(
            Delivery.objects.filter(
                idempotency_key=delivery.idempotency_key, page_id=letter.pk
            ).values_list("pk", flat=True)
        )
    enqueue_on_commit(created)
    return created


def retry(delivery_id: int, *, user=None) -> bool:
    """Send a failed, unconfirmed or skipped delivery again (a person decided to)."""
    updated = Delivery.objects.filter(pk=delivery_id, status__in=RETRYABLE).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=None,
        send_started_at=None,
        first_send_at=None,
        outcome_unknown=False,  # the person checked
        error="",
        requested_by=user,
    )
    if updated:
        enqueue_on_commit([delivery_id])
    return bool(updated)


def mark_as_posted(delivery_id: int, *, url: str = "", user=None) -> bool:
    """A person checked the account and found the post (after an unknown outcome)."""
    return bool(
        Delivery.objects.filter(pk=delivery_id, status__in=RETRYABLE).update(
            status=Status.SENT,
            remote_url=http_url(url),
            sent_at=timezone.now(),
            reason=_("Marked as posted by a person."),
            outcome_unknown=False,
            requested_by=user,
        )
    )


# -- the worker's side -------------------------------------------------------------------------
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


def deliver(delivery_id: int) -> str:
    """Compose, validate, send and record one delivery. Returns the state it ends in."""
    delivery = claim(delivery_id)
    if delivery is None:
        return "not-claimed"
    account = delivery.account
    if delivery.attempts > settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS:
        # Only a crash loop gets here: every normal failure is counted in _retry_later.
        status = Status.UNCONFIRMED if delivery.outcome_unknown else Status.FAILED
        _finish(delivery, status, error=_("Gave up: every attempt stopped before it finished."))
        return status
    # An earlier attempt may have posted: stopping now must keep that doubt for a person.
    stopped = Status.UNCONFIRMED if delivery.outcome_unknown else None
    if not account.enabled:
        _finish(delivery, stopped or Status.SKIPPED, reason=_("The account was disabled."))
        return stopped or Status.SKIPPED
    letter = shareable_letter(delivery.page_id) if delivery.page_id else None
    if letter is None:
        reason = _("The page is no longer live and public.")
        _finish(delivery, stopped or Status.SKIPPED, reason=reason)
        return stopped or Status.SKIPPED
    try:
        channel = account.build_channel()
    except CredentialsError as error:
        # The account's fault, not the letter's: nothing was tried; Retry once it is fixed.
        _finish(delivery, stopped or Status.SKIPPED, error=str(error))
        return stopped or Status.SKIPPED
    except UnknownChannel as error:
        _finish(delivery, stopped or Status.FAILED, error=str(error))
        return stopped or Status.FAILED
    try:
        return _deliver_with(delivery, letter, channel)
    finally:
        account.keep_state(channel)


def _deliver_with(delivery: Delivery, letter, channel) -> str:
    if delivery.outcome_unknown and not _may_resend(delivery, channel):
        return _settle_doubt(delivery, channel, post_url(letter), _unconfirmed_message())
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
            return _settle_doubt(delivery, channel, post.url, "\n".join(problems))
        if problems:
            _finish(delivery, Status.FAILED, text=post.text, error="\n".join(problems))
            return Status.FAILED
        _start_sending(delivery, post.text)
        sent = channel.send(post)
    except LeaseLost:
        logger.warning("Delivery %s was taken over by another worker", delivery.pk)
        return "lease-lost"
    except CompositionError as error:
        if delivery.outcome_unknown:
            return _settle_doubt(delivery, channel, post_url(letter), str(error))
        _finish(delivery, Status.FAILED, error=str(error))
        return Status.FAILED
    except TemporaryError as error:
        return _retry_later(
            delivery, str(error), error.retry_after, outcome_unknown=False, channel=channel
        )
    except OutcomeUnknown as error:
        if _may_resend(delivery, channel):
            return _retry_later(delivery, str(error), None, outcome_unknown=True, channel=channel)
        return _settle_doubt(delivery, channel, post.url, str(error))
    except PermanentError as error:
        # A refusal now says nothing of an earlier attempt that may have posted.
        if delivery.outcome_unknown:
            return _settle_doubt(delivery, channel, post_url(letter), str(error))
        if isinstance(error, AuthenticationFailed):
            error = record_auth_failure(delivery.account_id, str(error))
        else:
            SocialAccount.objects.filter(pk=delivery.account_id).update(
                last_failure_at=timezone.now(), last_failure=str(error)[:500]
            )
        _finish(delivery, Status.FAILED, error=str(error), send_started_at=None)
        return Status.FAILED
    except Exception:
        # A bug, not the network: never leave the delivery "sending" for ever.
        logger.exception("Delivery %s crashed", delivery.pk)
        started = _mine(delivery).filter(send_started_at__isnull=False).exists()
        _finish(
            delivery,
            Status.UNCONFIRMED if started else Status.FAILED,
            outcome_unknown=started or delivery.outcome_unknown,
            error=_("Broadside failed while sending; see the logs."),
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
    SocialAccount.objects.filter(pk=delivery.account_id).update(last_success_at=timezone.now())
    return Status.SENT


def record_auth_failure(account_id: int, error: str) -> str:
    """Flag the account (health: reconnect) and return the delivery's error message."""
    message = _("%(error)s Reconnect the account, then retry.") % {"error": error}
    now = timezone.now()
    SocialAccount.objects.filter(pk=account_id).update(
        auth_failed_at=now, last_failure_at=now, last_failure=error[:500]
    )
    return message


def _post_url(url: str) -> str:
    """The network's link to the post, kept only if it is an http(s) URL that fits the field."""
    url = http_url(url)
    return url if len(url) <= Delivery._meta.get_field("remote_url").max_length else ""


def _settle_doubt(delivery: Delivery, channel, url: str, error: str) -> str:
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
            outcome_unknown=False,
            error="",
            reason=_("The answer was lost; the post was found on the network."),
        )
        return Status.SENT
    _finish(
        delivery,
        Status.UNCONFIRMED,
        outcome_unknown=True,
        send_started_at=None,
        error=f"{error}\n{_unconfirmed_message()}",
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


def _unconfirmed_message() -> str:
    return _(
        "The network may have the post, and it offers no protection against duplicates: "
        "check the account, then choose Mark as posted or Retry."
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
    channel=None,
) -> str:
    """Schedule the next attempt. A temporary error says nothing was posted *this* time;
    an earlier unknown outcome still stands (`outcome_unknown` is never cleared here), and
    out of attempts it is settled by looking for the post, never turned into *failed*."""
    attempts = delivery.attempts  # as counted by claim()
    unknown = outcome_unknown or delivery.outcome_unknown
    fields = {"send_started_at": None, "outcome_unknown": unknown}
    if attempts >= settings.BROADSIDE_DELIVERY_MAX_ATTEMPTS:
        if unknown and channel is not None:
            return _settle_doubt(delivery, channel, _letter_url(delivery), error)
        if unknown:
            _finish(
                delivery, Status.UNCONFIRMED, error=f"{error}\n{_unconfirmed_message()}", **fields
            )
            return Status.UNCONFIRMED
        message = _("Gave up after %(count)s attempts. Last error: %(error)s") % {
            "count": attempts,
            "error": error,
        }
        _finish(delivery, Status.FAILED, error=message, **fields)
        return Status.FAILED
    run_after = timezone.now() + timedelta(seconds=backoff_seconds(attempts, retry_after))
    _finish(delivery, Status.RETRYING, error=error, next_attempt_at=run_after, **fields)
    transaction.on_commit(lambda: enqueue_delivery(delivery.pk, run_after), robust=True)
    return Status.RETRYING


def _letter_url(delivery: Delivery) -> str:
    letter = shareable_letter(delivery.page_id) if delivery.page_id else None
    return post_url(letter) if letter is not None else ""


def enqueue_delivery(delivery_id: int, run_after=None) -> None:
    from .tasks import deliver as deliver_task

    task = deliver_task
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # resume_deliveries picks it up when due
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id)


def resume_deliveries(*, stale_after: float | None = None) -> dict[str, int]:
    """Pick up what a dead worker left: run by `manage.py resume_deliveries` on a timer.

    A delivery still "sending" after its lease went with its worker. If the
    request that publishes had not started, or the network has a
    duplicate-proof key, it is retried. Otherwise the post may exist: the
    delivery goes on with its doubt, and the next worker never sends again but
    looks for the post (`_settle_doubt`): *sent* when the network shows it,
    *unconfirmed* for a person when it does not or cannot look. Pending and due
    retrying deliveries are enqueued again (claiming makes a repeat harmless).
    Returns counts: {"retried", "doubts", "failed", "enqueued"}.
    """
    now = timezone.now()
    lease = settings.BROADSIDE_DELIVERY_LEASE_SECONDS
    # claimed_until = claim time + lease; "stale after N seconds" moves the cutoff.
    cutoff = now + timedelta(seconds=lease - (lease if stale_after is None else stale_after))
    stale = Delivery.objects.filter(status=Status.SENDING, claimed_until__lte=cutoff)
    counts = {"retried": 0, "doubts": 0, "failed": 0, "enqueued": 0}
    for delivery in stale.select_related("account"):
        unknown = delivery.outcome_unknown or delivery.send_started_at is not None
        try:
            channel_class = get_channel_class(delivery.account.channel)
        except UnknownChannel as error:
            counts["failed"] += _take_over(delivery, Status.FAILED, error=str(error))
            continue
        if not unknown or may_resend(channel_class, delivery.first_send_at):
            counts["retried"] += _take_over(
                delivery, Status.RETRYING, next_attempt_at=now, outcome_unknown=unknown
            )
        else:
            # Not sent again (the network has no key, or forgot it): looked for instead.
            counts["doubts"] += _take_over(
                delivery,
                Status.RETRYING,
                next_attempt_at=now,
                outcome_unknown=True,
                error=_("The worker stopped while sending; the post may exist."),
            )
    due = Delivery.objects.filter(status__in=CLAIMABLE).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )
    for delivery_id in due.values_list("pk", flat=True):
        enqueue_delivery(delivery_id)
        counts["enqueued"] += 1
    return counts


def _take_over(delivery: Delivery, status: str, **fields) -> int:
    """Move a stale delivery on, unless its worker finished meanwhile."""
    return Delivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, claim_token=delivery.claim_token
    ).update(status=status, claimed_until=None, claim_token="", send_started_at=None, **fields)
