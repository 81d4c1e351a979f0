from django.urls import path

from .views import grids, public, staff

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
    # the grids of a village or community
    path("grids/", grids.grid_list, name="grids"),
    path("grids/new/", grids.grid_new, name="grid_new"),
    path("grids/<int:pk>/edit/", grids.grid_edit, name="grid_edit"),
    path("grids/<int:pk>/deactivate/", grids.grid_deactivate, name="grid_deactivate"),
    path("grids/<int:pk>/qr/", grids.grid_qr, name="grid_qr"),
]
