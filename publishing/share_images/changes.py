"""When to (re)render share cards: after a letter or a signatory organization is published."""

from __future__ import annotations

from django.db import transaction

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
