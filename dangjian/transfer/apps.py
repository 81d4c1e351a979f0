from django.apps import AppConfig


class TransferConfig(AppConfig):
    name = "dangjian.transfer"
    label = "transfer"
    verbose_name = "组织关系转接"

    def ready(self) -> None:
        from . import rules

        rules.connect()  # REL-ONE-BRANCH and REL-TRANSFER-DEADLINE join the REL checker
