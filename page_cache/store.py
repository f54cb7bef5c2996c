"""Where whole pages are kept, under which key, and how a change retires them all.

THE GENERATION. Every page is stored under a key that starts with the current
generation: a random token kept in the `pages` cache (shared by every process:
files on one server, Redis when REDIS_URL is set). `retire_pages()` replaces the
token after a change to public content has been committed, so every page stored
before it is never read again (they expire or are culled on their own).

Why a token read once per request, and not a clear of the cache: a request that
began before the commit read the old token, and whatever it renders (perhaps still
the old content) goes under the old key, which nobody reads any more. A clear would
let such a request put old content back after the clear, for every later reader.
Why random, not a counter: a token lost (evicted, Redis restarted) is replaced by a
new one, never by a value that earlier pages were stored under.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
GENERATION_KEY = "page-cache:generation"
# Response headers worth keeping; those added around this cache (security, CSP, CORS)
# are added again on every answer by the middleware outside it.
KEPT_HEADERS = (
    "Content-Type",
    "Content-Language",
    "Vary",
    "X-Frame-Options",
    "Link",
    "Cache-Control",
    "X-Content-Type-Options",
)


@dataclass(frozen=True)
class StoredPage:
    """What is kept of a response: status, chosen headers (name, value) and body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    @classmethod
    def from_response(cls, response: HttpResponse) -> StoredPage:
        headers = tuple((name, response[name]) for name in KEPT_HEADERS if name in response)
        if response.streaming:  # a FileResponse (a share card): at most a few hundred kB
            return cls(response.status_code, headers, b"".join(response.streaming_content))
        return cls(response.status_code, headers, response.content)

    def to_response(self) -> HttpResponse:
        response = HttpResponse(self.content, status=self.status)
        for name, value in self.headers:
            response[name] = value
        return response


def page_cache() -> BaseCache:
    return caches[CACHE_ALIAS]


def enabled() -> bool:
    """`BROADSIDE_PAGE_CACHE` (on unless the environment says `0`)."""
    return bool(getattr(settings, "BROADSIDE_PAGE_CACHE", False))


def current_generation() -> str:
    """The token pages are stored under now; a new one if none is kept (first use, evicted).

    Two processes starting a generation at once may each keep their own for a moment;
    the later one wins and the other's pages are never read: a miss, never stale.
    """
    cache = page_cache()
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        fresh = uuid.uuid4().hex
        cache.add(GENERATION_KEY, fresh, None)
        generation = cache.get(GENERATION_KEY) or fresh
    return generation


def page_key(generation: str, request: HttpRequest) -> str:
    """The key of the page at this scheme, host and path (no query string) in a generation."""
    address = f"{request.scheme}://{request.get_host()}{request.path}"
    return f"page-cache:{generation}:{hashlib.sha256(address.encode()).hexdigest()[:40]}"


def retire_pages() -> None:
    """Start a new generation: no page stored so far is served again.

    Call it *after* the change is committed (`transaction.on_commit`): see THE
    GENERATION above. A cache that cannot be reached is logged, not raised: the
    change is committed already, and an unreachable cache serves no page either.
    """
    try:
        page_cache().set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception:
        logger.exception("Could not retire cached pages; they may be served until they expire.")


def retire_pages_after_migrate(sender, **kwargs) -> None:
    """After `migrate` (every deploy runs it): pages rendered by former code are dropped."""
    if enabled():
        retire_pages()


def retire_pages_after_start() -> None:
    """When a web server process starts (config/wsgi.py): code or database may have changed
    since the pages kept were rendered (a deploy, a restored backup). Costs one miss a page."""
    if enabled():
        retire_pages()
