"""Wagtail discovers hooks in each app's `wagtail_hooks`: the admin URLs of the share cards
and the social pipeline (one namespace, `publishing_admin`), and the social admin's hooks."""

from django.urls import include, path
from wagtail import hooks

from .share_images import urls as share_image_urls
from .social import admin_urls as social_admin_urls
from .social import wagtail_hooks as social_hooks  # noqa: F401  (registers its hooks)


@hooks.register("register_admin_urls")
def register_admin_urls():
    patterns = share_image_urls.admin_urlpatterns + social_admin_urls.urlpatterns
    return [path("publishing/", include((patterns, "publishing_admin")))]
