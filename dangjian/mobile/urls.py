from django.urls import path

from . import views

app_name = "mobile"

urlpatterns = [
    path("", views.index, name="index"),
    path("hosted/", views.hosted, name="hosted"),
    path("figures/", views.figures_page, name="figures"),
    path("members/<int:pk>/", views.member_detail, name="member"),
    path("members/<int:pk>/card.pdf", views.card, name="card"),
    path("members/<int:pk>/<str:action>/", views.member_action, name="member_action"),
]
