"""Keep feeds in step with content: invalidate on change, ping the WebSub hub after commit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from wagtail.models import Page, PageViewRestriction

from home.models import LetterPage, OrganizationPage
from home.signatories import letters_naming, letters_ruled_by, signature_rows
from publishing.models import ContentVersion

logger = logging.getLogger(__name__)

FEED_FORMATS = ("rss", "atom")


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
            own = feed_urls(instance, [("publishing:feed_organization", {"slug": instance.slug})])
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
    """Every feed a letter appears in: its language's, its signatories', its topics'."""
    names = [("publishing:feed_letters", {})]
    # Only organizations the letter names, as readers see it (the source-language letter
    # rules): pinging a hidden signatory's feed would tie it to the letter. A private
    # organization's feed address names it: never sent to the hub either.
    named = [row.organization_id for row in signature_rows([letter])[letter.pk] if row.is_named]
    organizations = (
        OrganizationPage.objects.public()
        .filter(
            locale=letter.locale,
            translation_key__in=OrganizationPage.objects.filter(pk__in=named).values(
                "translation_key"
            ),
        )
        .values_list("slug", flat=True)
    )
    names += [("publishing:feed_organization", {"slug": slug}) for slug in organizations]
    names += [("publishing:feed_topic", {"slug": topic.slug}) for topic in letter.topics.all()]
    return feed_urls(letter, names)


def feed_urls(page: Page, names: list[tuple[str, dict]]) -> list[str]:
    """Absolute URLs, in every format, of the named feeds in `page`'s language and site."""
    site = page.get_site()
    if site is None:
        return []
    root = site.root_url
    urls = []
    with translation.override(page.locale.language_code):
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
