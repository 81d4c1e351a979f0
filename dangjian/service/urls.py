from django.urls import path

from .views import public, staff, stats

app_name = "service"

urlpatterns = [
    # the resident's pages (no account)
    path("g/<str:token>/", public.submit, name="submit"),
    path("t/<str:code>/", public.track, name="track"),
    # the staff pages
    path("", staff.index, name="index"),
    path("queue/", staff.queue, name="queue"),
    path("mine/", staff.mine, name="mine"),
    path("orders/<int:pk>/", staff.order_detail, name="order"),
    path("orders/<int:pk>/phone/", staff.phone, name="phone"),
    path("orders/<int:pk>/d/<str:action>/", staff.decide, name="decide"),
    path("orders/<int:pk>/w/<str:action>/", staff.work, name="work"),
    # the upper levels' dashboard and monthly bulletin
    path("stats/", stats.stats, name="stats"),
    path("stats/bulletin.<str:fmt>", stats.stats_file, name="stats_file"),
]
