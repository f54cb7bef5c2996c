"""Wiring of the feeds to Wagtail's and Django's signals (connected in publishing.apps)."""

from django.db.models.signals import post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from home.models import Topic
from publishing.models import ShareCardSettings

from . import changes


def register_signal_handlers() -> None:
    page_published.connect(changes.on_page_change, dispatch_uid="feeds-published")
    page_unpublished.connect(changes.on_page_change, dispatch_uid="feeds-unpublished")
    post_page_move.connect(changes.on_page_change, dispatch_uid="feeds-moved")
    post_delete.connect(changes.on_page_deleted, dispatch_uid="feeds-page-deleted")
    # Everything else feeds and API answers show. Making a page private must take it
    # out of them at once, too.
    for model in (Topic, Site, ShareCardSettings, get_image_model()):
        for signal in (post_save, post_delete):
            signal.connect(
                changes.on_other_content_changed,
                sender=model,
                dispatch_uid=f"content-version-{model._meta.label}-{id(signal)}",
            )
    for signal in (post_save, post_delete):
        signal.connect(
            changes.on_view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"feeds-view-restriction-{id(signal)}",
        )
