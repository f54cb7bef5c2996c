"""Media and share cards on S3-compatible object storage, configured from the environment.

Read by `config/settings/production.py` (and by tests/test_object_storage.py, which points it
at a loopback S3 server). The variables are django-storages' own names, so its documentation
applies; `AWS_STORAGE_BUCKET_NAME` turns object storage on, and without it files stay under
MEDIA_ROOT. Static files are not concerned: WhiteNoise serves them from the app.

In the bucket, two prefixes (docs/deploy.md, "Object storage"):

- `media/`: Wagtail images and their renditions (logos), documents. Renditions are linked
  directly (`AWS_S3_CUSTOM_DOMAIN`, a CDN, or the bucket's own address), so the bucket must let
  anyone read `media/images/*`; originals and documents need not be public (documents are
  streamed through Wagtail's serve view, which applies collection privacy).
- `share-images/`: share cards, never public in the bucket. Their URL stays the site's
  `/share-images/<name>`, whose view serves a card to readers only while its letter is public
  (docs/decisions.md): a bucket URL would stay readable after a letter is made private.

The access key and secret are left to boto3, which reads `AWS_ACCESS_KEY_ID` and
`AWS_SECRET_ACCESS_KEY` (or an instance role) itself: they never enter Django's settings,
so no settings dump or error page can show them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

MEDIA_PREFIX = "media"
SHARE_IMAGES_PREFIX = "share-images"
ADDRESSING_STYLES = ("path", "virtual", "auto")


@dataclass(frozen=True)
class ObjectStorage:
    """What object storage changes in settings: the two STORAGES entries, MEDIA_URL (where
    media files are linked from) and the origins the Content-Security-Policy must allow
    for images and media."""

    storages: dict[str, dict[str, Any]]
    media_url: str
    media_origins: list[str] = field(default_factory=list)


def object_storage_from_environment(environ: Mapping[str, str]) -> ObjectStorage | None:
    """The object-storage settings `environ` asks for, or None when AWS_STORAGE_BUCKET_NAME
    is unset or empty (files then stay on the filesystem).

    Variables (all optional but the bucket): AWS_S3_ENDPOINT_URL (an S3-compatible server,
    e.g. `http://127.0.0.1:9000`; empty: AWS), AWS_S3_REGION_NAME, AWS_S3_CUSTOM_DOMAIN (a
    host name, optionally with a path, that serves the bucket, e.g. a CDN:
    `cdn.example.org`), AWS_S3_URL_PROTOCOL (`https:`), AWS_S3_ADDRESSING_STYLE (`path` when
    an endpoint is set, else boto3's `auto`). Raises ImproperlyConfigured for a malformed
    endpoint, protocol or addressing style.
    """
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        return None
    endpoint = environ.get("AWS_S3_ENDPOINT_URL", "").strip()
    if endpoint and (
        urlsplit(endpoint).scheme not in ("http", "https") or not urlsplit(endpoint).netloc
    ):
        raise ImproperlyConfigured(
            "AWS_S3_ENDPOINT_URL must be an http(s) address, like http://127.0.0.1:9000."
        )
    region = environ.get("AWS_S3_REGION_NAME", "").strip() or None
    custom_domain = environ.get("AWS_S3_CUSTOM_DOMAIN", "").strip().strip("/") or None
    protocol = environ.get("AWS_S3_URL_PROTOCOL", "https:").strip() or "https:"
    if protocol not in ("http:", "https:"):
        raise ImproperlyConfigured("AWS_S3_URL_PROTOCOL must be 'https:' or 'http:'.")
    style = environ.get("AWS_S3_ADDRESSING_STYLE", "").strip() or ("path" if endpoint else "auto")
    if style not in ADDRESSING_STYLES:
        raise ImproperlyConfigured(
            f"AWS_S3_ADDRESSING_STYLE must be one of {', '.join(ADDRESSING_STYLES)}."
        )
    common = {
        "bucket_name": bucket,
        "endpoint_url": endpoint or None,
        "region_name": region,
        "addressing_style": style,
        # Public, stable addresses (pages keep them in caches): never signed ones that expire.
        "querystring_auth": False,
    }
    media = {
        **common,
        "location": MEDIA_PREFIX,
        "custom_domain": custom_domain,
        "url_protocol": protocol,
        # Two uploads called logo.png are two files (django-storages overwrites by default).
        "file_overwrite": False,
    }
    cards = {**common, "location": SHARE_IMAGES_PREFIX}
    media_root_url = _bucket_url(bucket, endpoint, style, custom_domain, protocol)
    return ObjectStorage(
        storages={
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": media},
            "share_images": {
                "BACKEND": "publishing.share_images.object_storage.ShareImageS3Storage",
                "OPTIONS": cards,
            },
        },
        media_url=f"{media_root_url}/{MEDIA_PREFIX}/",
        media_origins=_origins(bucket, endpoint, region, style, custom_domain, protocol),
    )


def _bucket_url(bucket, endpoint, style, custom_domain, protocol) -> str:
    """The address the bucket's objects are linked from, as django-storages builds them."""
    if custom_domain:
        return f"{protocol}//{custom_domain}"
    if endpoint:
        parts = urlsplit(endpoint)
        if style == "virtual":
            return f"{parts.scheme}://{bucket}.{parts.netloc}"
        return f"{parts.scheme}://{parts.netloc}/{bucket}"
    # boto3 links a bucket on AWS by its global host name, whatever its region.
    return f"https://{bucket}.s3.amazonaws.com"


def _origins(bucket, endpoint, region, style, custom_domain, protocol) -> list[str]:
    """Origins the browser fetches media from (for img-src and media-src)."""
    if custom_domain:
        return [f"{protocol}//{custom_domain.split('/')[0]}"]
    if endpoint:
        parts = urlsplit(endpoint)
        host = f"{bucket}.{parts.netloc}" if style == "virtual" else parts.netloc
        if style == "auto":
            return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://{bucket}.{parts.netloc}"]
        return [f"{parts.scheme}://{host}"]
    # AWS names a bucket's host with and without its region, depending on the region.
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins.append(f"https://{bucket}.s3.{region}.amazonaws.com")
    return origins
