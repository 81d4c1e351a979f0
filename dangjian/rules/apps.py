from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "dangjian.rules"
    verbose_name = "规则检查"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_delete

        from dangjian.core import rollup
        from dangjian.core.labels import register_lookup
        from dangjian.orgs.models import Organization
        from dangjian.orgs.services import on_org_move

        from . import store
        from .registry import rule_title

        register_lookup("rule_title", rule_title)
        # the findings store hears of every rollup write and of every saved or deleted row of
        # an organization (dangjian/rules/store.py, "Triggers")
        rollup.listen(store.rows_changed)
        post_save.connect(store.row_saved, dispatch_uid="rules.store.saved")
        post_delete.connect(store.row_saved, dispatch_uid="rules.store.deleted")
        # the counts by rule of the organizations above a deleted one (before its rows go)
        pre_delete.connect(
            store.org_deleting, sender=Organization, dispatch_uid="rules.store.deleting"
        )
        on_org_move(store.org_moved)
