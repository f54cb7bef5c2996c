"""When to (re)render share cards: after a letter or a signatory organization is published,
and when a view restriction changes who may be named."""

from __future__ import annotations

from django.db import transaction
from wagtail.models import Page

from home.models import LetterPage, LetterSignatory, OrganizationPage


def enqueue_render(page_ids: list[int]) -> None:
    from publishing.tasks import render_share_images_for_page

    for page_id in page_ids:
        render_share_images_for_page.enqueue(page_id)


def on_page_published(sender, instance, alias: bool = False, **kwargs) -> None:
    page = instance.specific_deferred
    if alias or page.alias_of_id:
        return  # an alias shows its original's card
    if isinstance(page, LetterPage):
        ids = [page.pk]
    elif isinstance(page, OrganizationPage):
        # Its name or logo may be on the cards of the letters it signed, in any language.
        ids = list(
            LetterSignatory.objects.filter(organization__translation_key=page.translation_key)
            .values_list("letter_id", flat=True)
            .distinct()
        )
    else:
        return
    if ids:
        transaction.on_commit(lambda: enqueue_render(ids))


def on_view_restriction_changed(sender, instance, **kwargs) -> None:
    """An organization made private (or public again) leaves (or rejoins) the cards of the
    letters it signed, in every language: home.privacy's rule spreads a restriction to
    the page's descendants and to all their language versions, so redraw for all of them."""
    path = Page.objects.filter(pk=instance.page_id).values_list("path", flat=True).first()
    if path is None:
        return  # the page itself is being deleted
    keys = Page.objects.filter(path__startswith=path).values("translation_key")
    ids = list(
        LetterSignatory.objects.filter(organization__translation_key__in=keys)
        .values_list("letter_id", flat=True)
        .distinct()
    )
    if ids:
        transaction.on_commit(lambda: enqueue_render(ids))
