"""Background tasks of the publishing pipeline. Each is safe to run twice."""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django_tasks import task

from publishing.outbound import outbound_session

logger = logging.getLogger(__name__)

WEBSUB_TIMEOUT_SECONDS = 10


class WebSubPingFailed(Exception):
    pass


@task()
def ping_websub_hub(feed_urls: list[str]) -> int:
    """Tell the WebSub hub these feeds changed (hub.mode=publish). Returns how many were pinged.

    Pinging twice only makes the hub fetch again, so a retry does no harm. The ping
    goes through the outbound transport: public addresses only, no redirects.
    """
    hub = settings.BROADSIDE_WEBSUB_HUB
    if not hub:
        return 0
    failures = []
    session = outbound_session((WEBSUB_TIMEOUT_SECONDS, WEBSUB_TIMEOUT_SECONDS))
    for url in feed_urls:
        try:
            response = session.post(
                hub, data={"hub.mode": "publish", "hub.url": url}, allow_redirects=False
            )
        except requests.RequestException as error:
            failures.append(f"{url}: {type(error).__name__}")
            continue
        if response.status_code >= 300:
            failures.append(f"{url}: HTTP {response.status_code}")
    if failures:
        logger.warning("WebSub hub %s refused pings: %s", hub, "; ".join(failures))
        raise WebSubPingFailed("; ".join(failures))
    return len(feed_urls)


@task()
def ping_feeds_of_letters(letter_ids: list[int]) -> int:
    """Ping the WebSub hub for every feed the live letters among `letter_ids` appear in.

    Returns how many feeds were pinged; raises WebSubPingFailed like `ping_websub_hub`.
    """
    from home.models import LetterPage

    from .feeds.changes import feed_urls_for_letter

    if not settings.BROADSIDE_WEBSUB_HUB:
        return 0
    letters = LetterPage.objects.live().filter(pk__in=letter_ids, alias_of__isnull=True)
    urls = sorted({url for letter in letters for url in feed_urls_for_letter(letter)})
    return ping_websub_hub.call(urls) if urls else 0


@task()
def render_share_images_for_page(page_id: int) -> dict[str, bool]:
    """Render (or confirm current) the share cards of a live letter. Safe to run twice.

    When the Open Graph card (the feeds' enclosure) changed, the letter's feeds
    are announced to the WebSub hub.
    """
    from wagtail.models import Page

    from home.models import LetterPage
    from publishing.share_images.service import render_share_images

    page = Page.objects.filter(pk=page_id).first()
    if page is None or not page.live or page.alias_of_id:
        return {}
    letter = page.specific
    if not isinstance(letter, LetterPage):
        return {}
    rendered = render_share_images(letter)
    if rendered.get("og") and settings.BROADSIDE_WEBSUB_HUB:
        from django.db import transaction

        transaction.on_commit(lambda: ping_feeds_of_letters.enqueue([letter.pk]))
    return rendered


@task()
def dispatch_deliveries(delivery_ids: list[int]) -> int:
    """Fan out one task per delivery, so the publish request enqueued only one."""
    from .outbox import enqueue_delivery

    for delivery_id in delivery_ids:
        enqueue_delivery(delivery_id)
    return len(delivery_ids)


@task()
def deliver(delivery_id: int) -> str:
    """Post one delivery. Safe to run twice: only a worker that claims it acts."""
    from .outbox import deliver as deliver_delivery

    return deliver_delivery(delivery_id)
