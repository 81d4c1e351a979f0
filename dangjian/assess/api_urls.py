"""API routes of the assess app, mounted under /api/v1/ (names in the ``api`` namespace)."""

from django.urls import path

from .api import CampaignDetailView, CampaignListView, ResultListView, SelfCheckView, SpotCheckView

urlpatterns = [
    path("campaigns/", CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/results/", ResultListView.as_view(), name="campaign-results"),
    path("campaigns/<int:pk>/self-checks/", SelfCheckView.as_view(), name="campaign-self-checks"),
    path("campaigns/<int:pk>/spot-checks/", SpotCheckView.as_view(), name="campaign-spot-checks"),
]
