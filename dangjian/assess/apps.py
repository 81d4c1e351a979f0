from django.apps import AppConfig


class AssessConfig(AppConfig):
    name = "dangjian.assess"
    verbose_name = "质量考核"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the ASSESS rules)
