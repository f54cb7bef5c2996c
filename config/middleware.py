from django.conf import settings
from django.middleware.locale import LocaleMiddleware


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
