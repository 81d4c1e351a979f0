from django.urls import path

from . import views

app_name = "liangxin"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.unit_new, name="new"),
    path("import/", views.register_import, name="import"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage.xlsx", views.coverage_file, {"fmt": "xlsx"}, name="coverage_xlsx"),
    path("coverage.pdf", views.coverage_file, {"fmt": "pdf"}, name="coverage_pdf"),
    path("blanks/", views.blanks, name="blanks"),
    path("advisors/", views.advisors, name="advisors"),
    path("<int:pk>/", views.unit_detail, name="unit"),
    path("<int:pk>/edit/", views.unit_edit, name="edit"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/end/", views.assignment_end, name="end"),
    path("<int:pk>/visit/", views.visit_new, name="visit"),
    path("<int:pk>/close/", views.unit_close, name="close"),
    path("<int:pk>/reopen/", views.unit_reopen, name="reopen"),
]
