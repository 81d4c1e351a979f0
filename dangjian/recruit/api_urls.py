"""API routes of the recruit app, mounted under /api/v1/recruitment/ (``api`` namespace)."""

from dangjian.api.routes import routes

from .api import (
    CaseAttachmentDetailView,
    CaseAttachmentListView,
    CaseDetailView,
    CaseListView,
    ExtensionView,
    StepListView,
)

urlpatterns = routes(
    "cases/",
    "recruit-case",
    ("", CaseListView, "s"),
    ("<int:pk>/", CaseDetailView, ""),
    ("<int:pk>/steps/", StepListView, "-steps"),
    ("<int:pk>/extensions/", ExtensionView, "-extensions"),
    ("<int:pk>/attachments/", CaseAttachmentListView, "-attachments"),
    ("<int:pk>/attachments/<int:attachment_id>/", CaseAttachmentDetailView, "-attachment"),
)
