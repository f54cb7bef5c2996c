"""Keep feeds in step with content: invalidate on change, ping the WebSub hub after commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from wagtail.models import Page

from home.models import LetterPage, OrganizationPage, SignatoryVisibility
from publishing.models import ContentVersion

logger = logging.getLogger(__name__)

FEED_FORMATS = ("rss", "atom")


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
    # A private organization's feed address names it: never sent to the hub.
    organizations = (
        OrganizationPage.objects.public()
        .filter(
            locale=letter.locale,
            translation_key__in=letter.signatories.filter(
                visibility=SignatoryVisibility.PUBLIC
            ).values("organization__translation_key"),
        )
        .values_list("slug", flat=True)
    )
    names += [("publishing:feed_organization", {"slug": slug}) for slug in organizations]
    names += [("publishing:feed_topic", {"slug": topic.slug}) for topic in letter.topics.all()]
    urls = []
    with translation.override(language):
        for name, kwargs in names:
            for format in FEED_FORMATS:
                try:
                    urls.append(root + reverse(name, kwargs={**kwargs, "format": format}))
                except NoReverseMatch:
                    logger.warning("No feed address for %s %s", name, kwargs)
    return urls


def on_page_change(sender, instance: Page, **kwargs) -> None:
    """Any page: an index page's slug is in every letter's address, a home page's in all."""
    content_changed(instance.specific_deferred)


def on_page_deleted(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        ContentVersion.bump()


def on_other_content_changed(sender, instance, **kwargs) -> None:
    """Topics, sites, card settings, images: all show up in feeds and API answers."""
    ContentVersion.bump()
