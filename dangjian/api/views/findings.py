"""``/api/v1/findings/``: checker findings for the actor's subtree, with the CLI's filters."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.api import filters
from dangjian.api.pagination import Pagination
from dangjian.api.requests import SignedInApiRequest
from dangjian.api.serializers import FindingSerializer
from dangjian.api.views.base import ScopedAPIView
from dangjian.orgs.choices import Sector
from dangjian.rules.catalogue import implemented_families
from dangjian.rules.runner import findings_for, resolve_rules

LIST_PARAMS = [
    OpenApiParameter(
        "rules",
        OpenApiTypes.STR,
        enum=sorted(implemented_families()),
        description="规则族，默认 SETUP",
    ),
    OpenApiParameter("org", OpenApiTypes.STR, description="组织编码：只查该组织及其下级"),
    OpenApiParameter("at", OpenApiTypes.DATE, description="评估日期 YYYY-MM-DD，默认今天"),
    OpenApiParameter(
        "since",
        OpenApiTypes.DATE,
        description="组织生活（LIFE）检查的起始日期，默认评估日期所在年的 1 月 1 日",
    ),
    OpenApiParameter("rule", OpenApiTypes.STR, description="规则编号，可重复或以逗号分隔"),
    OpenApiParameter(
        "severity", OpenApiTypes.STR, enum=list(filters.SEVERITIES), description="级别"
    ),
    OpenApiParameter("sector", OpenApiTypes.STR, enum=Sector.values, description="所属领域"),
    OpenApiParameter("region", OpenApiTypes.STR, description="行政区划代码（前缀）"),
]


def finding_params(request: SignedInApiRequest) -> dict[str, Any]:
    """The keyword arguments of ``findings_for`` from the query, each checked with a message."""
    rule_set = filters.text_param(request, "rules") or "SETUP"
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
        "org_code": filters.code_param(request, "org") or None,
        "at": filters.date_param(request, "at"),
        "since": filters.date_param(request, "since"),
        "rule_ids": rule_ids or None,
        "severity": filters.choice_param(request, "severity", filters.SEVERITIES, "级别") or None,
        "sector": filters.choice_param(request, "sector", Sector.values, "所属领域") or None,
        "region": filters.region_param(request) or None,
    }


class FindingListView(ScopedAPIView):
    """Findings of the rule family ``rules`` for the actor's subtree, as of ``at``."""

    read_perm = Perm.FINDING_VIEW
    serializer_class = FindingSerializer

    @extend_schema(
        parameters=LIST_PARAMS, responses=FindingSerializer(many=True), summary="检查发现"
    )
    def get(self, request: SignedInApiRequest) -> Response:
        params = finding_params(request)
        try:
            findings = findings_for(request.user, **params)
        except ValueError as exc:
            raise exceptions.ValidationError({"non_field_errors": [str(exc)]}) from exc
        paginator = self.paginator
        assert isinstance(paginator, Pagination)
        page = paginator.paginate_queryset(findings, request, view=self)
        return paginator.get_paginated_response([f.as_dict() for f in page])
