"""``/api/v1/exemplar/…``: the library of typical examples (典型) through the selectors and
services of :mod:`dangjian.exemplar`, with the same scope as the pages.

- ``exemplar/examples/``: GET the examples the actor reads (its subtree's, and every named one),
  searchable by ``q``, ``sector``, ``theme``, ``level``, ``status``, ``kind``; POST proposes one
  (``Perm.EXEMPLAR_PROPOSE``);
- ``exemplar/examples/<id>/``: one example with its evidence read live from the records and its
  latest result against the 示范点 standard;
- ``exemplar/examples/<id>/name/``, ``…/review/``, ``…/revoke/``: the upper level names, reviews
  or revokes it (``Perm.EXEMPLAR_NAME``); ``…/evidence/``: link a record as evidence.

A service's refusal is a 400 with its Chinese messages; nothing is written.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers

from dangjian.accounts.roles import Perm
from dangjian.api.filtersets import ParamFilterSet, choice_filter, text_filter
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import TextField
from dangjian.api.views.base import (
    JSON_ONLY,
    CreateView,
    FilteredListView,
    ObjectActionView,
    ObjectDetailView,
    action_schema,
    create_schema,
    detail_schema,
    path_id,
    picked,
    scoped_org,
    service_call,
)
from dangjian.assess.models import Campaign
from dangjian.exemplar.choices import EvidenceKind, Kind, Level, Status
from dangjian.exemplar.models import Exemplar
from dangjian.exemplar.selectors import (
    Search,
    campaigns_for_evidence,
    evidence_of,
    exemplar_get,
    exemplars_for,
    latest_site_result,
    meetings_for_evidence,
)
from dangjian.exemplar.services import (
    evidence_add,
    exemplar_name,
    exemplar_propose,
    exemplar_review,
    exemplar_revoke,
)
from dangjian.life.models import Meeting
from dangjian.orgs.choices import Sector

ID = path_id("典型编号")


class ExemplarOrgSerializer(serializers.Serializer):
    code = TextField(help_text="组织编码")
    name = TextField(help_text="组织名称")


class ExemplarSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Kind.choices, help_text="类别")
    title = TextField(help_text="名称")
    summary = TextField(help_text="简介")
    org = ExemplarOrgSerializer(help_text="所属组织")
    sector = serializers.ChoiceField(choices=Sector.choices, help_text="领域")
    themes = serializers.ListField(child=TextField(), source="theme_list", help_text="主题")
    level = serializers.ChoiceField(choices=Level.choices, help_text="层级")
    status = serializers.ChoiceField(choices=Status.choices, help_text="状态")
    proposed_on = serializers.DateField(help_text="推荐日期")
    named_on = serializers.DateField(allow_null=True, help_text="命名日期")
    named_by = ExemplarOrgSerializer(allow_null=True, help_text="命名组织")
    review_on = serializers.DateField(allow_null=True, help_text="下次复核日期")
    revoked_on = serializers.DateField(allow_null=True, help_text="撤销日期")
    revoke_reason = TextField(help_text="撤销原因")


class ExemplarLineSerializer(serializers.Serializer):
    item = TextField(help_text="项目")
    value = TextField(help_text="数值")


class ExemplarEvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=EvidenceKind.choices, help_text="佐证类别")
    heading = TextField(help_text="标题")
    lines = ExemplarLineSerializer(many=True, help_text="从平台记录实时读取的数据")
    missing = TextField(help_text="记录暂无数据时的说明")


class ExemplarSiteResultSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(help_text="考核编号")
    campaign_name = TextField(help_text="考核名称")
    total = TextField(help_text="总分")
    stars = serializers.IntegerField(help_text="星级（0 为未评星）")
    tier = TextField(help_text="档次")


class ExemplarDetailSerializer(ExemplarSerializer):
    evidence = ExemplarEvidenceSerializer(many=True, help_text="佐证")
    site_result = ExemplarSiteResultSerializer(
        allow_null=True, help_text="最近一次示范点创建标准评估结果"
    )


class ExemplarWriteSerializer(serializers.Serializer):
    org = TextField(max_length=32, help_text="所属组织编码")
    kind = serializers.ChoiceField(choices=Kind.choices, help_text="类别")
    title = TextField(max_length=100, help_text="名称")
    summary = TextField(max_length=2000, help_text="简介")
    sector = serializers.ChoiceField(
        choices=Sector.choices, required=False, default="", allow_blank=True, help_text="领域"
    )
    themes = serializers.ListField(
        child=TextField(max_length=20), required=False, default=list, max_length=8
    )
    level = serializers.ChoiceField(choices=Level.choices, default=Level.COUNTY, help_text="层级")


class ExemplarNameSerializer(serializers.Serializer):
    named_on = serializers.DateField(help_text="命名日期")
    review_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="下次复核日期（默认三年后）"
    )
    level = serializers.ChoiceField(
        choices=Level.choices, required=False, allow_null=True, default=None, help_text="层级"
    )


class ExemplarReviewSerializer(serializers.Serializer):
    review_on = serializers.DateField(help_text="下次复核日期")


class ExemplarRevokeSerializer(serializers.Serializer):
    reason = TextField(max_length=200, help_text="撤销原因")
    revoked_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="撤销日期（默认今天）"
    )


class ExemplarEvidenceWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=EvidenceKind.choices, help_text="佐证类别")
    campaign = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="考核编号"
    )
    meeting = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, help_text="组织生活编号"
    )
    year = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=2000, max_value=2100
    )
    note = TextField(max_length=200, required=False, default="", allow_blank=True)


class ExemplarFilter(ParamFilterSet):
    q = text_filter(100, by_view=True, label="关键词：名称、简介或组织名称")
    sector = choice_filter(Sector, "领域", by_view=True)
    theme = text_filter(20, by_view=True, label="主题")
    level = choice_filter(Level, "层级", by_view=True)
    status = choice_filter(Status, "状态", by_view=True)
    kind = choice_filter(Kind, "类别", by_view=True)


def _detail(item: Exemplar) -> dict[str, Any]:
    data = dict(ExemplarSerializer(item).data)
    data["evidence"] = [
        {
            "id": r.evidence.pk,
            "kind": r.evidence.kind,
            "heading": r.heading,
            "lines": [{"item": k, "value": v} for k, v in r.lines],
            "missing": r.missing,
        }
        for r in evidence_of(item)
    ]
    result = latest_site_result(item)
    data["site_result"] = (
        None
        if result is None
        else {
            "campaign": result.campaign_id,
            "campaign_name": result.campaign.name,
            "total": str(result.total),
            "stars": result.stars,
            "tier": result.get_tier_display(),
        }
    )
    return data


@extend_schema_view(get=extend_schema(responses=ExemplarSerializer(many=True), summary="典型库"))
@create_schema("推荐典型", ExemplarDetailSerializer)
class ExemplarListView(FilteredListView, CreateView):
    """The examples the actor reads (its subtree's, and every named one), newest first."""

    read_perm = Perm.EXEMPLAR_VIEW
    write_perm = Perm.EXEMPLAR_PROPOSE
    serializer_class = ExemplarSerializer
    write_serializer = ExemplarWriteSerializer
    filterset_class = ExemplarFilter
    queryset = Exemplar.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        p = self.params()
        query = Search(**{k: p[k] or "" for k in ("q", "sector", "theme", "level", "status")})
        query.kind = p["kind"] or ""
        return query.apply(exemplars_for(signed_in(self.request))).order_by("-proposed_on", "-pk")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        org = scoped_org(request.user, Perm.EXEMPLAR_PROPOSE, v["org"])
        item = service_call(
            exemplar_propose,
            actor=request.user,
            org=org,
            **picked(v, "kind", "title", "summary", "sector", "themes", "level"),
        )
        return _detail(exemplar_get(request.user, item.pk))


@detail_schema(ID, "典型（含佐证）", ExemplarDetailSerializer)
class ExemplarDetailView(ObjectDetailView):
    """One example with its evidence read now from the records; 404 outside what the actor
    reads."""

    read_perm = Perm.EXEMPLAR_VIEW
    serializer_class = ExemplarDetailSerializer
    getter = exemplar_get

    def present(self, request: SignedInApiRequest, obj: Exemplar) -> dict[str, Any]:
        return _detail(obj)


class _Action(ObjectActionView):
    """An action on one example the actor reads, answered with the example."""

    read_perm = Perm.EXEMPLAR_NAME
    write_perm = Perm.EXEMPLAR_NAME

    def target(self, request: SignedInApiRequest, pk: int) -> Exemplar:
        return exemplar_get(request.user, pk)

    def answer(self, request: SignedInApiRequest, target: Exemplar) -> dict[str, Any]:
        return _detail(exemplar_get(request.user, target.pk))


def _action_schema(summary: str, op: str) -> Any:
    return action_schema(ID, ExemplarDetailSerializer, summary, f"exemplar_examples_{op}")


@_action_schema("命名典型", "name")
class NameView(_Action):
    """命名 (the upper level of the example's organization): 培育 → 命名, published."""

    serializer_class = ExemplarNameSerializer

    def act(self, request: SignedInApiRequest, target: Exemplar, v: dict[str, Any]) -> None:
        service_call(
            exemplar_name,
            actor=request.user,
            item=target,
            **picked(v, "named_on", "review_on", "level"),
        )


@_action_schema("复核典型", "review")
class ReviewView(_Action):
    """复核 passed: the date of the next review."""

    serializer_class = ExemplarReviewSerializer

    def act(self, request: SignedInApiRequest, target: Exemplar, v: dict[str, Any]) -> None:
        service_call(exemplar_review, actor=request.user, item=target, review_on=v["review_on"])


@_action_schema("撤销典型", "revoke")
class RevokeView(_Action):
    """撤销 with a reason: kept on record, no longer published."""

    serializer_class = ExemplarRevokeSerializer

    def act(self, request: SignedInApiRequest, target: Exemplar, v: dict[str, Any]) -> None:
        service_call(
            exemplar_revoke, actor=request.user, item=target, **picked(v, "reason", "revoked_on")
        )


@_action_schema("关联典型佐证", "evidence")
class EvidenceView(_Action):
    """Link a record as evidence: a campaign (``campaign``), a year of service orders
    (``year``) or a meeting (``meeting``) of the example's organization."""

    read_perm = Perm.EXEMPLAR_PROPOSE
    write_perm = Perm.EXEMPLAR_PROPOSE
    serializer_class = ExemplarEvidenceWriteSerializer
    created = True

    def act(self, request: SignedInApiRequest, target: Exemplar, v: dict[str, Any]) -> None:
        ref: dict[str, Any] = {"year": v["year"]}
        if v["campaign"] is not None:
            campaign = campaigns_for_evidence(target).filter(pk=v["campaign"]).first()
            if campaign is None:
                raise exceptions.ValidationError({"campaign": ["本组织没有参加该考核"]})
            ref["campaign"] = Campaign.objects.get(pk=campaign.pk)
        if v["meeting"] is not None:
            meeting = meetings_for_evidence(target).filter(pk=v["meeting"]).first()
            if meeting is None:
                raise exceptions.ValidationError(
                    {"meeting": ["请选择本组织（或所属党支部）的组织生活记录"]}
                )
            ref["meeting"] = Meeting.objects.get(pk=meeting.pk)
        service_call(
            evidence_add, actor=request.user, item=target, kind=v["kind"], note=v["note"], **ref
        )
