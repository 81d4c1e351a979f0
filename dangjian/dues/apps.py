from django.apps import AppConfig


class DuesConfig(AppConfig):
    name = "dangjian.dues"
    label = "dues"
    verbose_name = "党费（核定、交纳、上缴、台账）"

    def ready(self) -> None:
        from dangjian.rules.runner import register_checker

        from . import rules  # noqa: F401  (registers the DUES-* rules)
        from .selectors import check_dues

        register_checker("DUES", check_dues)
