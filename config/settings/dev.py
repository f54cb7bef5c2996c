"""Settings for a developer's machine: `make run`."""

import os

from .base import *  # noqa: F403

DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret-change-me-in-production")
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
BROADSIDE_API_VALIDATE_RESPONSES = True
# A Mastodon or webhook receiver on this machine or the local network is fine here.
BROADSIDE_OUTBOUND_ADDRESSES = os.environ.get("BROADSIDE_OUTBOUND_ADDRESSES", "private")
