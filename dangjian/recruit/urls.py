from django.urls import path

from . import views

app_name = "recruit"

urlpatterns = [
    path("", views.index, name="index"),
    path("queue/", views.queue, name="queue"),
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("plans/", views.plans, name="plans"),
    path("orgs/<str:code>/", views.branch, name="branch"),
    path("orgs/<str:code>/open/", views.case_open, name="open"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/edit/", views.case_edit, name="edit"),
    path("cases/<int:pk>/withdraw/", views.case_form, {"form": "withdraw"}, name="withdraw"),
    path("cases/<int:pk>/steps/<int:number>/", views.step_record, name="step"),
    path("cases/<int:pk>/notices/", views.case_form, {"form": "notice"}, name="notice"),
    path("cases/<int:pk>/reviews/", views.case_form, {"form": "review"}, name="review"),
    path("cases/<int:pk>/approver/", views.case_form, {"form": "approver"}, name="approver"),
    path("cases/<int:pk>/extensions/", views.case_form, {"form": "extension"}, name="extension"),
    path("cases/<int:pk>/decide/<int:step>/", views.decide_view, name="decide"),
    path("cases/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path(
        "cases/<int:pk>/attachments/<int:attachment_id>/",
        views.attachment_download,
        name="attachment",
    ),
    path(
        "cases/<int:pk>/attachments/<int:attachment_id>/delete/",
        views.attachment_remove,
        name="attachment_delete",
    ),
    path("cases/<int:pk>/export.<str:fmt>", views.export, name="export"),
]
