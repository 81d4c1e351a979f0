from django.urls import path

from . import views

app_name = "rectify"

urlpatterns = [
    path("", views.index, name="index"),
    path("overdue/", views.overdue, name="overdue"),
    path("weak/", views.weak, name="weak"),
    path("orgs/<str:code>/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/tasks/", views.task_new, name="task_new"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/progress/", views.progress_view, name="progress"),
    path("tasks/<int:pk>/report/", views.report_view, name="report"),
    path("tasks/<int:pk>/<str:action>/", views.review_view, name="review"),
]
