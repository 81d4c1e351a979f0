from django.apps import AppConfig


class LifeConfig(AppConfig):
    name = "dangjian.life"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the LIFE rules with the rules engine)
