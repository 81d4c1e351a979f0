from django.urls import path

from .views import public, staff, teams

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
    # 红色志愿服务队 and 双报到
    path("teams/", teams.team_list, name="teams"),
    path("teams/<int:pk>/", teams.team_detail, name="team"),
    path("teams/<int:pk>/<str:action>/", teams.team_action, name="team_action"),
    path("shuangbaodao/", teams.report_list, name="double_reports"),
    path("shuangbaodao/<int:pk>/", teams.report_detail, name="double_report"),
    path("shuangbaodao/<int:pk>/<str:action>/", teams.report_action, name="double_report_action"),
]
