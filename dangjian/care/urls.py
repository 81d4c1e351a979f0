from django.urls import path

from . import views

app_name = "care"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.hardship_new, name="new"),
    path("due/", views.due, name="due"),
    path("stats/", views.stats, name="stats"),
    path("stats.xlsx", views.stats_file, name="stats_file"),
    path("register.xlsx", views.register_file, name="register_file"),
    path("<int:pk>/", views.hardship_detail, name="hardship"),
    path("<int:pk>/help/", views.help_new, name="help"),
    path("<int:pk>/visit/", views.visit_new, name="visit"),
    path("<int:pk>/close/", views.hardship_close, name="close"),
]
