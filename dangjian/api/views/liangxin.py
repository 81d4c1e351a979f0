"""``/api/v1/liangxin/…``: the 两新 register and its coverage through the selectors and services
of :mod:`dangjian.liangxin`, scoped to the actor's subtree like the pages.

- ``liangxin/units/``: GET the register (filters), POST registers a unit
  (``Perm.LIANGXIN_RECORD``);
- ``liangxin/units/<id>/``: one unit with its coverage this year, advisors and visits;
- ``liangxin/units/<id>/assign/``, ``…/visits/``: assign an advisor, record a visit;
- ``liangxin/advisors/``: GET the advisors, POST registers one (a name, no personal data);
- ``liangxin/coverage/``: 组织覆盖 and 工作覆盖 by region and sector for a year;
- ``liangxin/blanks/``: the 空白点 of a year.

A service's refusal is a 400 with its Chinese messages; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.api import filters
from dangjian.api.filtersets import (
    ParamFilterSet,
    RegionFilter,
    YearFilter,
    choice_filter,
    org_param,
    text_filter,
)
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import TextField
from dangjian.api.views.base import (
    JSON_ONLY,
    CreateView,
    FilteredListView,
    ObjectActionView,
    ObjectDetailView,
    ScopedAPIView,
    action_schema,
    create_schema,
    detail_schema,
    path_id,
    picked,
    query_schema,
    scoped_org,
    service_call,
)
from dangjian.liangxin import selectors, services
from dangjian.liangxin.choices import AdvisorRole, Industry, OrgMode, Size, UnitKind
from dangjian.liangxin.models import Advisor, Unit
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get

ID = path_id("两新组织编号")


class LiangxinOrgRefSerializer(serializers.Serializer):
    code = TextField(help_text="组织编码")
    name = TextField(help_text="组织名称")


class LiangxinUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField(help_text="单位名称")
    uscc = TextField(help_text="统一社会信用代码")
    kind = serializers.ChoiceField(choices=UnitKind.choices, help_text="单位类型")
    industry = serializers.ChoiceField(choices=Industry.choices, help_text="所属行业")
    size = serializers.ChoiceField(choices=Size.choices, help_text="规模")
    address = TextField(help_text="地址")
    region_code = TextField(help_text="行政区划代码")
    org = LiangxinOrgRefSerializer(help_text="管理党组织")
    org_mode = serializers.ChoiceField(choices=OrgMode.choices, help_text="党组织建立方式")
    party_org = LiangxinOrgRefSerializer(allow_null=True, help_text="所在党组织")
    employees = serializers.IntegerField(help_text="从业人员数")
    members = serializers.IntegerField(help_text="党员数")
    closed_on = serializers.DateField(allow_null=True, help_text="注销日期（未注销为空）")
    closed_reason = TextField(help_text="注销原因")


class LiangxinAssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    advisor = serializers.IntegerField(source="advisor_id", help_text="党建指导员编号")
    name = TextField(source="advisor.name", help_text="姓名")
    role = serializers.ChoiceField(choices=AdvisorRole.choices, help_text="身份")
    since = serializers.DateField(help_text="开始日期")
    until = serializers.DateField(allow_null=True, help_text="结束日期")


class LiangxinVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    advisor = serializers.IntegerField(source="advisor_id", help_text="党建指导员编号")
    visited_on = serializers.DateField(help_text="日期")
    note = TextField(help_text="内容")


class LiangxinStatusSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    counted = serializers.BooleanField(help_text="计入本年覆盖率（注销的单位不计入）")
    organized = serializers.BooleanField(help_text="组织覆盖")
    worked = serializers.BooleanField(help_text="工作覆盖")
    blank = serializers.BooleanField(help_text="空白点")
    visits = serializers.IntegerField(help_text="本年指导活动次数")
    min_visits = serializers.IntegerField(help_text="工作覆盖要求的年度最少次数")


class LiangxinUnitDetailSerializer(LiangxinUnitSerializer):
    status = LiangxinStatusSerializer(help_text="本年覆盖情况")
    assignments = LiangxinAssignmentSerializer(many=True, help_text="党建指导员和联系人")
    visits = LiangxinVisitSerializer(many=True, help_text="指导活动，最新的在前（最多 100 条）")


class LiangxinUnitWriteSerializer(serializers.Serializer):
    name = TextField(max_length=200, help_text="单位名称")
    uscc = TextField(max_length=30, help_text="统一社会信用代码（18 位）")
    kind = serializers.ChoiceField(choices=UnitKind.choices, help_text="单位类型")
    industry = serializers.ChoiceField(choices=Industry.choices, help_text="所属行业")
    size = serializers.ChoiceField(choices=Size.choices, help_text="规模")
    address = TextField(max_length=200, required=False, default="", allow_blank=True)
    region_code = TextField(max_length=12, help_text="行政区划代码（6 位或 12 位）")
    org = TextField(max_length=32, help_text="管理党组织编码")
    org_mode = serializers.ChoiceField(
        choices=OrgMode.choices, required=False, default=OrgMode.NONE, help_text="党组织建立方式"
    )
    party_org = TextField(
        max_length=32, required=False, default="", allow_blank=True, help_text="所在党组织编码"
    )
    employees = serializers.IntegerField(min_value=0, max_value=10_000_000, default=0)
    members = serializers.IntegerField(min_value=0, max_value=10_000_000, default=0)


class LiangxinAdvisorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = TextField(help_text="姓名")
    org = LiangxinOrgRefSerializer(help_text="选派党组织")


class LiangxinAdvisorWriteSerializer(serializers.Serializer):
    name = TextField(max_length=50, help_text="姓名")
    org = TextField(max_length=32, help_text="选派党组织编码")


class LiangxinAssignWriteSerializer(serializers.Serializer):
    advisor = serializers.IntegerField(min_value=1, help_text="党建指导员编号")
    role = serializers.ChoiceField(choices=AdvisorRole.choices, help_text="身份")
    since = serializers.DateField(help_text="开始日期")


class LiangxinCloseWriteSerializer(serializers.Serializer):
    closed_on = serializers.DateField(help_text="注销日期（不晚于今天）")
    closed_reason = TextField(max_length=200, help_text="注销原因（如：企业注销、迁出本区）")


class LiangxinReopenWriteSerializer(serializers.Serializer):
    note = TextField(
        max_length=200, required=False, default="", allow_blank=True, help_text="说明（选填）"
    )


class LiangxinVisitWriteSerializer(serializers.Serializer):
    advisor = serializers.IntegerField(min_value=1, help_text="党建指导员编号")
    visited_on = serializers.DateField(help_text="日期")
    note = TextField(max_length=200, required=False, default="", allow_blank=True)


class LiangxinCoverageRowSerializer(serializers.Serializer):
    key = TextField(help_text="行政区划代码或行业（合计行为空）")
    name = TextField(source="label", help_text="名称")
    total = serializers.IntegerField(help_text="单位数")
    organized = serializers.IntegerField(help_text="组织覆盖单位数")
    worked = serializers.IntegerField(help_text="工作覆盖单位数")
    blank = serializers.IntegerField(help_text="空白点")
    organized_rate = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="组织覆盖率（%）"
    )
    worked_rate = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="工作覆盖率（%）"
    )
    blank_rate = serializers.DecimalField(
        max_digits=4, decimal_places=1, allow_null=True, help_text="空白点占比（%）"
    )
    employees = serializers.IntegerField(help_text="从业人员")
    members = serializers.IntegerField(help_text="党员")


class LiangxinCoverageSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    at = serializers.DateField(help_text="统计日")
    min_visits = serializers.IntegerField(help_text="工作覆盖要求的年度最少指导活动次数")
    total = LiangxinCoverageRowSerializer(help_text="合计")
    by_region = LiangxinCoverageRowSerializer(many=True, help_text="按行政区划")
    by_industry = LiangxinCoverageRowSerializer(many=True, help_text="按行业")


class UnitFilter(ParamFilterSet):
    q = text_filter(100, by_view=True, label="名称包含，或统一社会信用代码")
    region = RegionFilter(
        filters.region_value,
        field_name="region_code",
        lookup_expr="startswith",
        label="行政区划代码（前缀匹配）",
    )
    industry = choice_filter(Industry, "所属行业", field_name="industry")
    kind = choice_filter(UnitKind, "单位类型", field_name="kind")
    org = org_param("管理党组织编码：只列该组织及其下级管理的单位")


class YearOrgFilter(ParamFilterSet):
    year = YearFilter(filters.year_value, by_view=True, label="年份，默认今年")
    org = org_param("管理党组织编码：只统计该组织及其下级管理的单位")


def _units(request: Any, org_code: str) -> Any:
    actor = signed_in(request)
    units = selectors.units_for(actor)
    if org_code:
        root = org_get(actor, org_code, perm=Perm.LIANGXIN_VIEW)
        units = units.filter(org__path__startswith=root.path)
    return units


def _org(actor: Any, code: str, field: str) -> Organization | None:
    if not code:
        return None
    return scoped_org(actor, Perm.LIANGXIN_RECORD, code, field=field)


def _unit_values(request: SignedInApiRequest, v: dict[str, Any]) -> dict[str, Any]:
    data = dict(v)
    data["org"] = _org(request.user, v["org"], "org")
    data["party_org"] = _org(request.user, v["party_org"], "party_org")
    return data


@extend_schema_view(
    get=extend_schema(responses=LiangxinUnitSerializer(many=True), summary="两新组织名录")
)
@create_schema("登记两新组织")
class UnitListView(FilteredListView, CreateView):
    """The units of the actor's subtree, by name."""

    read_perm = Perm.LIANGXIN_VIEW
    write_perm = Perm.LIANGXIN_RECORD
    serializer_class = LiangxinUnitSerializer
    write_serializer = LiangxinUnitWriteSerializer
    filterset_class = UnitFilter
    queryset = Unit.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        p = self.params()
        units = _units(self.request, p["org"]).select_related("org", "party_org")
        if p["q"]:
            code = services.normalise_uscc(p["q"])
            units = units.filter(Q(name__contains=p["q"]) | Q(uscc=code))
        return units.order_by("name", "pk")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        unit = service_call(services.unit_create, actor=request.user, data=_unit_values(request, v))
        return LiangxinUnitSerializer(unit).data


