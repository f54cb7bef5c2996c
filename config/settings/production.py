"""Settings for a real installation: everything site-specific comes from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

from config.object_storage import object_storage_from_environment

from .base import *  # noqa: F403
from .base import env_list, with_media_origins

DEBUG = False
try:
    SECRET_KEY = os.environ["SECRET_KEY"]
except KeyError as missing:
    raise ImproperlyConfigured("Set SECRET_KEY in the environment.") from missing
# Former keys, so that changing SECRET_KEY logs nobody out and loses no credentials.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = os.environ.get("INSECURE_COOKIES") != "1"
# WhiteNoise serves collected static files straight from the app server.
MIDDLEWARE = [*MIDDLEWARE]  # noqa: F405
MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Media and share cards in an S3-compatible bucket when AWS_STORAGE_BUCKET_NAME is set
# (config/object_storage.py, docs/deploy.md); static files stay with WhiteNoise.
_object_storage = object_storage_from_environment(os.environ)
if _object_storage is not None:
    STORAGES.update(_object_storage.storages)
    MEDIA_URL = _object_storage.media_url
    # Browsers fetch renditions from the bucket (or its CDN): allow its origin for images.
    CONTENT_SECURITY_POLICY = with_media_origins(  # noqa: F405
        CONTENT_SECURITY_POLICY,  # noqa: F405
        _object_storage.media_origins,
    )
    BROADSIDE_ADMIN_CONTENT_SECURITY_POLICY = with_media_origins(  # noqa: F405
        {"DIRECTIVES": BROADSIDE_ADMIN_CONTENT_SECURITY_POLICY},  # noqa: F405
        _object_storage.media_origins,
    )["DIRECTIVES"]
    # Documents are streamed through Wagtail's view, which applies collection privacy,
    # rather than redirected to an address in the bucket anyone could then share.
    WAGTAILDOCS_SERVE_METHOD = "serve_view"

# HTTPS and proxies (docs/deploy.md, "HTTPS, headers and sign-in") ------------------
# BROADSIDE_PROXY_COUNT: how many reverse proxies stand between browsers and this app
# (0: browsers reach it directly). Only then are X-Forwarded-Proto (is the request HTTPS?)
# and X-Forwarded-For (the address that failed sign-ins are counted against) believed:
# a browser can send those headers too. Each proxy must append to X-Forwarded-For.
try:
    BROADSIDE_PROXY_COUNT = int(os.environ.get("BROADSIDE_PROXY_COUNT", "0"))
except ValueError as invalid:
    raise ImproperlyConfigured("BROADSIDE_PROXY_COUNT must be a whole number.") from invalid
if BROADSIDE_PROXY_COUNT > 0:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # django-ipware (through django-axes): the client is the entry N places from the
    # right of X-Forwarded-For; the nearest proxy is REMOTE_ADDR, not in the header.
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = BROADSIDE_PROXY_COUNT - 1
    # Not strict: a forged entry that a browser puts in front of the chain is skipped.
    IPWARE_STRICT = False
# Plain-HTTP requests are redirected to HTTPS; BROADSIDE_SSL_REDIRECT=0 only if the proxy
# already does it (and then a plain request must never reach the app).
SECURE_SSL_REDIRECT = os.environ.get("BROADSIDE_SSL_REDIRECT", "1") != "0"
# HSTS: browsers refuse plain HTTP to this host for a year. Try HTTPS first with a small
# BROADSIDE_HSTS_SECONDS (300); raise it when all works: it cannot be taken back sooner.
SECURE_HSTS_SECONDS = int(os.environ.get("BROADSIDE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("BROADSIDE_HSTS_INCLUDE_SUBDOMAINS", "1") != "0"
# "preload" asks browsers to ship the host name as HTTPS-only; anyone may submit a host
# that sends it, and it binds every subdomain of the domain: the domain's owner opts in.
SECURE_HSTS_PRELOAD = os.environ.get("BROADSIDE_HSTS_PRELOAD") == "1"
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Django's defaults, stated because the deploy check and docs/deploy.md rely on them:
# no MIME sniffing, no referrer to other sites, no framing, a separate browsing context.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True

# CDN purges (docs/deploy.md, "CDN"): CDN_PURGE_URL, CDN_CLOUDFLARE_*, CDN_CLOUDFRONT_*,
# CDN_HOSTNAMES. None set: no purge is computed or sent.
from .cdn import frontend_cache_backends  # noqa: E402

WAGTAILFRONTENDCACHE = frontend_cache_backends(os.environ)
