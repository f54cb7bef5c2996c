"""Content integrity rules that hang on Wagtail's signals."""

import logging

from django.db import transaction
from wagtail.models import PageLogEntry

logger = logging.getLogger(__name__)


def unpublish_converted_alias(sender, instance: PageLogEntry, created: bool, **kwargs) -> None:
    """An alias that a translator starts translating must not stay live.

    wagtail-localize turns the alias into a real page but leaves it live, with
    the untranslated text, presented as a translation (lang, hreflang, feeds).
    It goes offline until the translation is published.
    """
    if not created or instance.action != "wagtail.convert_alias":
        return
    page = instance.page.specific if instance.page_id else None
    if page is not None and page.live:
        with transaction.atomic():
            page.unpublish(log_action=True)


def follow_slug_in_untranslated_copies(sender, instance, alias: bool = False, **kwargs) -> None:
    """An untranslated copy (alias) in another language takes its source's new slug.

    Wagtail keeps an alias's own slug when it updates it from its source (wagtail/wagtail#7168,
    `Page.update_aliases`), so renaming a letter left `/es/letters/old/` live while every link
    and the language redirect of `/letters/new/` pointed at `/es/letters/new/`, a 404. Saving
    the new slug moves the copy's URL (and its descendants'), and wagtail.contrib.redirects,
    listening to `page_slug_changed`, redirects the old address. A sibling that already has the
    slug keeps the copy where it is: moving it would break that sibling.
    """
    if alias or instance.alias_of_id:
        return
    from wagtail.models import Page

    copies = Page.objects.filter(alias_of=instance, translation_key=instance.translation_key)
    for copy in copies.exclude(slug=instance.slug).exclude(locale_id=instance.locale_id):
        if copy.get_siblings(inclusive=False).filter(slug=instance.slug).exists():
            logger.warning("Alias %s keeps its slug: a sibling has %r", copy.pk, instance.slug)
            continue
        copy.slug = instance.slug
        copy.save(clean=False, update_fields=["slug", "url_path"])
