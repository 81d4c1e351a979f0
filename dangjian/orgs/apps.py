from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dangjian.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from dangjian.rules.params import params_on

        from . import models, rules  # noqa: F401  (rules: registers the SETUP rules)
        from .rollups import org_deleting, orgs_moved
        from .services import on_org_move

        models.use_rule_params(params_on)
        on_org_move(orgs_moved)  # the subtree sizes follow an organization that moves
        # and lose a deleted one
        pre_delete.connect(org_deleting, sender=models.Organization, dispatch_uid="orgs.deleting")
