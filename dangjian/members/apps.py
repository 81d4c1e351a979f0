from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "dangjian.members"
    verbose_name = "党员"

    def ready(self) -> None:
        from dangjian.orgs.services import on_org_move

        from . import rules  # noqa: F401  (registers the DUES and REL rules as not checked)
        from .rollups import org_moved

        on_org_move(org_moved)  # the member counts follow an organization that moves
