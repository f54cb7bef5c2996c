"""Background tasks of the feeds: telling the WebSub hub a feed changed. Safe to run twice."""

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

    from .changes import feed_urls_for_letter

    if not settings.BROADSIDE_WEBSUB_HUB:
        return 0
    # Home's rule: only a live, public, original letter is listed in feeds, so only its
    # feeds can have changed (a letter leaving them is pinged by feeds.changes itself).
    letters = LetterPage.objects.shareable().filter(pk__in=letter_ids)
    urls = sorted({url for letter in letters for url in feed_urls_for_letter(letter)})
    return ping_websub_hub.call(urls) if urls else 0
