"""Wiring of publishing to Wagtail's and Django's signals (connected in apps.py)."""

from django.db.models.signals import post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from home.models import Topic

from . import pipeline
from .feeds import changes
from .share_images import changes as share_image_changes


def register_signal_handlers() -> None:
    page_published.connect(changes.on_page_change, dispatch_uid="feeds-published")
    page_unpublished.connect(changes.on_page_change, dispatch_uid="feeds-unpublished")
    post_page_move.connect(changes.on_page_change, dispatch_uid="feeds-moved")
    post_delete.connect(changes.on_page_deleted, dispatch_uid="feeds-page-deleted")
    # Everything else feeds and API answers show. Making a page private must take it
    # out of them at once, too.
    from .models import ShareCardSettings

    for model in (Topic, Site, ShareCardSettings, get_image_model(), PageViewRestriction):
        for signal in (post_save, post_delete):
            signal.connect(
                changes.on_other_content_changed,
                sender=model,
                dispatch_uid=f"content-version-{model._meta.label}-{id(signal)}",
            )
    page_published.connect(
        share_image_changes.on_page_published, dispatch_uid="share-images-published"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            share_image_changes.on_view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"share-images-restriction-{id(signal)}",
        )
    page_published.connect(pipeline.on_page_published, dispatch_uid="social-published")
    page_unpublished.connect(pipeline.on_page_unpublished, dispatch_uid="social-unpublished")
