import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

application = get_wsgi_application()

# The page cache outlives processes (files, Redis): a server (re)started on other code or a
# restored database must not answer with pages rendered before (page_cache/store.py).
from page_cache.store import retire_pages_after_start  # noqa: E402

retire_pages_after_start()
