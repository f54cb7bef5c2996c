"""Keep Wagtail's Locale records in step with the configured languages.

Every language in settings.LANGUAGES gets a Locale, and every locale but the
source one is synchronised from it by wagtail-localize, so each language tree
mirrors the source tree (untranslated pages appear there as aliases until a
translator takes them on).
"""

from django.conf import settings
from wagtail.models import Locale
from wagtail_localize.models import LocaleSynchronization


def ensure_locales() -> list[Locale]:
    """Create missing locales and their synchronisation from the source language. Idempotent."""
    source, _created = Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    locales = [source]
    for code, _name in settings.LANGUAGES:
        if code == source.language_code:
            continue
        locale, _created = Locale.objects.get_or_create(language_code=code)
        if not LocaleSynchronization.objects.filter(locale=locale).exists():
            LocaleSynchronization.objects.create(locale=locale, sync_from=source)
        locales.append(locale)
    return locales


def ensure_locales_after_migrate(sender, **kwargs) -> None:
    from .background import inline_tasks

    with inline_tasks():
        ensure_locales()
