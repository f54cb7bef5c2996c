from django.urls import path
from django.views.generic import RedirectView

from .views import api

urlpatterns = [
    path("v1/", api.urls),
    path(
        "openapi.json",
        RedirectView.as_view(pattern_name="broadside_api:openapi-json", permanent=False),
    ),
]
