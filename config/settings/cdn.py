"""The CDN purge backends, from the environment (docs/deploy.md, "CDN").

Wagtail's frontend cache (`wagtail.contrib.frontend_cache`) purges through the backends
named in `WAGTAILFRONTENDCACHE`; this builds that setting from environment variables so
that the production settings hold no secret. No variable set: `{}`, and Broadside neither
computes nor sends a purge (publishing.cdn).

- `CDN_PURGE_URL`: an HTTP cache that takes `PURGE` requests (Varnish, nginx with a purge
  module, Fastly's URL purge): each address is sent there as `PURGE /path` with the site's
  host in `Host`. It must reach the cache directly, not through another proxy.
- `CDN_CLOUDFLARE_ZONE_ID` with `CDN_CLOUDFLARE_BEARER_TOKEN`: Cloudflare's purge API,
  with an API token allowed "Zone.Cache Purge" on that zone (30 addresses a request).
- `CDN_CLOUDFRONT_DISTRIBUTION_ID`: a CloudFront invalidation per batch; AWS credentials
  come from boto3's own chain (`AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, an instance
  role…), and boto3 must be installed.
- `CDN_HOSTNAMES`: comma-separated host names the CDN serves (default: every host).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

BACKENDS = "wagtail.contrib.frontend_cache.backends"


def frontend_cache_backends(environ: Mapping[str, str]) -> dict[str, dict]:
    """`WAGTAILFRONTENDCACHE` for these environment variables: {name: {"BACKEND": …}}.

    Raises ImproperlyConfigured for half a configuration (a Cloudflare zone without its
    token or the reverse; CloudFront without boto3), so that a mistake shows at start-up
    rather than as pages that never refresh.
    """
    backends: dict[str, dict] = {}
    hostnames = [h.strip() for h in environ.get("CDN_HOSTNAMES", "").split(",") if h.strip()]
    common = {"HOSTNAMES": hostnames} if hostnames else {}
    if purge_url := environ.get("CDN_PURGE_URL", "").strip():
        backends["http"] = {"BACKEND": f"{BACKENDS}.HTTPBackend", "LOCATION": purge_url, **common}
    zone = environ.get("CDN_CLOUDFLARE_ZONE_ID", "").strip()
    token = environ.get("CDN_CLOUDFLARE_BEARER_TOKEN", "").strip()
    if bool(zone) != bool(token):
        raise ImproperlyConfigured(
            "Set both CDN_CLOUDFLARE_ZONE_ID and CDN_CLOUDFLARE_BEARER_TOKEN, or neither."
        )
    if zone:
        backends["cloudflare"] = {
            "BACKEND": f"{BACKENDS}.CloudflareBackend",
            "ZONEID": zone,
            "BEARER_TOKEN": token,
            **common,
        }
    if distribution := environ.get("CDN_CLOUDFRONT_DISTRIBUTION_ID", "").strip():
        if importlib.util.find_spec("boto3") is None:
            raise ImproperlyConfigured("CDN_CLOUDFRONT_DISTRIBUTION_ID needs boto3 installed.")
        backends["cloudfront"] = {
            "BACKEND": f"{BACKENDS}.CloudfrontBackend",
            "DISTRIBUTION_ID": distribution,
            **common,
        }
    return backends
