from django.urls import path

from . import views

app_name = "service"

urlpatterns = [
    path("g/<str:token>/", views.submit, name="submit"),
    path("t/<str:code>/", views.track, name="track"),
]
