"""URLs of the share cards: the stored files (public, outside the language prefixes) and
the editor's preview (admin, under publishing_admin)."""

from django.urls import path

from . import views

urlpatterns = [
    path("share-images/<path:name>", views.share_image_file, name="share_image_file"),
]

admin_urlpatterns = [
    path(
        "share-images/<int:page_id>/<str:variant>/preview/",
        views.share_image_preview,
        name="share_image_preview",
    ),
]