def _detail(request: Any, unit: Unit) -> dict[str, Any]:
    today = timezone.localdate()
    status = selectors.unit_status(unit, today.year, today)
    unit.status = {**status, "year": today.year}  # type: ignore[attr-defined]
    unit.assignments_sorted = list(selectors.assignments_of(unit))  # type: ignore[attr-defined]
    unit.visits_sorted = list(selectors.visits_of(unit)[:100])  # type: ignore[attr-defined]
    data = dict(LiangxinUnitSerializer(unit).data)
    data["status"] = LiangxinStatusSerializer(unit.status).data  # type: ignore[attr-defined]
    data["assignments"] = LiangxinAssignmentSerializer(
        unit.assignments_sorted,  # type: ignore[attr-defined]
        many=True,
    ).data
    data["visits"] = LiangxinVisitSerializer(unit.visits_sorted, many=True).data  # type: ignore[attr-defined]
    return data


@detail_schema(ID, "两新组织")
class UnitDetailView(ObjectDetailView):
    """One unit with its coverage this year, its advisors and visits."""

    read_perm = Perm.LIANGXIN_VIEW
    serializer_class = LiangxinUnitDetailSerializer
    getter = selectors.unit_get

    def present(self, request: SignedInApiRequest, obj: Unit) -> dict[str, Any]:
        return _detail(request, obj)


