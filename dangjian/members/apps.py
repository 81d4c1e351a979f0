from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    verbose_name = "党员"

    def ready(self) -> None:
        from . import rules  # noqa: F401  (registers the DUES and REL rules as not checked)
