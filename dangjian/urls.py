from django.urls import include, path

from dangjian.web.urls import auth_urlpatterns

urlpatterns = [
    path("api/v1/", include("dangjian.api.urls")),
    *auth_urlpatterns,
    path("exchange/", include("dangjian.exchange.urls")),
    path("life/", include("dangjian.life.urls")),
    path("recruit/", include("dangjian.recruit.urls")),
    path("assess/", include("dangjian.assess.urls")),
    path("survey/", include("dangjian.survey.urls")),
    path("fuwu/", include("dangjian.service.urls")),
    path("rectify/", include("dangjian.rectify.urls")),
    path("open311/v2/", include("dangjian.open311.urls")),
    path("xiaoxi/", include("dangjian.notify.urls")),
    path("peixun/", include("dangjian.training.urls")),
    path("bangfu/", include("dangjian.care.urls")),
    path("liudong/", include("dangjian.mobile.urls")),
    path("", include("dangjian.web.urls")),
    path("mingce/", include("dangjian.members.urls")),
    path("zhuanjie/", include("dangjian.transfer.urls")),
    path("dangfei/", include("dangjian.dues.urls")),
    path("liangxin/", include("dangjian.liangxin.urls")),
    path("ducha/", include("dangjian.inspection.urls")),
    path("dianxing/", include("dangjian.exemplar.urls")),
    path("shuzhi/", include("dangjian.review.urls")),
]

# a busy database answers 503 with Retry-After wherever it is raised (dangjian/core/busy.py)
handler500 = "dangjian.core.busy.server_error"
