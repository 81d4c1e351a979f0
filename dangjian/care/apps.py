from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "dangjian.care"
    label = "care"
    verbose_name = "困难党员帮扶与走访慰问"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the CARE-* rules)
