"""Background tasks of the social pipeline, and the one place that enqueues them.

Each task takes ids and is safe to run twice: only a worker that claims a delivery acts.
The domain modules return what to enqueue (ids, "retry at T"); this layer schedules it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django_tasks import task

from publishing.share_images.tasks import render_share_images_for_page

from . import sweep, worker


@task()
def dispatch_deliveries(delivery_ids: list[int]) -> int:
    """Fan out one task per delivery, so the publish request enqueued only one."""
    for delivery_id in delivery_ids:
        enqueue_delivery(delivery_id)
    return len(delivery_ids)


@task()
def deliver(delivery_id: int) -> str:
    """Post one delivery; returns the state it ends in. When the worker says "retry at T",
    the next attempt is enqueued for T once this one's writes are committed; when it waits
    for a share card, the card task is enqueued for its letter."""
    attempt = worker.deliver(delivery_id)
    if attempt.awaits_card_of is not None:
        # Drawn by the card task, never by a delivery; drawing unchanged inputs is free, and
        # this heals a card whose file went missing from storage.
        render_share_images_for_page.enqueue(attempt.awaits_card_of)
    if attempt.retry_at is not None:
        retry_at = attempt.retry_at
        transaction.on_commit(lambda: enqueue_delivery(delivery_id, retry_at), robust=True)
    return attempt.status


def enqueue_on_commit(delivery_ids: list[int]) -> None:
    """Enqueue one task fanning out `delivery_ids` once the current transaction commits."""
    if not delivery_ids:
        return
    ids = list(delivery_ids)
    # robust: the publish has committed; a queue that is down must not turn it
    # into an error page (resume_deliveries enqueues pending deliveries later).
    transaction.on_commit(lambda: dispatch_deliveries.enqueue(ids), robust=True)


def enqueue_delivery(delivery_id: int, run_after: datetime | None = None) -> None:
    """Enqueue one delivery, from `run_after` (aware) when given, rounded up to the next
    whole second (`not_before`). A backend that cannot defer gets nothing:
    `resume_deliveries` enqueues the delivery when it is due."""
    task_ = deliver
    if run_after is not None:
        if not task_.get_backend().supports_defer:
            return
        task_ = task_.using(run_after=not_before(run_after))
    task_.enqueue(delivery_id)


def not_before(moment: datetime) -> datetime:
    """`moment` rounded up to the next whole second (unchanged when it is one).

    RQ keeps a deferred job's time in whole seconds, dropping the fraction
    (`ScheduledJobRegistry.schedule`), and its scheduler releases the job during that
    second: a retry due at 12:00:05.7 would run at 12:00:05.3, the claim would refuse it as
    not yet due (`worker.claim`), and the delivery would wait for `resume_deliveries`.
    Rounding up costs at most a second on every backend.
    """
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)


def resume_deliveries(*, stale_after: float | None = None) -> dict[str, int]:
    """Pick up what a dead worker left: run by `manage.py resume_deliveries` on a timer.

    Stale "sending" deliveries are moved on (`sweep.take_over_stale`), then pending and
    due retrying deliveries are enqueued again (claiming makes a repeat harmless).
    Returns counts: {"retried", "doubts", "failed", "enqueued"}.
    """
    counts = sweep.take_over_stale(stale_after=stale_after)
    due = sweep.due_deliveries()
    for delivery_id in due:
        enqueue_delivery(delivery_id)
    return {**counts, "enqueued": len(due)}
