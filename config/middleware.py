from urllib.parse import urlparse

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils.translation import gettext as _
from django.views.defaults import bad_request
from wagtail.contrib.redirects import middleware as wagtail_redirects
from wagtail.contrib.redirects.models import Redirect

from home.privacy import readable_by


class SiteLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, minus its redirect of 404s outside the language prefixes.

    Every path is valid under a language prefix here (Wagtail serves the whole
    tree), so Django would answer a missing API object or share image with a
    redirect to /en/… instead of a 404.
    """

    def process_response(self, request, response):
        if request.path_info.startswith(settings.BROADSIDE_UNPREFIXED_PATHS):
            return response
        return super().process_response(request, response)


class RejectNulBytesMiddleware:
    """Answer 400 to a request with a NUL character in its path, query or cookies.

    PostgreSQL cannot store or compare text containing NUL (psycopg raises ValueError:
    "PostgreSQL text fields cannot contain NUL (0x00) bytes"), so such a value reaching
    any query (search, API filters, feed slugs, admin filters, page paths, a session
    cookie) was a 500. No legitimate URL needs one (RFC 3986 has no meaning for it), so
    the request is refused before any view runs, on every database alike. Form fields
    are covered by Django's own `ProhibitNullCharactersValidator`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = self.nul_byte_location(request)
        if where is None:
            return self.get_response(request)
        if where == "path":
            message = _("The address contains a NUL character, which is not allowed.")
        else:
            message = _("“%(name)s” contains a NUL character, which is not allowed.") % {
                "name": where
            }
        if request.path_info.startswith("/api/"):
            # The API's error shape (publishing/api/schemas.py: Error).
            return JsonResponse(
                {"message": message, "errors": [{"parameter": where, "problem": message}]},
                status=400,
            )
        return bad_request(request, SuspiciousOperation(message))

    @staticmethod
    def nul_byte_location(request) -> str | None:
        """Which part of the request holds a NUL: "path", a parameter's or cookie's name."""
        if "\x00" in request.path_info:
            return "path"
        pairs = [*request.GET.lists(), *((name, [v]) for name, v in request.COOKIES.items())]
        for name, values in pairs:
            if "\x00" in name or any("\x00" in value for value in values):
                return name.replace("\x00", "\\x00")
        return None


class PrivacyAwareRedirectMiddleware(wagtail_redirects.RedirectMiddleware):
    """Wagtail's redirects, minus those to a page the reader may not read.

    Wagtail makes a redirect from a page's former address whenever its slug changes or it
    moves (and Broadside's aliases follow their source's slug): a letter renamed or moved
    after it was made private or unpublished answered its old, public address with its new
    one, which names it (`/en/letters/secret-plan-against-minister-x/`) or the private
    section it went to. Such a redirect answers as if it did not exist: the 404 it replaces.
    """

    def process_response(self, request, response):
        if response.status_code != 404:
            return response
        redirect = self.redirect_for(request)
        if redirect is None or redirect.link is None:
            return response
        if redirect.redirect_page_id and not readable_by(redirect.redirect_page, request):
            return response
        if redirect.is_permanent:
            return HttpResponsePermanentRedirect(redirect.link)
        return HttpResponseRedirect(redirect.link)

    @staticmethod
    def redirect_for(request) -> Redirect | None:
        """The redirect Wagtail's middleware would follow for this request, if any."""
        path = Redirect.normalise_path(request.get_full_path(), decode_unicode=False)
        redirect = wagtail_redirects.get_redirect(request, path)
        if redirect is None and path != (bare := urlparse(path).path):
            redirect = wagtail_redirects.get_redirect(request, bare)
        return redirect
