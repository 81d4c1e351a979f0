from django.urls import path

from . import views

app_name = "dues"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<str:code>/", views.month, name="month"),
    path("<str:code>/pay/", views.pay, name="pay"),
    path("<str:code>/import/", views.import_file, name="import"),
    path("<str:code>/ledger/<int:year>.<str:fmt>", views.ledger, name="ledger"),
    path("<str:code>/bases/", views.bases, name="bases"),
    path("<str:code>/bases/carry/", views.bases_carry, name="bases_carry"),
    path("<str:code>/exemptions/", views.exemptions, name="exemptions"),
    path("<str:code>/remittances/", views.remittances, name="remittances"),
]
