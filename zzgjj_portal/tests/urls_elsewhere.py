"""A URLconf for test_jinja2: the task pages mounted under another path."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("tasks.urls"))]
