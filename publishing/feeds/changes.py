"""Keep feeds in step with content: invalidate on change, ping the WebSub hub after commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch
from wagtail.models import Page, PageViewRestriction

from home.models import LetterPage, OrganizationPage
from home.signed_letters import letters_naming, letters_ruled_by
from publishing.models import ContentVersion

from .registry import feed_paths, feeds_about, feeds_listing

logger = logging.getLogger(__name__)


def content_changed(instance) -> None:
    """Something feeds may list changed: drop cached feeds now, ping the hub after commit.

    A letter pings its own feeds; an organization (whose name is an entry's author,
    and whose feed lists what it signed) pings those of every letter it is on.
    """
    ContentVersion.bump()
    if not settings.BROADSIDE_WEBSUB_HUB:
        return
    if isinstance(instance, LetterPage):
        urls = feed_urls_for_letter(instance)
        if urls:
            from publishing.feeds.tasks import ping_websub_hub

            transaction.on_commit(lambda: ping_websub_hub.enqueue(urls))
        if not instance.alias_of_id:
            # The source-language letter decides whom its translations name.
            ping_feeds_on_commit(letters_ruled_by(instance).exclude(pk=instance.pk))
    elif isinstance(instance, OrganizationPage):
        own = []
        if OrganizationPage.objects.public().filter(pk=instance.pk).exists():
            # A private organization's feed address names it: never sent to the hub.
            own = feed_urls(instance, [(feed, instance) for feed in feeds_about(OrganizationPage)])
        if own:
            from publishing.feeds.tasks import ping_websub_hub

            transaction.on_commit(lambda: ping_websub_hub.enqueue(own))
        ping_feeds_on_commit(letters_naming(OrganizationPage.objects.filter(pk=instance.pk)))


def ping_feeds_on_commit(letters) -> None:
    """After commit, ping the hub for the feeds of these letters (computed by the worker)."""
    ids = list(letters.filter(live=True).values_list("pk", flat=True))
    if ids and settings.BROADSIDE_WEBSUB_HUB:
        from publishing.feeds.tasks import ping_feeds_of_letters

        transaction.on_commit(lambda: ping_feeds_of_letters.enqueue(ids))


def feed_urls_for_letter(letter: LetterPage) -> list[str]:
    """Every feed a letter appears in (each registered feed says which of its subjects
    list it: publishing.feeds.registry), in every format."""
    return feed_urls(letter, feeds_listing(letter))


def feed_urls(
    page: Page, feeds: list[tuple[type, object]], *, root_url: str | None = None
) -> list[str]:
    """Absolute URLs, in every format, of the (feed, subject) feeds in `page`'s language
    and site (`root_url`: that site's, when the caller knows it already)."""
    if root_url is None:
        site = page.get_site()
        if site is None:
            return []
        root_url = site.root_url
    urls = []
    for feed, subject in feeds:
        try:
            paths = feed_paths(feed, subject, language=page.locale.language_code)
        except NoReverseMatch:
            logger.warning("No feed address for %s %s", feed.url_name, subject)
            continue
        urls += [root_url + path for path in paths.values()]
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


def on_view_restriction_changed(sender, instance: PageViewRestriction, **kwargs) -> None:
    """A page made private (or public again) leaves (or rejoins) feeds, with what is under
    it: letters themselves, and organizations named as authors of letters."""
    ContentVersion.bump()
    path = Page.objects.filter(pk=instance.page_id).values_list("path", flat=True).first()
    if path and settings.BROADSIDE_WEBSUB_HUB:
        organizations = OrganizationPage.objects.filter(path__startswith=path)
        ping_feeds_on_commit(
            LetterPage.objects.filter(
                Q(path__startswith=path) | Q(pk__in=letters_naming(organizations).values("pk"))
            )
        )
