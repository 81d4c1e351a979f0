"""API routes of the survey app, mounted under /api/v1/ (names in the ``api`` namespace)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
