"""Public URLs of the publishing app (mounted under each language prefix)."""

from django.urls import path

from .feeds.letters import LocaleLetterFeed, OrganizationLetterFeed, TopicLetterFeed

app_name = "publishing"

urlpatterns = [
    path("feeds/letters.<str:format>", LocaleLetterFeed.as_view(), name="feed_letters"),
    path(
        "feeds/organizations/<slug:slug>.<str:format>",
        OrganizationLetterFeed.as_view(),
        name="feed_organization",
    ),
    path("feeds/topics/<slug:slug>.<str:format>", TopicLetterFeed.as_view(), name="feed_topic"),
]
