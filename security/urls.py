from django.urls import path

from . import views

urlpatterns = [
    path("code/", views.verify, name="security_verify"),
    path("enrol/", views.enrol, name="security_enrol"),
]
