"""The CDN purge task: ids in, one batch of addresses out. Safe to run twice."""

from __future__ import annotations

import logging

from django_tasks import task
from wagtail.contrib.frontend_cache.utils import PurgeBatch

from .addresses import addresses_to_purge

logger = logging.getLogger(__name__)


@task()
def purge_pages_from_cdn(
    page_ids: list[int], privacy_changed_ids: list[int], urls: list[str] | None = None
) -> int:
    """Purge from the CDN every address the committed change to these pages left stale.

    `page_ids`: pages published, unpublished or moved; `privacy_changed_ids`: pages whose
    view restrictions changed (their own addresses are purged though they are private
    now). Their addresses are worked out here, from the database as it is now
    (publishing.cdn.addresses); `urls` adds those of pages deleted in the change, worked
    out before their rows went (publishing.cdn.receivers). All go to Wagtail's frontend
    cache as one
    `PurgeBatch`: one request per batch for backends that batch (Cloudflare: 30 URLs a
    request; CloudFront: one invalidation), one PURGE per address for the HTTP backend.

    Purging an address twice only costs the CDN a miss, so a retry does no harm.
    Returns how many addresses were purged.
    """
    stale = (
        set(urls or ())
        | addresses_to_purge(page_ids)
        | addresses_to_purge(privacy_changed_ids, privacy_changed=True)
    )
    if not stale:
        return 0
    logger.info("Purging %d addresses from the CDN.", len(stale))
    PurgeBatch(sorted(stale)).purge()
    return len(stale)
