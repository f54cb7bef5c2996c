"""Keep the Unicode slug a translator typed (issue 17).

wagtail-localize 1.14.5 passes a translated slug through Django's ASCII `slugify`
before saving the page (`TranslationSource.create_or_update_translation`), so
"шифрование" became "" and Wagtail then built a slug from the title instead: not what
the translator typed, and a long percent-encoded address. Wagtail itself allows
Unicode slugs (`WAGTAIL_ALLOW_UNICODE_SLUGS`, default True). The module-level name
wagtail-localize calls is replaced by the same function honouring that setting; the
version is pinned exactly, and tests/test_translation_sync.py fails if this stops
working after an upgrade.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.text import slugify


def wagtail_slugify(value: str, allow_unicode: bool | None = None) -> str:
    """Django's `slugify`, Unicode-aware when Wagtail allows Unicode slugs."""
    if allow_unicode is None:
        allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
    return slugify(value, allow_unicode=allow_unicode)


def keep_unicode_slugs() -> None:
    """Make wagtail-localize's translated-slug clean-up keep Unicode letters."""
    import wagtail_localize.models

    wagtail_localize.models.slugify = wagtail_slugify
