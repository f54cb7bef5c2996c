"""Answer repeat requests for public pages from the page cache, without the database.

Placed before the session middleware (config/settings/base.py), so a hit reads no
session, user or page: two cache reads (generation, page). Anything that might make
a page personal is never answered from the cache nor stored in it:

- a method other than GET, a query string, an `Authorization` header;
- any cookie except the CSRF and language cookies (a session means a signed-in editor,
  or a reader who entered a private page's password; `messages` holds their notices);
- Wagtail's previews (`is_dummy`/`is_preview`: rendered through this stack);
and only responses marked by `mark_cacheable` (the page-serving hook in `wagtail_hooks.py`
for a live, public page of a cacheable type; the share-card view for a public card) are
stored, when they are a 200 that sets no cookie, used no CSRF token, is not
`private`/`no-store`, and no user is signed in.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from .store import (
    StoredPage,
    current_generation,
    enabled,
    page_cache,
    page_key,
)

# Set on the request by the page-serving hook when the page may be stored.
CACHEABLE_ATTRIBUTE = "broadside_page_cacheable"
HIT_HEADER = "X-Page-Cache"


def mark_cacheable(request: HttpRequest) -> None:
    """Let the page cache store this request's answer: call it only for what every reader
    may get (the page-serving hook for public pages, the share-card view for public cards)."""
    setattr(request, CACHEABLE_ATTRIBUTE, True)


def harmless_cookies() -> frozenset[str]:
    """Cookies that do not change what a public page shows."""
    return frozenset({settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME})


def may_answer_from_cache(request: HttpRequest) -> bool:
    """Whether this request may be answered with (and its answer stored as) a public page."""
    if request.method != "GET" or request.META.get("QUERY_STRING"):
        return False
    if "HTTP_AUTHORIZATION" in request.META:
        return False
    if getattr(request, "is_dummy", False) or getattr(request, "is_preview", False):
        return False
    return set(request.COOKIES) <= harmless_cookies()


def may_store(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether this answer is a public page that every reader may get."""
    if not getattr(request, CACHEABLE_ATTRIBUTE, False):
        return False
    if getattr(request, "is_dummy", False) or getattr(request, "is_preview", False):
        return False
    if response.status_code != 200 or response.cookies:
        return False
    # A CSRF token was put in the page (a form): it belongs to this reader only.
    if "CSRF_COOKIE_NEEDS_UPDATE" in request.META:
        return False
    cache_control = response.get("Cache-Control", "").lower()
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


def keep_personal_answers_private(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Mark `private` an answer made for a signed-in user that says nothing of caching.

    Such a page carries the Wagtail user bar (links into the admin) and may be rendered from
    what only that user may read; a CDN whose rule misses the session cookie (docs/deploy.md,
    "CDN") would otherwise keep it and give it to everyone. Answers that already state their
    caching (feeds and API answers, the same for everyone; `no-store` drafts) are left alone.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
        patch_cache_control(response, private=True)
    return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not enabled() or not may_answer_from_cache(request):
            return keep_personal_answers_private(request, self.get_response(request))
        # Read once: what this request renders is stored under the generation it began in.
        generation = current_generation()
        key = page_key(generation, request)
        stored = page_cache().get(key)
        if stored is not None:
            response = stored.to_response()
            response[HIT_HEADER] = "hit"
            return response
        response = self.get_response(request)
        if may_store(request, response):
            stored = StoredPage.from_response(response)
            page_cache().set(key, stored, settings.BROADSIDE_PAGE_CACHE_SECONDS)
            if response.streaming:
                # A file, read once to be stored: answer with the bytes read. (Not close():
                # that sends request_finished; the server closes the file with the response.)
                response.streaming_content = [stored.content]
            response[HIT_HEADER] = "miss"
        return response
