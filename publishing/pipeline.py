"""Wagtail's page signals → deliveries in the outbox → tasks after commit.

Nothing here talks to a network: the editor's publish request only writes
rows (a constant number of queries whatever the number of accounts) and,
once the transaction commits, enqueues one task.
"""

from __future__ import annotations

from . import outbox


def on_page_published(sender, instance, revision=None, alias: bool = False, **kwargs) -> None:
    # Aliases are untranslated copies: their language's followers get the
    # post when the translation itself is published.
    if alias:
        return
    ids = outbox.record_deliveries(instance.pk, getattr(revision, "pk", None))
    outbox.enqueue_on_commit(ids)


def on_page_unpublished(sender, instance, **kwargs) -> None:
    outbox.record_unpublished(instance.pk)
