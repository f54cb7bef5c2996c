"""Admin URLs of the social pipeline (under publishing_admin, see publishing.wagtail_hooks)."""

from django.urls import path

from . import admin_views
from .connect import views as connect_views

urlpatterns = [
    path("deliveries/", admin_views.DeliveriesReportView.as_view(), name="deliveries"),
    path(
        "deliveries/results/",
        admin_views.DeliveriesReportView.as_view(results_only=True),
        name="deliveries_results",
    ),
    path(
        "deliveries/<int:delivery_id>/retry/",
        admin_views.retry_delivery,
        name="retry_delivery",
    ),
    path(
        "deliveries/<int:delivery_id>/mark-posted/",
        admin_views.mark_delivery_posted,
        name="mark_delivery_posted",
    ),
    path("pages/<int:page_id>/post-again/", admin_views.post_again, name="post_again"),
    path(
        "pages/<int:page_id>/what-went-out/",
        admin_views.WhatWentOutView.as_view(),
        name="what_went_out",
    ),
    path(
        "accounts/<int:account_id>/post-latest-letter/",
        admin_views.PostLatestLetterView.as_view(),
        name="post_latest_letter",
    ),
    path("connect/", connect_views.ChooseNetworkView.as_view(), name="connect"),
    path("connect/pick/<str:key>/", connect_views.PickView.as_view(), name="connect_pick"),
    path("connect/<str:channel>/", connect_views.StartView.as_view(), name="connect_start"),
    path("connect/<str:channel>/callback/", connect_views.callback, name="connect_callback"),
    path("connect/", connect_views.ChooseNetworkView.as_view(), name="connect"),
    path("connect/pick/<str:key>/", connect_views.PickView.as_view(), name="connect_pick"),
    path("connect/<str:channel>/", connect_views.StartView.as_view(), name="connect_start"),
    path("connect/<str:channel>/callback/", connect_views.callback, name="connect_callback"),
]
