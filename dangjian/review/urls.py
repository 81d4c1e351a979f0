from django.urls import path

from . import views

app_name = "review"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.campaign_new, name="new"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/results.xlsx", views.results_file, name="results_file"),
    path("<int:pk>/results.pdf", views.results_pdf_file, name="results_pdf"),
    path("report/<int:pk>/", views.report_detail, name="report"),
    path("report/<int:pk>/submit/", views.report_submit, name="submit"),
    path("report/<int:pk>/files/", views.report_attach, name="attach"),
    path("report/<int:pk>/files/<int:file_id>/", views.report_file, name="file"),
    path("report/<int:pk>/problems/", views.problems_give, name="problems"),
    path("report/<int:pk>/grade/", views.grade_set, name="grade"),
    path("report/<int:pk>/rate/", views.rate, name="rate"),
    path("report/<int:pk>/meeting/", views.meeting, name="meeting"),
]
