"""``/api/v1/campaigns/…``: assessment campaigns, self-checks, spot-checks and results.

Reading needs ``Perm.ASSESS_VIEW`` and shows only the campaigns overlapping the actor's subtree
and, inside them, the organizations of the subtree (:mod:`dangjian.assess.selectors`).
Recording a self-check needs ``Perm.ASSESS_SELF`` for one's own organization, a spot-check
``Perm.ASSESS_INSPECT`` on a spot-checked organization (:mod:`dangjian.assess.services`, whose
Chinese messages are passed through per field). A denied write is a 403 and changes nothing.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.api import filters
from dangjian.api.filtersets import ResultFilter, query_params
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import TextField
from dangjian.api.views.base import (
    ObjectDetailView,
    ScopedAPIView,
    ScopedListView,
    detail_schema,
    path_id,
    picked,
    service_call,
    validated,
)

from .models import Campaign
from .selectors import (
    campaign_get,
    campaigns_for,
    org_in_campaign,
    participants_for,
    results_for,
    self_checks_for,
    spot_checks_for,
)
from .services import NOTE_MAX, campaign_standard, self_check_record, spot_check_record


class CampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField()
    standard = TextField(source="standard_key")
    standard_version = TextField()
    root = TextField(source="root.code")  # type: ignore[assignment]
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = TextField()
    status_label = TextField(source="get_status_display")
    spot_share = serializers.DecimalField(max_digits=4, decimal_places=3)
    scored_at = serializers.DateTimeField(allow_null=True)
    scored_as_of = serializers.DateField(allow_null=True)
    previous = serializers.IntegerField(source="previous_id", allow_null=True)
    score_job = TextField(
        help_text="网页发起的后台评分：空、queued 排队中、running 评分中、done 已完成、failed 失败"
    )
    score_job_started_at = serializers.DateTimeField(allow_null=True)
    score_job_finished_at = serializers.DateTimeField(allow_null=True)
    score_job_error = TextField()


class CampaignPhaseSerializer(serializers.Serializer):
    code = TextField()
    label = TextField()  # type: ignore[assignment]
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)


class CampaignDetailSerializer(CampaignSerializer):
    phases = CampaignPhaseSerializer(many=True, source="api_phases")
    standard_items = serializers.JSONField(source="api_items")
    participants = serializers.IntegerField(source="api_participants", help_text="您范围内")


class CampaignResultSerializer(serializers.Serializer):
    org = TextField(source="org.code")
    org_name = TextField(source="org.name")
    sector = TextField(source="org.sector")
    total = serializers.DecimalField(max_digits=6, decimal_places=2)
    veto = serializers.BooleanField()
    veto_lines = serializers.JSONField()
    stars = serializers.IntegerField()
    tier = TextField()
    tier_label = TextField(source="get_tier_display")
    previous_total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    previous_stars = serializers.IntegerField(allow_null=True)
    previous_tier = TextField()
    change = TextField()
    change_label = TextField(source="get_change_display")
    computed_at = serializers.DateTimeField()


class CampaignResultDetailSerializer(CampaignResultSerializer):
    breakdown = serializers.JSONField()


class CheckScoreSerializer(serializers.Serializer):
    org = TextField(source="org.code")
    criterion = TextField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2)
    note = TextField()
    by = TextField(source="by_name")
    at = serializers.DateTimeField()
    late = serializers.BooleanField(help_text="阶段截止后补录（逾期录入）")


class CheckScoreWriteSerializer(serializers.Serializer):
    org = TextField(max_length=32, help_text="组织编码")
    criterion = TextField(max_length=32, help_text="评分标准编号，如 1.4")
    points = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        error_messages={"invalid": "得分应为数字", "max_decimal_places": "得分最多保留两位小数"},
    )
    note = TextField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


ID_PARAM = path_id("考核 id")
ORG_PARAM = OpenApiParameter(
    "org",
    {"type": "string", "pattern": r"^\s*[A-Za-z0-9]{1,32}\s*$"},
    required=True,
    description="组织编码",
)


@extend_schema_view(get=extend_schema(responses=CampaignSerializer(many=True), summary="考核列表"))
class CampaignListView(ScopedListView):
    """Campaigns overlapping the actor's subtree, newest period first."""

    read_perm = Perm.ASSESS_VIEW
    serializer_class = CampaignSerializer

    def get_queryset(self) -> Any:
        return campaigns_for(signed_in(self.request))


