from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:code>/", views.month, name="month"),
    path("<str:code>/pay/", views.pay, name="pay"),
    path("<str:code>/import/", views.import_file, name="import"),
    path("<str:code>/ledger/<int:year>.<str:fmt>", views.ledger, name="ledger"),
]
