from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    """The publishing pipeline: feeds, share cards and social posts (issues 3–5).

    It depends on `home`, never the other way round: it listens to Wagtail's
    page signals and offers template tags.
    """

    name = "publishing"
    verbose_name = _("Publishing")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .signal_handlers import register_signal_handlers

        register_signal_handlers()