@detail_schema(ID_PARAM, "考核详情")
class CampaignDetailView(ObjectDetailView):
    """One campaign with its phases and the standard's items and criteria."""

    read_perm = Perm.ASSESS_VIEW
    serializer_class = CampaignDetailSerializer
    getter = campaign_get

    def present(self, request: SignedInApiRequest, campaign: Campaign) -> Any:
        std = campaign_standard(campaign)
        campaign.api_phases = campaign.phases()  # type: ignore[attr-defined]
        campaign.api_items = [  # type: ignore[attr-defined]
            {
                "id": i.id,
                "title": i.title,
                "points": i.points,
                "sectors": list(i.sectors),
                "criteria": [
                    {"id": c.id, "text": c.text, "points": c.points, "mode": c.mode}
                    for c in i.criteria
                ],
            }
            for i in std.all_items()
        ]
        campaign.api_participants = participants_for(request.user, campaign).count()  # type: ignore[attr-defined]
        return CampaignDetailSerializer(campaign).data


def _campaign(request: SignedInApiRequest, pk: int) -> Campaign:
    return campaign_get(request.user, pk)


class ResultPageSerializer(serializers.Serializer):
    """One page of results (the answer without ``?org=``)."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = CampaignResultSerializer(many=True)


RESULTS = PolymorphicProxySerializer(
    component_name="CampaignResults",
    serializers=[ResultPageSerializer, CampaignResultDetailSerializer],
    resource_type_field_name=None,
)


class ResultListView(ScopedAPIView):
    """Stored results of the campaign in the actor's subtree (``?org=CODE`` for one, with its
    breakdown; ``?tier=`` to filter)."""

    read_perm = Perm.ASSESS_VIEW
    serializer_class = CampaignResultSerializer

    @extend_schema(
        parameters=[ID_PARAM, *query_params(ResultFilter)],
        responses=RESULTS,
        summary="考核结果（分页列表；指定 org 时为该组织的结果及得分明细）",
    )
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        campaign = _campaign(request, pk)
        qs: Any = results_for(request.user, campaign)
        p = ResultFilter.parse(request.query_params)
        code, tier = p["org"], p["tier"]
        if code:
            org = org_in_campaign(request.user, campaign, code)
            result = qs.filter(org=org).first()
            if result is None:
                raise exceptions.NotFound("尚未评分")
            return Response(CampaignResultDetailSerializer(result).data)
        if tier:
            qs = qs.filter(tier=tier)
        page = self.paginate_queryset(qs)
        assert page is not None
        return self.get_paginated_response(CampaignResultSerializer(page, many=True).data)


class _ScoreView(ScopedAPIView):
    read_perm = Perm.ASSESS_VIEW
    serializer_class = CheckScoreSerializer
    pagination_class = None  # a short list of one object's parts, answered whole
    kind = "self"

    @extend_schema(parameters=[ID_PARAM, ORG_PARAM], responses=CheckScoreSerializer(many=True))
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        campaign = _campaign(request, pk)
        code = filters.code_param(request, "org")
        if not code:
            raise filters.bad("org", "请指定组织编码 org")
        org = org_in_campaign(request.user, campaign, code)
        select = self_checks_for if self.kind == "self" else spot_checks_for
        rows = list(select(request.user, campaign, org).select_related("org"))
        return Response(CheckScoreSerializer(rows, many=True).data)

    @extend_schema(
        parameters=[ID_PARAM],
        request=CheckScoreWriteSerializer,
        responses={201: CheckScoreSerializer},
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        v = validated(CheckScoreWriteSerializer, request)
        campaign = _campaign(request, pk)
        org = org_in_campaign(request.user, campaign, v["org"])
        record = self_check_record if self.kind == "self" else spot_check_record
        score = service_call(
            record,
            actor=request.user,
            campaign=campaign,
            org=org,
            **picked(v, "criterion", "points"),
            note=v.get("note") or "",
        )
        return Response(CheckScoreSerializer(score).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(summary="自查评分"),
    post=extend_schema(summary="填写本组织一条自查评分"),
)
class SelfCheckView(_ScoreView):
    """Self-check scores of one organization (``?org=CODE``); POST records one criterion."""

    write_perm = Perm.ASSESS_SELF
    kind = "self"


@extend_schema_view(
    get=extend_schema(summary="抽查评分"),
    post=extend_schema(summary="录入抽查评分（仅限抽中或指定抽查的组织）"),
)
class SpotCheckView(_ScoreView):
    """Spot-check scores of one organization (``?org=CODE``); POST records one criterion."""

    write_perm = Perm.ASSESS_INSPECT
    kind = "spot"
