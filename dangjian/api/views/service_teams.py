"""``/api/v1/service/teams/`` and ``/api/v1/service/double-reports/``: 红色志愿服务队 and 双报到
(list, read, create; a team is changed by PATCH; a registration is ended, and rated for a year,
by a POST action as an order's transitions are), through the selectors and services of
:mod:`dangjian.service`.

Teams: reading needs ``Perm.SERVICE_VIEW`` (teams of the subtree), creating
``Perm.SERVICE_DISPATCH`` over the team's organization. 双报到: reading needs ``SERVICE_VIEW``
(registrations with the villages and communities of the subtree and of its members elsewhere);
registering needs ``Perm.MEMBER_CHANGE`` over the member's branch; ending it either that or
``Perm.SERVICE_DISPATCH`` over the community (each side may end it); the yearly rating is the
community's (``SERVICE_DISPATCH``). Members appear by name and
branch only (no ID or phone number); a service's refusal is a 400 with its Chinese messages.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from dangjian.accounts.models import User
from dangjian.accounts.roles import PERM_LABELS, Perm
from dangjian.accounts.scope import can
from dangjian.api.filtersets import ParamFilterSet, org_param
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import TextField
from dangjian.api.views.base import (
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
    validated,
)
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.service.choices import MemberKind, ReportRating
from dangjian.service.models import DoubleReport, VolunteerTeam
from dangjian.service.selectors import (
    double_report_get,
    double_reports_for,
    team_get,
    teams_for,
)
from dangjian.service.teams import (
    double_report_end,
    double_report_rate,
    double_report_register,
    team_change,
    team_create,
)

ID = path_id("编号")


class TeamMemberSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member_id", help_text="党员编号")
    name = TextField(source="member.name", help_text="姓名")
    org = TextField(source="member.org.code", help_text="党员所在党组织编码")
    kind = serializers.ChoiceField(choices=MemberKind.choices, help_text="在职、无职、退休或流动")
    has_account = serializers.SerializerMethodField(help_text="有本人账号（可接单）")
    joined_on = serializers.DateField()

    def get_has_account(self, item: Any) -> bool:
        return item.user_id is not None


class TeamSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org = TextField(source="org.code", help_text="所属组织编码")
    org_name = TextField(source="org.name")
    name = TextField(help_text="服务队名称")
    services = serializers.ListField(child=TextField(), help_text="服务类别代码")
    area = TextField(help_text="服务范围")
    leader = serializers.CharField(
        source="leader.username", allow_null=True, default=None, help_text="队长账号"
    )
    active = serializers.BooleanField()
    members = TeamMemberSerializer(source="memberships.all", many=True)


class TeamWriteSerializer(serializers.Serializer):
    org = TextField(max_length=32, help_text="所属村（社区）或乡镇（街道）党组织编码")
    name = TextField(max_length=50, help_text="服务队名称")
    services = serializers.ListField(
        child=TextField(max_length=32), required=False, default=list, max_length=50
    )
    area = TextField(max_length=100, required=False, default="", allow_blank=True)
    leader = TextField(
        max_length=150, required=False, default="", allow_blank=True, help_text="队长账号用户名"
    )


class TeamUpdateSerializer(serializers.Serializer):
    """The fields to change (PATCH: only those given); ``leader`` blank removes the leader."""

    name = TextField(max_length=50, allow_blank=True, help_text="服务队名称")
    services = serializers.ListField(child=TextField(max_length=32), max_length=50)
    area = TextField(max_length=100, allow_blank=True, help_text="服务范围")
    leader = TextField(max_length=150, allow_blank=True, help_text="队长账号用户名（空：不设）")


class ReportEndSerializer(serializers.Serializer):
    # omitted: today; an empty or null value is refused like any malformed date (the schema
    # says a date)
    ended_on = serializers.DateField(required=False, help_text="结束日期（不填：今天）")

    def to_internal_value(self, data: Any) -> Any:
        # a form sends an empty field, which DRF would read as "not given" (today): refuse it
        raw = data.get("ended_on") if hasattr(data, "get") else None
        if isinstance(raw, str) and not raw.strip():
            raise serializers.ValidationError(
                {"ended_on": ["结束日期格式应为 2026-12-06；不传此项表示今天"]}
            )
        return super().to_internal_value(data)


class ReportRateSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1, max_value=9999, help_text="年度")
    rating = serializers.ChoiceField(
        choices=ReportRating.choices,
        help_text="优秀、合格、基本合格或不合格",
        error_messages={"invalid_choice": "请选择优秀、合格、基本合格或不合格"},
    )
    note = TextField(max_length=500, required=False, default="", allow_blank=True)


class TeamFilter(ParamFilterSet):
    org = org_param("组织编码：该组织及下属组织的服务队")


class ReportRatingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    rating = TextField(help_text="优秀、合格、基本合格或不合格")
    note = TextField()


class DoubleReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id", help_text="党员编号")
    name = TextField(source="member.name", help_text="姓名")
    org = TextField(source="member.org.code", help_text="党员所在党组织（单位）编码")
    community = TextField(source="community.code", help_text="报到村（社区）党组织编码")
    community_name = TextField(source="community.name")
    registered_on = serializers.DateField()
    ended_on = serializers.DateField(allow_null=True)
    offers = TextField(help_text="服务承诺或特长")
    services = serializers.ListField(child=TextField(), help_text="服务类别代码")
    has_account = serializers.SerializerMethodField(help_text="有本人账号（可派单）")
    ratings = ReportRatingSerializer(source="ratings.all", many=True, help_text="年度评价")

    def get_has_account(self, report: DoubleReport) -> bool:
        return report.user_id is not None


class DoubleReportWriteSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, help_text="党员编号（本组织名册中的党员）")
    community = TextField(max_length=32, help_text="居住地村（社区）党组织编码")
    registered_on = serializers.DateField()
    offers = TextField(max_length=200, required=False, default="", allow_blank=True)
    services = serializers.ListField(
        child=TextField(max_length=32), required=False, default=list, max_length=50
    )
    user = TextField(
        max_length=150, required=False, default="", allow_blank=True, help_text="本人账号用户名"
    )


class DoubleReportFilter(ParamFilterSet):
    org = org_param("组织编码：报到到该组织及下级，或该组织及下级的党员")


def _account(name: str, path: str, field: str) -> User | None:
    if not name:
        return None
    user = User.objects.filter(username=name, org__path__startswith=path).first()
    if user is None:
        raise exceptions.ValidationError({field: [f"没有账号“{name}”，或它不属于该组织"]})
    return user


@extend_schema_view(
    get=extend_schema(responses=TeamSerializer(many=True), summary="志愿服务队列表")
)
@create_schema("新建志愿服务队")
class TeamListView(FilteredListView, CreateView):
    """红色志愿服务队 of the actor's subtree with their members, in tree order."""

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.SERVICE_DISPATCH
    serializer_class = TeamSerializer
    write_serializer = TeamWriteSerializer
    filterset_class = TeamFilter
    queryset = VolunteerTeam.objects.none()

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        qs = teams_for(actor).prefetch_related("memberships__member__org")
        qs = self.under_org(qs, Perm.SERVICE_VIEW, "org__path")
        return qs.order_by("org__path", "name", "pk")

    def create(self, request: SignedInApiRequest, values: dict[str, Any]) -> Any:
        org = scoped_org(request.user, Perm.SERVICE_DISPATCH, values["org"])
        team = service_call(
            team_create,
            actor=request.user,
            org=org,
            **picked(values, "name", "services", "area"),
            leader=_account(values["leader"], org.path, "leader"),
        )
        return TeamSerializer(team_get(request.user, team.pk)).data


