"""Public URLs of the feeds (mounted under each language prefix, namespace "publishing")."""

from django.urls import register_converter

from . import registry

app_name = "publishing"


class UnicodeSlugConverter:
    """Wagtail allows Unicode slugs (правозащитники); Django's <slug:> does not."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")

urlpatterns = registry.urlpatterns()  # each feed states its own address
