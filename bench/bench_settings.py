"""Production settings without a cache: bench/api.py measures answers built every time."""

from config.settings.production import *  # noqa: F403

CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
