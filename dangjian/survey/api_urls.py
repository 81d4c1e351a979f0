"""API routes of the survey app, mounted under /api/v1/ (names in the ``api`` namespace)."""

from dangjian.api.routes import routes

from .api import SurveyDetailView, SurveyListView

urlpatterns = routes(
    "surveys/",
    "survey-",
    ("", SurveyListView, "list"),
    ("<int:pk>/", SurveyDetailView, "detail"),
)
