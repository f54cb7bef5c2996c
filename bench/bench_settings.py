"""Production settings without a cache: bench/api.py measures answers built every time."""

from config.settings.production import *  # noqa: F403

# Both caches: the API's per-version answers (default) and whole public pages (pages).
CACHES = {
    alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    for alias in ("default", "pages")
}
