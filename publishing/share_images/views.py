"""Views of the share cards: the stored file for readers, the draft's preview for editors."""

from __future__ import annotations

import mimetypes
import re

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_safe
from wagtail.models import Page

from home.models import LetterPage
from page_cache.middleware import mark_cacheable
from publishing.models import ShareImage

from .card import VARIANTS
from .service import preview
from .storage import share_image_storage

# A card's file never changes (its name is its content's hash): browsers keep it a year. A
# shared cache (a CDN) asks again within five minutes, so a card hidden later (a letter made
# private, a signatory withheld: the view then answers 404) leaves the CDN soon.
IMMUTABLE = "public, max-age=31536000, s-maxage=300, immutable"


STORED_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{40}\.(png|jpg)$")


@require_safe
def share_image_file(request, name: str):
    """A stored share card. Its name is a hash of its bytes, so it can be cached for ever.

    Readers get it only while it is the current card of a live letter that is public
    (home.privacy: its own, its ancestors' and its other language versions' restrictions):
    a card's address was in og:image, feeds, the API and posts while the letter was
    public, and it shows the title and the signatories. Otherwise it is a 404, except for
    a user who may edit the letter (the Sharing tab shows it), who gets it uncached.
    """
    storage = share_image_storage()
    if not STORED_NAME.match(name) or not storage.exists(name):
        raise Http404("No such share image.")
    cards = ShareImage.objects.filter(file_name=name)
    public = (
        LetterPage.objects.live()
        .public()
        .filter(pk__in=cards.filter(stale=False).values("page_id"))
    )
    if public.exists():
        cache_control = IMMUTABLE
        # Readers' copies go through the page cache too: the stampede after a post fetches it.
        mark_cacheable(request)
    elif _editor_may_see(request, cards):
        cache_control = "private, no-store"
    else:
        raise Http404("No such share image.")
    response = FileResponse(storage.open(name, "rb"), content_type=mimetypes.guess_type(name)[0])
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _editor_may_see(request, cards) -> bool:
    """Whether the signed-in user may edit one of the letters these cards belong to."""
    if not request.user.is_authenticated:
        return False
    pages = Page.objects.filter(pk__in=cards.values("page_id"))
    return any(page.permissions_for_user(request.user).can_edit() for page in pages)


@require_GET
def share_image_preview(request, page_id: int, variant: str):
    """The card of the page's latest draft, for the editor (not stored, not cached)."""
    if variant not in VARIANTS:
        raise Http404("Unknown variant.")
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    if not isinstance(page, LetterPage):
        raise Http404("Only letters have share cards.")
    rendered = preview(page, variant)
    response = HttpResponse(rendered.data, content_type=rendered.mime_type)
    response["Cache-Control"] = "private, no-store"
    return response
