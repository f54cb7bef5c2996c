"""Background tasks of the publishing pipeline. Each is safe to run twice."""

from __future__ import annotations

import logging

import requests
from django.conf import settings
from django_tasks import task

logger = logging.getLogger(__name__)

WEBSUB_TIMEOUT_SECONDS = 10


class WebSubPingFailed(Exception):
    pass


@task()
def ping_websub_hub(feed_urls: list[str]) -> int:
    """Tell the WebSub hub these feeds changed (hub.mode=publish). Returns how many were pinged.

    Pinging twice only makes the hub fetch again, so a retry does no harm.
    """
    hub = settings.BROADSIDE_WEBSUB_HUB
    if not hub:
        return 0
    failures = []
    for url in feed_urls:
        try:
            response = requests.post(
                hub, data={"hub.mode": "publish", "hub.url": url}, timeout=WEBSUB_TIMEOUT_SECONDS
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
