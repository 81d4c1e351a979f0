from django.urls import path

from . import views

app_name = "exemplar"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("gongkai/", views.public_index, name="public_index"),
    path("gongkai/<int:pk>/", views.public_detail, name="public_detail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/name/", views.name, name="name"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
    path("<int:pk>/evidence/", views.evidence_new, name="evidence"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"
    ),
]
