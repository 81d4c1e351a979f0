"""API routes of the survey app, mounted under /api/v1/ (names in the ``api`` namespace)."""

from django.urls import path

from .api import SurveyDetailView, SurveyListView

urlpatterns = [
    path("surveys/", SurveyListView.as_view(), name="survey-list"),
    path("surveys/<int:pk>/", SurveyDetailView.as_view(), name="survey-detail"),
]
