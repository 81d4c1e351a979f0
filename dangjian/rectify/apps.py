from django.apps import AppConfig


class RectifyConfig(AppConfig):
    name = "dangjian.rectify"
    label = "rectify"
    verbose_name = "整改（一支一策）"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers ASSESS-WEAK and ASSESS-RECTIFY)
