from django.urls import path

from .views import linked, public, staff

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
    # linked departments (跨级联合), 片区 and 敲门行动
    path("departments/", linked.departments, name="departments"),
    path("departments/mine/", linked.linked_mine, name="linked_mine"),
    path("departments/refer/<int:pk>/", linked.refer, name="refer"),
    path("visits/", linked.visits, name="visits"),
    path("visits/new/", linked.visit_new, name="visit_new"),
    path("visits/<int:pk>/", linked.visit_detail, name="visit"),
    path("visits/<int:pk>/needs/<int:need>/order/", linked.need_order, name="need_order"),
    path("visits/<int:pk>/done/", linked.visit_done, name="visit_done"),
]
