from django.urls import path

from . import views

app_name = "publishing_admin"

urlpatterns = [
    path(
        "share-images/<int:page_id>/<str:variant>/preview/",
        views.share_image_preview,
        name="share_image_preview",
    ),
]
