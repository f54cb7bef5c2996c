"""Keep feeds in step with content: invalidate on change, ping the WebSub hub after commit."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from home.models import LetterPage, OrganizationPage, SignatoryVisibility, Topic
from publishing.models import ContentVersion

FEED_FORMATS = ("rss", "atom")
CONTENT_MODELS = (LetterPage, OrganizationPage)


def content_changed(instance) -> None:
    """Something feeds may list changed: drop cached feeds now, ping the hub after commit."""
    ContentVersion.bump()
    if settings.BROADSIDE_WEBSUB_HUB and isinstance(instance, LetterPage):
        urls = feed_urls_for_letter(instance)
        if urls:
            from publishing.tasks import ping_websub_hub

            transaction.on_commit(lambda: ping_websub_hub.enqueue(urls))


def feed_urls_for_letter(letter: LetterPage) -> list[str]:
    """Every feed a letter appears in: its language's, its signatories', its topics'."""
    site = letter.get_site()
    if site is None:
        return []
    root = site.root_url
    language = letter.locale.language_code
    names = [("publishing:feed_letters", {})]
    organizations = OrganizationPage.objects.filter(
        locale=letter.locale,
        translation_key__in=letter.signatories.filter(visibility=SignatoryVisibility.PUBLIC).values(
            "organization__translation_key"
        ),
    ).values_list("slug", flat=True)
    names += [("publishing:feed_organization", {"slug": slug}) for slug in organizations]
    names += [("publishing:feed_topic", {"slug": topic.slug}) for topic in letter.topics.all()]
    with translation.override(language):
        return [
            root + reverse(name, kwargs={**kwargs, "format": format})
            for name, kwargs in names
            for format in FEED_FORMATS
        ]


def on_page_change(sender, instance: Page, **kwargs) -> None:
    if isinstance(instance.specific_deferred, CONTENT_MODELS):
        content_changed(instance.specific_deferred)


def on_page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, CONTENT_MODELS):
        ContentVersion.bump()


def on_topic_saved(sender, instance: Topic, **kwargs) -> None:
    ContentVersion.bump()


def on_view_restriction_changed(sender, instance, **kwargs) -> None:
    ContentVersion.bump()
