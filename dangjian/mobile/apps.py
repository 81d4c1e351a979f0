from django.apps import AppConfig


class MobileConfig(AppConfig):
    name = "dangjian.mobile"
    label = "mobile"
    verbose_name = "流动党员与失联党员"

    def ready(self) -> None:
        from dangjian.rules.runner import register_checker

        from . import rules  # noqa: F401  (registers REL-TRANSFER and REL-LOST-CONTACT)
        from .selectors import check_rel

        register_checker("REL", check_rel)