@detail_schema(ID, "志愿服务队详情")
class TeamDetailView(ObjectDetailView):
    """One team with its members; 404 outside the actor's subtree. PATCH changes its name,
    services, area or leader (the fields given)."""

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.SERVICE_DISPATCH
    serializer_class = TeamSerializer

    getter = team_get

    @extend_schema(
        parameters=[ID],
        request=TeamUpdateSerializer(partial=True),
        responses=TeamSerializer,
        summary="修改志愿服务队",
    )
    def patch(self, request: SignedInApiRequest, pk: int) -> Response:
        team = team_get(request.user, pk)
        v = validated(TeamUpdateSerializer, request, partial=True)
        leader = _account(v["leader"], team.org.path, "leader") if "leader" in v else team.leader
        service_call(
            team_change,
            actor=request.user,
            team=team,
            name=v.get("name", team.name),
            services=v.get("services", team.services),
            area=v.get("area", team.area),
            leader=leader,
        )
        return Response(TeamSerializer(team_get(request.user, pk)).data)


@extend_schema_view(
    get=extend_schema(responses=DoubleReportSerializer(many=True), summary="双报到登记列表")
)
@create_schema("登记双报到")
class DoubleReportListView(FilteredListView, CreateView):
    """双报到 registrations the actor sees: with the villages and communities of the subtree,
    and of its members elsewhere (each counted for both), in force first."""

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.MEMBER_CHANGE
    serializer_class = DoubleReportSerializer
    write_serializer = DoubleReportWriteSerializer
    filterset_class = DoubleReportFilter
    queryset = DoubleReport.objects.none()

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        qs = double_reports_for(actor).prefetch_related("ratings")
        qs = self.under_org(qs, Perm.SERVICE_VIEW, "community__path", "member__org__path")
        return qs.order_by("ended_on", "-registered_on", "pk")

    def create(self, request: SignedInApiRequest, values: dict[str, Any]) -> Any:
        member = Member.objects.select_related("org").filter(pk=values["member"]).first()
        community = Organization.objects.filter(code=values["community"]).first()
        if member is None:
            raise exceptions.ValidationError({"member": ["党员不存在或不在您的管辖范围内"]})
        if community is None:
            raise exceptions.ValidationError(
                {"community": [f"没有编码为“{values['community']}”的党组织"]}
            )
        report = service_call(
            double_report_register,
            actor=request.user,
            member=member,
            community=community,
            **picked(values, "registered_on", "offers", "services"),
            user=_account(values["user"], member.org.path, "user"),
        )
        return DoubleReportSerializer(double_report_get(request.user, report.pk)).data


