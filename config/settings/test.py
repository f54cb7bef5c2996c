"""Settings for the test suite (pytest uses these; see pyproject.toml)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="broadside-test-media-"))
BROADSIDE_SHARE_IMAGES_ROOT = Path(f"{MEDIA_ROOT}-share-images")
# Tests run tasks in-process unless a test selects a real backend.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
WAGTAILADMIN_BASE_URL = "http://testserver"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
BROADSIDE_API_VALIDATE_RESPONSES = True
# Off: tests run in a transaction whose on-commit retirement never comes;
# tests/test_page_cache.py turns it on and commits.
BROADSIDE_PAGE_CACHE = False
CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}  # noqa: F405
# Credentials in tests are encrypted with a fixed key (two, to exercise rotation).
BROADSIDE_CREDENTIAL_KEYS = ["0v_vfEDvrVbNDz5oUDpFKtOOaW-e5dK7oBI4IOk8WJU="]
# Retries in tests come back at once unless a test says otherwise.
BROADSIDE_DELIVERY_BACKOFF = (0.0, 0.0)
BROADSIDE_CHANNEL_TIMEOUT = (2.0, 2.0)
# The loopback stand-ins of the networks; tests of the policy itself override this.
BROADSIDE_OUTBOUND_ADDRESSES = "loopback"

# A worker started by a test (tests/test_social_workers.py) runs these settings
# against the test database with a real task backend.
if os.environ.get("BROADSIDE_WORKER_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["BROADSIDE_WORKER_DATABASE_NAME"]  # noqa: F405
    # and the test's media (share cards), as a worker shares storage with the site.
    if os.environ.get("BROADSIDE_WORKER_MEDIA_ROOT"):
        MEDIA_ROOT = Path(os.environ["BROADSIDE_WORKER_MEDIA_ROOT"])
        BROADSIDE_SHARE_IMAGES_ROOT = Path(f"{MEDIA_ROOT}-share-images")
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # A shorter SQLite busy timeout, so that a test can outlast it quickly.
    if os.environ.get("BROADSIDE_WORKER_DATABASE_TIMEOUT") and DATABASES["default"][  # noqa: F405
        "ENGINE"
    ].endswith("sqlite3"):
        DATABASES["default"]["OPTIONS"]["timeout"] = float(  # noqa: F405
            os.environ["BROADSIDE_WORKER_DATABASE_TIMEOUT"]
        )
    if os.environ.get("TASK_BACKEND") == "rq":
        TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

# A file, not memory, so that a worker process started by a test sees the same database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.mkdtemp(prefix="broadside-test-db-")) / "test.sqlite3")
    }
