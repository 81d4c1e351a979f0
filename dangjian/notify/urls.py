from django.urls import path

from . import views

app_name = "notify"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/", views.open_message, name="open"),
    path("yidu/", views.read_all, name="read_all"),
    path("shouji/", views.contact, name="contact"),
]
