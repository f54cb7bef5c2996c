"""Content integrity rules that hang on Wagtail's signals."""

from django.db import transaction
from wagtail.models import PageLogEntry


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
