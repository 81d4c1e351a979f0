from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "dangjian.review"
    label = "review"
    verbose_name = "书记抓基层党建述职评议考核"

    def ready(self) -> None:
        from . import indicators  # noqa: F401  (registers secretary_review_grade and the
        # bulletin's column of grades)
