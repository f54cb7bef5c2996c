from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Letters and organizations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import PageLogEntry
        from wagtail.signals import page_published, post_page_move

        from .admin_i18n import make_names_optional, use_content_language_forms
        from .images import guard_rendition_generation
        from .locales import ensure_locales_after_migrate
        from .privacy import forget_private_sections
        from .signal_handlers import follow_slug_in_untranslated_copies, unpublish_converted_alias

        guard_rendition_generation()
        use_content_language_forms()
        make_names_optional()
        post_migrate.connect(ensure_locales_after_migrate, sender=self)
        post_save.connect(
            unpublish_converted_alias, sender=PageLogEntry, dispatch_uid="unpublish-converted-alias"
        )
        for signal in (post_save, post_delete, post_page_move):
            signal.connect(forget_private_sections, dispatch_uid=f"forget-private-{id(signal)}")
        page_published.connect(
            follow_slug_in_untranslated_copies, dispatch_uid="follow-slug-in-untranslated-copies"
        )
