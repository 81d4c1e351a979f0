"""API routes of the recruit app, mounted under /api/v1/recruitment/ (``api`` namespace)."""

from django.urls import path

from .api import (
    CaseAttachmentDetailView,
    CaseAttachmentListView,
    CaseDetailView,
    CaseListView,
    ExtensionView,
    StepListView,
)

urlpatterns = [
    path("cases/", CaseListView.as_view(), name="recruit-cases"),
    path("cases/<int:pk>/", CaseDetailView.as_view(), name="recruit-case"),
    path("cases/<int:pk>/steps/", StepListView.as_view(), name="recruit-case-steps"),
    path("cases/<int:pk>/extensions/", ExtensionView.as_view(), name="recruit-case-extensions"),
    path(
        "cases/<int:pk>/attachments/",
        CaseAttachmentListView.as_view(),
        name="recruit-case-attachments",
    ),
    path(
        "cases/<int:pk>/attachments/<int:attachment_id>/",
        CaseAttachmentDetailView.as_view(),
        name="recruit-case-attachment",
    ),
]
