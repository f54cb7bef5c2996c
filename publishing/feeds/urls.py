"""Public URLs of the feeds (mounted under each language prefix, namespace "publishing")."""

from django.urls import path, register_converter

from .letters import LocaleLetterFeed, OrganizationLetterFeed, TopicLetterFeed

app_name = "publishing"


class UnicodeSlugConverter:
    """Wagtail allows Unicode slugs (правозащитники); Django's <slug:> does not."""

    regex = r"[-\w]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(UnicodeSlugConverter, "uslug")

urlpatterns = [
    path("feeds/letters.<str:format>", LocaleLetterFeed.as_view(), name="feed_letters"),
    path(
        "feeds/organizations/<uslug:slug>.<str:format>",
        OrganizationLetterFeed.as_view(),
        name="feed_organization",
    ),
    path("feeds/topics/<uslug:slug>.<str:format>", TopicLetterFeed.as_view(), name="feed_topic"),
]