@detail_schema(ID, "双报到登记详情")
class DoubleReportDetailView(ObjectDetailView):
    """One registration with its yearly ratings; 404 when neither side is in the subtree."""

    read_perm = Perm.SERVICE_VIEW
    serializer_class = DoubleReportSerializer

    getter = double_report_get


class _ReportAction(ObjectActionView):
    """结束 or 评价 one registration, answered with it."""

    def target(self, request: SignedInApiRequest, pk: int) -> DoubleReport:
        return double_report_get(request.user, pk)

    def answer(self, request: SignedInApiRequest, target: DoubleReport) -> dict[str, Any]:
        return dict(DoubleReportSerializer(double_report_get(request.user, target.pk)).data)


def _action_schema(summary: str, op: str) -> Any:
    return action_schema(ID, DoubleReportSerializer, summary, f"service_double_reports_{op}")


@_action_schema("结束双报到", "end")
class DoubleReportEndView(_ReportAction):
    """结束双报到 (the member moved, changed jobs …): the member's branch (``MEMBER_CHANGE``) or
    the community (``SERVICE_DISPATCH``); refused while an order dispatched to them is open."""

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.SERVICE_DISPATCH  # or MEMBER_CHANGE: see check_permissions
    serializer_class = ReportEndSerializer

    def check_permissions(self, request: Any) -> None:
        user = request.user
        if user and user.is_authenticated and can(user, Perm.MEMBER_CHANGE):
            return
        if user and user.is_authenticated and not can(user, Perm.SERVICE_DISPATCH):
            names = "”或“".join(
                str(PERM_LABELS[p]) for p in (Perm.SERVICE_DISPATCH, Perm.MEMBER_CHANGE)
            )
            self.permission_denied(request, message=f"您的角色没有“{names}”的权限")
        super().check_permissions(request)

    def act(self, request: SignedInApiRequest, target: DoubleReport, v: dict[str, Any]) -> None:
        service_call(
            double_report_end, actor=request.user, report=target, ended_on=v.get("ended_on")
        )


@_action_schema("双报到党员年度评价", "rate")
class DoubleReportRateView(_ReportAction):
    """The community's yearly rating of a registered member's service (one per year; a second
    of the same year replaces the first, both audited)."""

    read_perm = Perm.SERVICE_DISPATCH
    write_perm = Perm.SERVICE_DISPATCH
    serializer_class = ReportRateSerializer

    def act(self, request: SignedInApiRequest, target: DoubleReport, v: dict[str, Any]) -> None:
        service_call(
            double_report_rate,
            actor=request.user,
            report=target,
            **picked(v, "year", "rating", "note"),
        )
