"""The sweep after dead workers: deliveries left "sending" past their lease are moved
on, and the ones due are listed for the task layer (`publishing.social.tasks`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from publishing.channels import UnknownChannel, get_channel_class
from publishing.models import Delivery, DeliveryStatus
from publishing.models.social import CLAIMABLE

from .worker import may_resend

Status = DeliveryStatus


def take_over_stale(*, stale_after: float | None = None) -> dict[str, int]:
    """Move on what dead workers left "sending" past their lease; returns counts
    {"retried", "doubts", "failed"}.

    If the request that publishes had not started, or the network has a
    duplicate-proof key, the delivery is retried. Otherwise the post may exist: the
    delivery goes on with its doubt, and the next worker never sends again but
    looks for the post (`_settle_doubt`): *sent* when the network shows it,
    *unconfirmed* for a person when it does not or cannot look.
    """
    now = timezone.now()
    lease = settings.BROADSIDE_DELIVERY_LEASE_SECONDS
    # claimed_until = claim time + lease; "stale after N seconds" moves the cutoff.
    cutoff = now + timedelta(seconds=lease - (lease if stale_after is None else stale_after))
    stale = Delivery.objects.filter(status=Status.SENDING, claimed_until__lte=cutoff)
    counts = {"retried": 0, "doubts": 0, "failed": 0}
    for delivery in stale.select_related("account"):
        unknown = delivery.outcome_unknown
        try:
            channel_class = get_channel_class(delivery.account.channel)
        except UnknownChannel as error:
            counts["failed"] += _take_over(delivery, Status.FAILED, error=str(error))
            continue
        if not unknown or may_resend(channel_class, delivery.first_send_at):
            counts["retried"] += _take_over(delivery, Status.RETRYING, next_attempt_at=now)
        else:
            # Not sent again (the network has no key, or forgot it): looked for instead.
            counts["doubts"] += _take_over(
                delivery,
                Status.RETRYING,
                next_attempt_at=now,
                error=_("The worker stopped while sending; the post may exist."),
            )
    return counts


def due_deliveries() -> list[int]:
    """Ids of the deliveries a worker may claim now (pending, or retrying and due)."""
    due = Delivery.objects.filter(status__in=CLAIMABLE).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    )
    return list(due.values_list("pk", flat=True))


def _take_over(delivery: Delivery, status: str, **fields) -> int:
    """Move a stale delivery on, unless its worker finished meanwhile. Its doubt (a send
    that had started) is kept: it is the one fact "may already be posted" is read from."""
    return Delivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, claim_token=delivery.claim_token
    ).update(status=status, claimed_until=None, claim_token="", **fields)
