from django.urls import path

from . import views

app_name = "assess"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.campaign_new, name="campaign_new"),
    path("veto/", views.veto, name="veto"),
    path("veto/<int:pk>/withdraw/", views.veto_withdraw_view, name="veto_withdraw"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/do/<str:action>/", views.campaign_action, name="campaign_action"),
    path("<int:pk>/score-status/", views.campaign_score_status, name="campaign_score_status"),
    path("<int:pk>/pick/", views.campaign_pick_view, name="campaign_pick"),
    path("<int:pk>/orgs/<str:code>/self/", views.self_check, name="self_check"),
    path("<int:pk>/orgs/<str:code>/spot/", views.spot_check, name="spot_check"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results/<str:code>/", views.result_detail, name="result"),
    path("<int:pk>/bulletin/", views.bulletin, name="bulletin"),
    path("<int:pk>/bulletin.<str:fmt>", views.bulletin_file, name="bulletin_file"),
]
