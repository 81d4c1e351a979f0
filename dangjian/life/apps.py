from django.apps import AppConfig


class LifeConfig(AppConfig):
    name = "dangjian.life"
    verbose_name = "组织生活"

    def ready(self) -> None:
        from django.db.models.signals import pre_delete

        from dangjian.orgs.models import Organization
        from dangjian.orgs.services import on_org_move
        from dangjian.rules.store import on_written

        from . import (
            rules,  # noqa: F401  (registers the LIFE rules with the rules engine)
            tally,
        )
        from .models import ComplianceMarks, ComplianceTally

        # the overview's counters follow the findings store's evaluations, moves and deletions
        on_written(tally.written, ComplianceMarks, ComplianceTally)
        on_org_move(tally.moved)
        pre_delete.connect(tally.deleting, sender=Organization, dispatch_uid="life.tally.deleting")
