"""Wagtail's page signals → deliveries in the outbox → tasks after commit.

Nothing here talks to a network: the editor's publish request only writes
rows (a constant number of queries whatever the number of accounts) and,
once the transaction commits, enqueues one task.
"""

from __future__ import annotations

from wagtail.signals import page_published, page_unpublished

from .recording import record_deliveries, record_unpublished
from .tasks import enqueue_on_commit


def on_page_published(sender, instance, revision=None, alias: bool = False, **kwargs) -> None:
    # Aliases are untranslated copies: their language's followers get the
    # post when the translation itself is published.
    if alias:
        return
    enqueue_on_commit(record_deliveries(instance.pk, getattr(revision, "pk", None)))


def on_page_unpublished(sender, instance, **kwargs) -> None:
    record_unpublished(instance.pk)


def register_signal_handlers() -> None:
    """Connected after the share cards' receivers (publishing.apps): on commit, a letter's
    cards are enqueued for drawing before its deliveries, which wait for them."""
    page_published.connect(on_page_published, dispatch_uid="social-published")
    page_unpublished.connect(on_page_unpublished, dispatch_uid="social-unpublished")
