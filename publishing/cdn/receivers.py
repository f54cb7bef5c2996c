"""Wiring of CDN purges to Wagtail's and Django's signals (connected in publishing.apps).

One change, one purge. A publish sends `page_published` for the page, then again for
each of its aliases (`alias=True`); an unpublish sends `page_unpublished` for each alias,
then for the page. A page's purge covers its aliases (publishing.cdn.addresses), so the
aliases' signals are not counted when the original is the one changing. And the pages one
transaction touches (a translation published by wagtail-localize, a bulk action) are
gathered in one `PendingPurge`, registered once with `transaction.on_commit`; after the
commit it enqueues one task with all their ids. A change rolled back purges nothing
(Django drops its on-commit callbacks). Wagtail's admin publishes outside a transaction:
there `on_commit` runs at once, still one task per change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move


def cdn_configured() -> bool:
    """Whether a frontend-cache backend is configured (`WAGTAILFRONTENDCACHE`)."""
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


class PendingPurge:
    """The pages one transaction touched, purged together once it has committed."""

    def __init__(self) -> None:
        self.page_ids: set[int] = set()
        self.privacy_changed_ids: set[int] = set()
        # Addresses of pages being deleted, worked out before their rows go.
        self.urls: set[str] = set()
        self.deleted_ids: set[int] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        page_ids = self.page_ids - self.deleted_ids
        if not (page_ids or self.privacy_changed_ids or self.urls):
            return
        from .tasks import purge_pages_from_cdn

        purge_pages_from_cdn.enqueue(
            sorted(page_ids), sorted(self.privacy_changed_ids), sorted(self.urls)
        )


def _pending_of_this_transaction(connection) -> PendingPurge | None:
    """The PendingPurge registered in this atomic block or one around it, not yet run.

    Django keeps each on-commit callback with the savepoints open when it was
    registered; one registered in a block that has since ended is not reused (a
    sibling block may still be rolled back on its own).
    """
    if not connection.in_atomic_block:
        return None
    open_savepoints = set(connection.savepoint_ids)
    for savepoints, callback, *_robust in connection.run_on_commit:
        if isinstance(callback, PendingPurge) and not callback.done:
            if set(savepoints) <= open_savepoints:
                return callback
    return None


def purge_after_commit(page_ids: list[int], *, privacy_changed: bool = False) -> None:
    """Purge, after the current transaction commits, what the change to these pages left
    stale at the CDN (publishing.cdn.addresses). Nothing at all without a CDN."""
    if not cdn_configured():
        return
    with _pending() as pending:
        (pending.privacy_changed_ids if privacy_changed else pending.page_ids).update(page_ids)


@contextmanager
def _pending() -> Iterator[PendingPurge]:
    """This transaction's PendingPurge, registered with on_commit once it holds work."""
    pending = _pending_of_this_transaction(transaction.get_connection())
    fresh = pending is None
    if fresh:
        pending = PendingPurge()
    yield pending
    if fresh:
        transaction.on_commit(pending)


# Addresses of pages about to move, worked out at their old place (pre_page_move) and
# purged with the move (post_page_move): {page id: addresses}, per thread.
_before_move = threading.local()


def on_page_moving(sender, instance: Page, **kwargs) -> None:
    """A page about to move: what shows it now (its address, its feeds, listings and API
    answers) is worked out at its old place. A letter moved into a private section is
    private afterwards, so none of that would be found after the move; nor its former
    address. Only with a CDN, and only for a live page (a draft was never served)."""
    if not cdn_configured() or not Page.objects.filter(pk=instance.pk, live=True).exists():
        return
    from .addresses import addresses_to_purge

    moving = getattr(_before_move, "urls", None)
    if moving is None:
        moving = _before_move.urls = {}
    moving[instance.pk] = addresses_to_purge([instance.pk])


