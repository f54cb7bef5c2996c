from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Letters and organizations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save
        from wagtail.models import PageLogEntry

        from .images import guard_rendition_generation
        from .locales import ensure_locales_after_migrate
        from .signal_handlers import unpublish_converted_alias

        guard_rendition_generation()
        post_migrate.connect(ensure_locales_after_migrate, sender=self)
        post_save.connect(
            unpublish_converted_alias, sender=PageLogEntry, dispatch_uid="unpublish-converted-alias"
        )
