"""Marks the pages that the page cache may store: live, public pages of the site's types."""

from wagtail import hooks

from home.models import (
    HomePage,
    LetterIndexPage,
    LetterPage,
    OrganizationIndexPage,
    OrganizationPage,
)

from .middleware import mark_cacheable

CACHEABLE_PAGE_TYPES = (
    HomePage,
    LetterIndexPage,
    LetterPage,
    OrganizationIndexPage,
    OrganizationPage,
)


@hooks.register("before_serve_page")
def mark_public_page_cacheable(page, request, serve_args, serve_kwargs):
    """Public by home.privacy's rule (its ancestors' and other language versions'
    restrictions count), live, and one of the page types readers share."""
    page = page.specific_deferred
    if (
        isinstance(page, CACHEABLE_PAGE_TYPES)
        and page.live
        and not getattr(request, "is_preview", False)
        and not page.get_view_restrictions().exists()
    ):
        mark_cacheable(request)
