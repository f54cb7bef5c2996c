"""Wiring of publishing to Wagtail's and Django's signals (connected in apps.py)."""

from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction
from wagtail.signals import page_published, page_unpublished, post_page_move

from home.models import LetterPage, OrganizationPage, Topic

from .feeds import changes
from .share_images import changes as share_image_changes


def register_signal_handlers() -> None:
    page_published.connect(changes.on_page_change, dispatch_uid="feeds-published")
    page_unpublished.connect(changes.on_page_change, dispatch_uid="feeds-unpublished")
    post_page_move.connect(changes.on_page_change, dispatch_uid="feeds-moved")
    for model in (LetterPage, OrganizationPage):
        post_delete.connect(
            changes.on_page_deleted, sender=model, dispatch_uid=f"feeds-del-{model}"
        )
    post_save.connect(changes.on_topic_saved, sender=Topic, dispatch_uid="feeds-topic-saved")
    # Making a page private must take it out of cached feeds and API answers at once.
    for signal in (post_save, post_delete):
        signal.connect(
            changes.on_view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"feeds-restriction-{signal}",
        )
    page_published.connect(
        share_image_changes.on_page_published, dispatch_uid="share-images-published"
    )
