from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationsConfig(AppConfig):
    """Translations that stay right when their source changes (issue 17).

    Sits between wagtail-localize and the content: it keeps the facts of live
    translations in step with the source, carries previous translations over
    changed segments, and tells translators. It knows nothing of `publishing`.
    """

    name = "translations"
    verbose_name = _("Translation review")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save
        from wagtail.signals import page_published
        from wagtail_localize.models import StringTranslation, TranslationSource

        from .review import on_string_translated, on_translation_source_saved
        from .slugs import keep_unicode_slugs
        from .sync import on_page_published
        from .translators import ensure_translator_groups

        post_save.connect(
            on_translation_source_saved,
            sender=TranslationSource,
            dispatch_uid="translations-carry-previous",
        )
        post_save.connect(
            on_string_translated, sender=StringTranslation, dispatch_uid="translations-reviewed"
        )
        page_published.connect(on_page_published, dispatch_uid="translations-sync-facts")
        post_migrate.connect(ensure_translator_groups, sender=self)
        keep_unicode_slugs()
