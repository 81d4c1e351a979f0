"""API routes of the assess app, mounted under /api/v1/ (names in the ``api`` namespace)."""

from dangjian.api.routes import routes

from .api import CampaignDetailView, CampaignListView, ResultListView, SelfCheckView, SpotCheckView

urlpatterns = routes(
    "campaigns/",
    "campaign-",
    ("", CampaignListView, "list"),
    ("<int:pk>/", CampaignDetailView, "detail"),
    ("<int:pk>/results/", ResultListView, "results"),
    ("<int:pk>/self-checks/", SelfCheckView, "self-checks"),
    ("<int:pk>/spot-checks/", SpotCheckView, "spot-checks"),
)
