"""Every input of a share card (publishing.share_images.content), wherever it changes:
wiring to Wagtail's and Django's signals (connected in publishing.apps)."""

from django.apps import apps
from django.db.models.signals import post_delete, post_migrate, post_save, pre_delete
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from home.models import LetterPage
from home.signals import facts_synchronised
from publishing.models import ShareCardSettings

from . import changes as cards
from .storage import move_cards_out_of_media


def register_signal_handlers() -> None:
    page_published.connect(cards.on_page_published, dispatch_uid="share-images-published")
    page_unpublished.connect(cards.on_page_unpublished, dispatch_uid="share-images-unpublished")
    facts_synchronised.connect(cards.on_facts_synchronised, dispatch_uid="share-images-facts")
    post_page_move.connect(cards.on_page_moved, dispatch_uid="share-images-moved")
    pre_delete.connect(
        cards.on_source_letter_deleted, sender=LetterPage, dispatch_uid="share-images-deleted"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            cards.on_view_restriction_changed,
            sender=PageViewRestriction,
            dispatch_uid=f"share-images-view-restriction-{id(signal)}",
        )
    for signal in (post_save, pre_delete):  # before deletion: logos still point at it
        signal.connect(
            cards.on_image_saved,
            sender=get_image_model(),
            dispatch_uid=f"share-images-image-{id(signal)}",
        )
    for signal in (post_save, post_delete):
        signal.connect(
            cards.on_card_settings_changed,
            sender=ShareCardSettings,
            dispatch_uid=f"share-images-settings-{id(signal)}",
        )
        signal.connect(
            cards.on_site_changed, sender=Site, dispatch_uid=f"share-images-site-{id(signal)}"
        )
    publishing = apps.get_app_config("publishing")
    post_migrate.connect(
        move_cards_out_of_media, sender=publishing, dispatch_uid="share-images-out-of-media"
    )
    post_migrate.connect(cards.on_migrated, sender=publishing)
