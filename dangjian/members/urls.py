from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("members/<int:pk>/timeline/", views.member_timeline, name="timeline"),
    path("orgs/<str:code>/posts/", views.org_posts, name="org_posts"),
    path("orgs/<str:code>/on/", views.org_roll_on, name="roll_on"),
    path("posts/<int:pk>/end/", views.post_term_end_view, name="post_term_end"),
]
