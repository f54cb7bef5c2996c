"""A person's actions on deliveries: Retry, Mark as posted, Post again, Post the latest letter.

Each writes rows and hands their ids to the task layer (`tasks.enqueue_on_commit`).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from home.links import http_url
from publishing.messages import message, stored_text
from publishing.models import Delivery, DeliveryStatus, LetterLaunch, SocialAccount
from publishing.models.social import RETRYABLE

from .recording import configured, configured_accounts, insert_new, new_deliveries, shareable_letter
from .tasks import enqueue_on_commit

Status = DeliveryStatus
POST_AGAIN_GUARD_SECONDS = 30


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
    accounts = configured_accounts(letter.locale_id)
    if not accounts:
        raise PostAgainRefused(_("No enabled account posts in this letter's language."))
    deliveries = new_deliveries(
        letter,
        accounts,
        publications={account.pk: latest.get(account.pk, 0) + 1 for account in accounts},
        revision_id=letter.live_revision_id,
        reason=reason,
        requested_by=user,
    )
    try:
        with transaction.atomic():
            created = Delivery.objects.bulk_create(deliveries)
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
    if account is None or not configured(account):
        return []
    created = []
    for latest in latest_launches(account):
        letter = shareable_letter(latest.page_id)
        deliveries = new_deliveries(
            letter,
            [account],
            revision_id=letter.live_revision_id,
            reason=stored_text(
                message(gettext_noop("Posted to a newly added account at a person's request."))
            ),
            requested_by=user,
        )
        # A double click: the unique (page, account, publication) keeps one.
        created.extend(insert_new(deliveries, letter.pk))
    enqueue_on_commit(created)
    return created


def retry(delivery_id: int, *, user=None) -> bool:
    """Send a failed, unconfirmed or skipped delivery again (a person decided to)."""
    updated = Delivery.objects.filter(pk=delivery_id, status__in=RETRYABLE).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=None,
        send_started_at=None,
        first_send_at=None,  # the person checked: no doubt is left
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
            reason=stored_text(message(gettext_noop("Marked as posted by a person."))),
            send_started_at=None,
            requested_by=user,
        )
    )