def on_page_change(sender, instance: Page, **kwargs) -> None:
    """Published (a translation going live too), unpublished or moved."""
    if _follows_its_original(instance, kwargs):
        return
    if kwargs.get("signal") is page_published and not instance.live:
        # A draft only scheduled (`go_live_at`, wagtail#13959): embargoed, in no public
        # answer yet; its address (and what it names) must not reach the CDN before then.
        return
    pages = [instance.pk]
    if kwargs.get("signal") is page_published and cdn_configured():
        # A signatory named until this publish (withheld or anonymised now: at risk) is
        # no longer found by the letter's purge, yet its pages at the CDN still show it.
        if dropped := _named_until_now(instance, kwargs.get("revision")):
            from .addresses import organization_listings

            with _pending() as pending:
                pending.urls.update(organization_listings(dropped, letter=instance))
    if (before := kwargs.get("parent_page_before")) is not None:
        pages.append(before.pk)  # a move: the listing it left shows it no more
        urls = getattr(_before_move, "urls", {}).pop(instance.pk, set())
        if urls and cdn_configured():
            with _pending() as pending:
                pending.urls.update(urls)
    purge_after_commit(pages)


def _named_until_now(page: Page, revision) -> list[int]:
    """The organizations a letter named publicly in its previous live version (from the
    log of its publishes) and names no more: their pages, feeds and API lists showed it
    until this publish. [] for other pages or a first publish."""
    from wagtail.models import PageLogEntry

    from home.models import LetterPage
    from home.signatories import SignatoryVisibility

    if not isinstance(page, LetterPage):
        return []
    entry = (
        PageLogEntry.objects.filter(
            page_id=page.pk, action="wagtail.publish", revision__isnull=False
        )
        .exclude(revision_id=getattr(revision, "pk", None))
        .select_related("revision")
        .order_by("-timestamp", "-pk")
        .first()
    )
    if entry is None:
        return []

    def named(letter) -> set[int]:
        return {
            row.organization_id
            for row in letter.signatories.all()
            if row.organization_id and row.visibility == SignatoryVisibility.PUBLIC
        }

    return sorted(named(entry.revision.as_object()) - named(page))


def _follows_its_original(page: Page, signal_kwargs: dict) -> bool:
    """Whether this signal is for an alias updated because its original changed (whose
    own purge covers the alias): published with `alias=True`, or unpublished together
    with an original that is no longer live. One query, only for an alias unpublished."""
    if signal_kwargs.get("alias"):
        return True
    if page.alias_of_id and signal_kwargs.get("signal") is page_unpublished:
        return not Page.objects.filter(pk=page.alias_of_id, live=True).exists()
    return False


def on_page_deleting(sender, instance, **kwargs) -> None:
    """A page about to be deleted: its addresses are worked out now, while its rows (its
    signatories, topics, place in the tree) are still there; purged after the commit.
    Only with a CDN, and only for deletions, so the cost in the editor's request is rare.
    """
    if not cdn_configured() or not isinstance(instance, Page):
        return
    with _pending() as pending:
        if instance.pk in pending.deleted_ids:  # sent again for each parent model's row
            return
        pending.deleted_ids.add(instance.pk)
        # The row, not the instance: Wagtail's own pre_delete handler unpublishes the
        # instance in memory. A page never live was never served: nothing to purge.
        if not Page.objects.filter(pk=instance.pk, live=True).exists():
            return
        from .addresses import addresses_to_purge

        pending.urls.update(addresses_to_purge([instance.pk]))


def on_view_restriction_changed(sender, instance: PageViewRestriction, **kwargs) -> None:
    """A page made private, or public again: its copies at the CDN must go. A restriction
    edited (a new password, other groups) leaves its pages private as they were: they are
    in no public answer, and their addresses would name them (and their signatories)."""
    if kwargs.get("created") is False:
        return
    if instance.page_id:
        purge_after_commit([instance.page_id], privacy_changed=True)


def register_signal_handlers() -> None:
    page_published.connect(on_page_change, dispatch_uid="cdn-published")
    page_unpublished.connect(on_page_change, dispatch_uid="cdn-unpublished")
    pre_page_move.connect(on_page_moving, dispatch_uid="cdn-moving")
    post_page_move.connect(on_page_change, dispatch_uid="cdn-moved")
    pre_delete.connect(on_page_deleting, dispatch_uid="cdn-page-deleting")
    for signal in (post_save, post_delete):
        signal.connect(
            on_view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"cdn-view-restriction-{id(signal)}",
        )
