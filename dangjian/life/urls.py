from django.urls import path

from . import views

app_name = "life"

urlpatterns = [
    path("", views.index, name="index"),
    path("overview/", views.overview, name="overview"),
    path("overview/missed/", views.overview_missed, name="overview_missed"),
    path("hints/", views.hints, name="hints"),
    path("import/", views.import_meetings_view, name="import"),
    path("orgs/<str:code>/todo/", views.todo, name="todo"),
    path("orgs/<str:code>/meetings/", views.meetings, name="meetings"),
    path("orgs/<str:code>/record/", views.record, name="record"),
    path("orgs/<str:code>/ledger/", views.ledger, name="ledger"),
    path("orgs/<str:code>/attendance/", views.attendance, name="attendance"),
    path("orgs/<str:code>/ledger.<str:fmt>", views.ledger_file, name="ledger_file"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/delete/", views.meeting_delete_view, name="meeting_delete"),
    path("meetings/<int:pk>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", views.attachment_remove, name="attachment_delete"),
]
