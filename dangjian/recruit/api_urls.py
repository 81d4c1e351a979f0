"""API routes of the recruit app, mounted under /api/v1/recruitment/ (``api`` namespace)."""

from django.urls import path

from .api import CaseDetailView, CaseListView, StepListView

urlpatterns = [
    path("cases/", CaseListView.as_view(), name="recruit-cases"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="recruit-case"),
    path("cases/<int:pk>/steps/", StepListView.as_view(), name="recruit-case-steps"),
]
