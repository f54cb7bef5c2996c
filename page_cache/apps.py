from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PageCacheConfig(AppConfig):
    name = "page_cache"
    verbose_name = _("Page cache")

    def ready(self) -> None:
        from django.apps import apps

        from .store import retire_pages_after_migrate

        # A deploy runs `migrate`: pages rendered by the former code are not served again.
        # post_migrate is sent once per app *with models*, which this one has not: once
        # for `home`, whose pages these are.
        post_migrate.connect(retire_pages_after_migrate, sender=apps.get_app_config("home"))
