from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "dangjian.service"
    label = "service"
    verbose_name = "为民服务（群众点单、村居派单、网格接单、群众评单）"

    def ready(self) -> None:
        from dangjian.orgs.services import on_org_move

        from . import rules  # noqa: F401  (registers the SERVICE-* rules)
        from .rollup import connect, org_moved

        connect()  # the monthly counters follow every write of an order
        on_org_move(org_moved)  # and the subtree counters a moved organization
