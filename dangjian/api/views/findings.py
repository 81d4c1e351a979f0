"""``/api/v1/findings/``: checker findings for the actor's subtree, with the CLI's filters."""

from __future__ import annotations

from typing import Any

from rest_framework import exceptions
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.api import filters
from dangjian.api.filtersets import FindingFilter
from dangjian.api.pagination import Pagination
from dangjian.api.requests import SignedInApiRequest
from dangjian.api.serializers import FindingSerializer
from dangjian.api.views.base import ScopedAPIView, query_schema
from dangjian.rules.runner import findings_for, resolve_rules
from dangjian.rules.store import answer


def finding_params(request: SignedInApiRequest) -> dict[str, Any]:
    """The keyword arguments of ``findings_for`` from the query, each checked with a message."""
    p = FindingFilter.parse(request.query_params)
    rule_set = p["rules"] or "SETUP"
    try:
        resolve_rules(rule_set)
    except ValueError as exc:
        raise filters.bad("rules", str(exc)) from exc
    rule_ids = filters.list_param(request, "rule")
    # RECRUIT-* ids are checked over recruitment cases, not by the engine: findings_for
    # validates them (an unknown one is a 400 below)
    engine_ids = [r for r in rule_ids if not r.upper().startswith("RECRUIT-")]
    if engine_ids:
        try:
            resolve_rules(rule_set, engine_ids)
        except ValueError as exc:
            raise filters.bad("rule", str(exc)) from exc
    return {
        "rules": rule_set,
        "org_code": p["org"] or None,
        "at": p["at"],
        "since": p["since"],
        "rule_ids": rule_ids or None,
        "severity": p["severity"] or None,
        "sector": p["sector"] or None,
        "region": p["region"] or None,
    }


@query_schema(FindingFilter, FindingSerializer(many=True), "检查发现")
class FindingListView(ScopedAPIView):
    """Findings of the rule family ``rules`` for the actor's subtree, as of ``at``."""

    read_perm = Perm.FINDING_VIEW
    serializer_class = FindingSerializer

    def get(self, request: SignedInApiRequest) -> Response:
        params = finding_params(request)
        stored = answer(request.user, **params)
        if stored is not None:
            # a page of the findings store's rows (the header says as of which evaluation)
            paginator = self.paginator
            assert isinstance(paginator, Pagination)
            page = paginator.paginate_queryset(stored.rows, request, view=self) or []
            response = paginator.get_paginated_response(
                [row.as_finding(row.org_code).as_dict() for row in page]  # type: ignore[attr-defined]
            )
            response["X-Findings-Evaluated-At"] = stored.evaluation.oldest.isoformat()
            response["X-Findings-Checked-On"] = stored.evaluation.at.isoformat()
            return response
        try:
            findings = findings_for(request.user, **params)
        except ValueError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        return self.page_of_dicts(findings)
