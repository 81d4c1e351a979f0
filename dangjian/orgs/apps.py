from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        from dangjian.rules.params import params_on

        from . import models  # rules: registers the SETUP rules with the rules engine

        models.use_rule_params(params_on)
