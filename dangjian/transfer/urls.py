from django.urls import path

from . import views

app_name = "transfer"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("overview/", views.overview, name="overview"),
    path("export.<str:fmt>", views.export, name="export"),
    path("import/", views.import_page, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/letter.pdf", views.letter, name="letter"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
]
