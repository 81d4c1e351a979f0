from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.plan_new, name="new"),
    path("<int:pk>/", views.plan_detail, name="plan"),
    path("<int:pk>/publish/", views.plan_publish, name="publish"),
    path("<int:pk>/visit/", views.visit_new, name="visit_new"),
    path("visit/<int:pk>/", views.visit_detail, name="visit"),
    path("visit/<int:pk>/file/<int:media_id>/", views.media_file, name="media"),
    path("findings/", views.findings, name="findings"),
    path("findings/<int:pk>/task/", views.finding_task, name="finding_task"),
    path("findings/<int:pk>/revisit/", views.finding_revisit, name="finding_revisit"),
]