class _UnitAction(ObjectActionView):
    """An action on one unit of the actor's subtree (``Perm.LIANGXIN_RECORD``), answered with
    the unit."""

    read_perm = Perm.LIANGXIN_RECORD
    write_perm = Perm.LIANGXIN_RECORD
    created = True

    def target(self, request: SignedInApiRequest, pk: int) -> Unit:
        return selectors.unit_get(request.user, pk, Perm.LIANGXIN_RECORD)

    def answer(self, request: SignedInApiRequest, target: Unit) -> dict[str, Any]:
        return _detail(request, selectors.unit_get(request.user, target.pk))

    def advisor(self, request: SignedInApiRequest, pk: int) -> Advisor:
        advisor = selectors.advisors_for(request.user, Perm.LIANGXIN_RECORD).filter(pk=pk).first()
        if advisor is None:
            raise exceptions.ValidationError({"advisor": ["党建指导员不存在或不在您的管辖范围内"]})
        return advisor


def _action_schema(summary: str, op: str) -> Any:
    return action_schema(ID, LiangxinUnitDetailSerializer, summary, f"liangxin_units_{op}")


@_action_schema("选派党建指导员或联系人", "assign")
class AssignView(_UnitAction):
    """Assign an advisor to the unit from a day."""

    serializer_class = LiangxinAssignWriteSerializer

    def act(self, request: SignedInApiRequest, target: Unit, v: dict[str, Any]) -> None:
        service_call(
            services.assign,
            actor=request.user,
            advisor=self.advisor(request, v["advisor"]),
            unit=target,
            **picked(v, "role", "since"),
        )


