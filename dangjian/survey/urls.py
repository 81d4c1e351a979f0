from django.urls import path

from . import views

app_name = "survey"

urlpatterns = [
    path("", views.index, name="index"),
    path("s/<str:token>/", views.answer, name="answer"),
    path("s/<str:token>/thanks/", views.thanks, name="thanks"),
    path("orgs/<str:code>/", views.org_surveys, name="org"),
    path("orgs/<str:code>/open/", views.open_view, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/print/", views.print_view, name="print"),
    path("<int:pk>/codes/", views.codes_add, name="codes_add"),
]
