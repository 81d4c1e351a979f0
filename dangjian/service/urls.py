from django.urls import path

from .views import grids, linked, public, staff, stats, teams

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
    path("areas/", linked.areas, name="areas"),
    path("departments/<int:pk>/", linked.department_detail, name="department"),
    path("departments/<int:pk>/<str:action>/", linked.department_action, name="department_action"),
    path("visits/", linked.visits, name="visits"),
    path("visits/new/", linked.visit_new, name="visit_new"),
    path("visits/<int:pk>/", linked.visit_detail, name="visit"),
    path("visits/<int:pk>/needs/<int:need>/order/", linked.need_order, name="need_order"),
    path("visits/<int:pk>/done/", linked.visit_done, name="visit_done"),
    # 红色志愿服务队 and 双报到
    path("teams/", teams.team_list, name="teams"),
    path("teams/<int:pk>/", teams.team_detail, name="team"),
    path("teams/<int:pk>/<str:action>/", teams.team_action, name="team_action"),
    path("shuangbaodao/", teams.report_list, name="double_reports"),
    path("shuangbaodao/<int:pk>/", teams.report_detail, name="double_report"),
    path("shuangbaodao/<int:pk>/<str:action>/", teams.report_action, name="double_report_action"),
    # the grids of a village or community
    path("grids/", grids.grid_list, name="grids"),
    path("grids/new/", grids.grid_new, name="grid_new"),
    path("grids/<int:pk>/edit/", grids.grid_edit, name="grid_edit"),
    path("grids/<int:pk>/deactivate/", grids.grid_deactivate, name="grid_deactivate"),
    path("grids/<int:pk>/qr/", grids.grid_qr, name="grid_qr"),
    # the upper levels' dashboard and monthly bulletin
    path("stats/", stats.stats, name="stats"),
    path("stats/bulletin.<str:fmt>", stats.stats_file, name="stats_file"),
    # photos of what was done (audited downloads)
    path("orders/<int:pk>/photos/<int:photo>/", staff.photo, name="photo"),
    path("orders/<int:pk>/photos/<int:photo>/delete/", staff.photo_delete, name="photo_delete"),
]
