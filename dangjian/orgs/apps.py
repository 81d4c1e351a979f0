from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the SETUP rules with the rules engine)