@_action_schema("登记指导活动", "visit")
class VisitView(_UnitAction):
    """Record an assigned advisor's visit to the unit."""

    serializer_class = LiangxinVisitWriteSerializer

    def act(self, request: SignedInApiRequest, target: Unit, v: dict[str, Any]) -> None:
        service_call(
            services.visit_record,
            actor=request.user,
            unit=target,
            advisor=self.advisor(request, v["advisor"]),
            **picked(v, "visited_on", "note"),
        )


@extend_schema_view(
    get=extend_schema(responses=LiangxinAdvisorSerializer(many=True), summary="党建指导员")
)
@create_schema("登记党建指导员或联系人")
class AdvisorListView(FilteredListView, CreateView):
    """The advisors sent by the organizations of the actor's subtree."""

    read_perm = Perm.LIANGXIN_VIEW
    write_perm = Perm.LIANGXIN_RECORD
    serializer_class = LiangxinAdvisorSerializer
    write_serializer = LiangxinAdvisorWriteSerializer
    filterset_class = ParamFilterSet
    queryset = Advisor.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        return selectors.advisors_for(actor).select_related("org").order_by("name", "pk")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        org = scoped_org(request.user, Perm.LIANGXIN_RECORD, v["org"])
        advisor = service_call(services.advisor_create, actor=request.user, name=v["name"], org=org)
        return LiangxinAdvisorSerializer(advisor).data


@query_schema(YearOrgFilter, LiangxinCoverageSerializer, "两新组织覆盖情况（按行政区划和行业）")
class CoverageView(ScopedAPIView):
    """组织覆盖, 工作覆盖 and 空白点 of the actor's subtree for a year, by region and sector."""

    read_perm = Perm.LIANGXIN_VIEW
    serializer_class = LiangxinCoverageSerializer
    pagination_class = None

    def get(self, request: SignedInApiRequest) -> Response:
        p = YearOrgFilter.parse(request.query_params)
        today = timezone.localdate()
        cov = selectors.coverage(_units(request, p["org"]), p["year"] or today.year, today)
        return Response(LiangxinCoverageSerializer(cov).data)


@extend_schema_view(
    get=extend_schema(responses=LiangxinUnitSerializer(many=True), summary="两新组织空白点")
)
class BlankListView(FilteredListView):
    """The units of the actor's subtree with neither a party organization nor work coverage in
    the year."""

    read_perm = Perm.LIANGXIN_VIEW
    serializer_class = LiangxinUnitSerializer
    filterset_class = YearOrgFilter
    queryset = Unit.objects.none()

    def get_queryset(self) -> Any:
        p = self.params()
        today = timezone.localdate()
        units = _units(self.request, p["org"]).select_related("org", "party_org")
        return selectors.blanks(units, p["year"] or today.year, today).order_by(
            "region_code", "name", "pk"
        )


@_action_schema("登记两新组织注销（此后不计入覆盖率，正在进行的选派同日结束）", "close")
class CloseView(_UnitAction):
    """Record the unit's deregistration (注销、吊销) or its leaving the area."""

    serializer_class = LiangxinCloseWriteSerializer
    created = False

    def act(self, request: SignedInApiRequest, target: Unit, v: dict[str, Any]) -> None:
        service_call(
            services.unit_close,
            actor=request.user,
            unit=target,
            closed_on=v["closed_on"],
            reason=v["closed_reason"],
        )


@_action_schema("撤销两新组织注销登记（误登记时使用）", "reopen")
class ReopenView(_UnitAction):
    """Undo a deregistration recorded by mistake."""

    serializer_class = LiangxinReopenWriteSerializer
    created = False

    def act(self, request: SignedInApiRequest, target: Unit, v: dict[str, Any]) -> None:
        service_call(services.unit_reopen, actor=request.user, unit=target, note=v["note"])
