from django.urls import include, path
from wagtail import hooks

from . import admin_urls


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("publishing/", include(admin_urls, namespace="publishing_admin"))]
