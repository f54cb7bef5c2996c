from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.middleware.locale import LocaleMiddleware
from django.utils.translation import gettext as _
from django.views.defaults import bad_request


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
