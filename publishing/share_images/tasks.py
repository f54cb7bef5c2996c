"""Background tasks of the share cards. Safe to run twice."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django_tasks import task
from wagtail.models import Page

from home.models import LetterPage
from publishing.feeds.tasks import ping_feeds_of_letters

from .service import render_share_images


@task()
def render_share_images_for_page(page_id: int) -> dict[str, bool]:
    """Render (or confirm current) the share cards of a live letter. Safe to run twice.

    When the Open Graph card (the feeds' enclosure) changed, the letter's feeds
    are announced to the WebSub hub.
    """
    page = Page.objects.filter(pk=page_id).first()
    if page is None or not page.live or page.alias_of_id:
        return {}
    letter = page.specific
    if not isinstance(letter, LetterPage):
        return {}
    rendered = render_share_images(letter)
    if rendered.get("og") and settings.BROADSIDE_WEBSUB_HUB:
        transaction.on_commit(lambda: ping_feeds_of_letters.enqueue([letter.pk]))
    return rendered
