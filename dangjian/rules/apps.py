from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "dangjian.rules"
    verbose_name = "规则检查"

    def ready(self) -> None:
        from dangjian.core.labels import register_lookup

        from .registry import rule_title

        register_lookup("rule_title", rule_title)
