from django.urls import path

from . import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.figures_export, name="export"),
    path("members/", views.members, name="members"),
    path("members/export/", views.members_export, name="members_export"),
    path("courses/", views.courses, name="courses"),
    path("courses/<int:pk>/", views.course_detail, name="course"),
    path("courses/<int:pk>/export/", views.course_export, name="course_export"),
    path("courses/<int:pk>/<str:action>/", views.course_action, name="course_action"),
]
