"""``/api/v1/mobile/…``: 流动党员 and 失联党员 through the selectors and services of
:mod:`dangjian.mobile`.

- ``outflows/`` (the home side: every outflow of the subtree's members, phone masked),
  ``hosted/`` (the host side: name, masked contact and activities only), ``lost/``;
- ``flags/``: the findings of REL-TRANSFER and REL-LOST-CONTACT on ``at`` (prompts for the
  branch's decision, never applied);
- ``figures/``: organization-level counts (流出, 流入, 失联 by months lost) of ``org``'s children;
- ``members/<id>/``: a member's outflows and lost-contact records, and the POST actions on him
  (``outflow``, ``return``, ``card``, ``activity`` — the host side too —, ``lost``,
  ``search``, ``found``, ``decide``).

Reading needs ``Perm.MEMBER_VIEW``, writing ``Perm.MEMBER_CHANGE`` over the member's branch (or,
for an activity, over the host organization); a service's refusal is a 400 with its Chinese
messages and nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import covers
from dangjian.api.filters import code_value, date_value
from dangjian.api.filtersets import CODE_SCHEMA, DATE_SCHEMA
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import FindingSerializer, TextField
from dangjian.api.views import base
from dangjian.api.views.base import (
    ObjectDetailView,
    ScopedAPIView,
    detail_schema,
    path_id,
    picked,
    service_call,
    validated,
)
from dangjian.members.models import Member
from dangjian.mobile import services as svc
from dangjian.mobile.models import LostContact, Outflow
from dangjian.mobile.selectors import (
    LOST_BANDS,
    figures,
    flags,
    hosted_for,
    lost_for,
    member_get,
    open_lost,
    open_outflow,
    outflows_for,
)
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get

ID = path_id("党员编号")
AT = OpenApiParameter(
    "at", DATE_SCHEMA, OpenApiParameter.QUERY, description="统计或检查日期（不填：今天）"
)
ORG = OpenApiParameter(
    "org",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="组织编码（不填：本人所在组织），按其下级组织分别计数",
    pattern=CODE_SCHEMA["pattern"],
)


def _at(request: Request) -> Any:
    return date_value("at", request.query_params.get("at")) or timezone.localdate()


# --- serializers ------------------------------------------------------------------------------


class MobileActivitySerializer(serializers.Serializer):
    held_on = serializers.DateField(help_text="活动日期")
    subject = TextField(help_text="活动内容")


class MobileOutflowSerializer(serializers.Serializer):
    """An outflow as the home branch sees it (the phone masked)."""

    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id", help_text="党员编号")
    name = TextField(source="member.name", help_text="姓名")
    org = TextField(source="member.org.code", help_text="党员所在党支部编码")
    region_code = TextField(help_text="流入地行政区划代码")
    place = TextField(help_text="流入地点")
    employer = TextField(help_text="工作单位")
    started_on = serializers.DateField(help_text="外出日期")
    fixed_place = serializers.BooleanField(help_text="地点固定")
    phone = TextField(source="phone_masked", help_text="外出期间联系电话（已遮盖）")
    host_org = serializers.CharField(
        source="host_org.code", allow_null=True, default=None, help_text="流入地党组织编码"
    )
    host = TextField(source="host_label", help_text="流入地党组织名称")
    card_no = TextField(help_text="流动党员活动证编号")
    card_issued_on = serializers.DateField(allow_null=True, help_text="活动证发放日期")
    card_valid_to = serializers.DateField(allow_null=True, help_text="活动证有效期至")
    returned_on = serializers.DateField(allow_null=True, help_text="返回日期")
    activities = MobileActivitySerializer(source="activities.all", many=True)


class MobileHostedSerializer(serializers.Serializer):
    """A member hosted where he is, as the host organization sees him: name, contact,
    activities."""

    id = serializers.IntegerField()
    name = TextField(source="member.name", help_text="姓名")
    phone = TextField(source="phone_masked", help_text="联系电话（已遮盖）")
    host_org = serializers.CharField(
        source="host_org.code", allow_null=True, default=None, help_text="流入地党组织编码"
    )
    returned_on = serializers.DateField(allow_null=True, help_text="返回日期")
    activities = MobileActivitySerializer(source="activities.all", many=True)


class MobileStepSerializer(serializers.Serializer):
    done_on = serializers.DateField(help_text="查找日期")
    how = TextField(help_text="查找方式及结果")
    done_by = TextField(help_text="查找人")


class MobileLostSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id", help_text="党员编号")
    name = TextField(source="member.name", help_text="姓名")
    org = TextField(source="member.org.code", help_text="党员所在党支部编码")
    since = serializers.DateField(help_text="失去联系日期")
    note = TextField(help_text="情况说明")
    found_on = serializers.DateField(allow_null=True, help_text="恢复联系日期")
    steps = MobileStepSerializer(source="steps.all", many=True)


class MobileMemberSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员编号")
    name = TextField(help_text="姓名")
    outflows = MobileOutflowSerializer(many=True)
    lost = MobileLostSerializer(many=True)


class MobileFiguresSerializer(serializers.Serializer):
    code = TextField(help_text="组织编码")
    name = TextField(help_text="组织名称")
    out = serializers.IntegerField(help_text="流出党员数")
    out_fixed = serializers.IntegerField(help_text="其中地点固定")
    into = serializers.IntegerField(help_text="流入党员数")
    lost = serializers.IntegerField(help_text="失联党员数")
    lost_bands = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="失联党员数按失联时长：" + "、".join(label for _m, label in LOST_BANDS),
    )


class MobileOutflowWriteSerializer(serializers.Serializer):
    region_code = TextField(max_length=12, help_text="流入地行政区划代码（6 位或 12 位）")
    place = TextField(max_length=100, help_text="流入地点")
    employer = TextField(max_length=100, required=False, default="", allow_blank=True)
    started_on = serializers.DateField(help_text="外出日期")
    fixed_place = serializers.BooleanField(required=False, default=False, help_text="地点固定")
    phone = TextField(max_length=20, required=False, default="", allow_blank=True)
    host_org = TextField(
        max_length=32, required=False, default="", allow_blank=True, help_text="平台内党组织编码"
    )
    host_name = TextField(
        max_length=100, required=False, default="", allow_blank=True, help_text="平台外党组织名称"
    )
    card_no = TextField(max_length=32, required=False, default="", allow_blank=True)
    card_issued_on = serializers.DateField(required=False, allow_null=True, default=None)
    card_valid_to = serializers.DateField(required=False, allow_null=True, default=None)


class MobileReturnSerializer(serializers.Serializer):
    returned_on = serializers.DateField(help_text="返回日期")


class MobileCardSerializer(serializers.Serializer):
    card_no = TextField(max_length=32, help_text="流动党员活动证编号")
    issued_on = serializers.DateField(help_text="发放日期")
    valid_to = serializers.DateField(required=False, allow_null=True, default=None)


class MobileActivityWriteSerializer(serializers.Serializer):
    held_on = serializers.DateField(help_text="活动日期")
    subject = TextField(max_length=100, help_text="活动内容")


class MobileLostWriteSerializer(serializers.Serializer):
    since = serializers.DateField(help_text="失去联系日期")
    note = TextField(max_length=200, required=False, default="", allow_blank=True)


class MobileStepWriteSerializer(serializers.Serializer):
    done_on = serializers.DateField(help_text="查找日期")
    how = TextField(max_length=200, help_text="查找方式及结果")
    done_by = TextField(max_length=50, help_text="查找人")


class MobileFoundSerializer(serializers.Serializer):
    found_on = serializers.DateField(help_text="恢复联系日期")
    note = TextField(max_length=200, required=False, default="", allow_blank=True)


class MobileDecideSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[str(k) for k in svc.DECISIONS],
        help_text="支部决定的处理：停止党籍或除名",
        error_messages={"invalid_choice": "处理“{input}”无效，应为：停止党籍、除名"},
    )
    started_on = serializers.DateField(help_text="决定生效日期")
    decided_by = TextField(max_length=100, help_text="作出决定的党组织")
    decision_no = TextField(max_length=100, required=False, default="", allow_blank=True)


# --- reads ------------------------------------------------------------------------------------


def _list_schema(serializer: Any, summary: str) -> Any:
    return extend_schema_view(get=extend_schema(responses=serializer(many=True), summary=summary))


@_list_schema(MobileOutflowSerializer, "流动党员（流出）列表")
class OutflowListView(base.ScopedListView):
    """Outflows of the members of the subtree (home side), open ones first."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = MobileOutflowSerializer

    def get_queryset(self) -> Any:
        qs = outflows_for(signed_in(self.request)).prefetch_related("activities")
        return qs.order_by("-returned_on", "-started_on", "pk")


@_list_schema(MobileHostedSerializer, "流动党员（流入）列表")
class HostedListView(base.ScopedListView):
    """Members hosted by organizations of the subtree (host side): name, contact, activities."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = MobileHostedSerializer

    def get_queryset(self) -> Any:
        qs = hosted_for(signed_in(self.request)).prefetch_related("activities")
        return qs.order_by("-returned_on", "-started_on", "pk")


@_list_schema(MobileLostSerializer, "失联党员列表")
class LostListView(base.ScopedListView):
    """Lost-contact records of the members of the subtree, open ones first."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = MobileLostSerializer

    def get_queryset(self) -> Any:
        qs = lost_for(signed_in(self.request)).prefetch_related("steps")
        return qs.order_by("-found_on", "since", "pk")


class FlagListView(ScopedAPIView):
    """The prompts of REL-TRANSFER and REL-LOST-CONTACT on ``at`` (for the branch to decide)."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = FindingSerializer

    @extend_schema(
        parameters=[AT],
        responses=FindingSerializer(many=True),
        summary="流动党员转接和失联党员处理提醒",
    )
    def get(self, request: SignedInApiRequest) -> Response:
        return self.page_of_dicts(flags(request.user, _at(request)))


class FiguresView(ScopedAPIView):
    """Counts per child of ``org`` and the total (the last row): organization level only."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = MobileFiguresSerializer
    pagination_class = None

    @extend_schema(
        parameters=[ORG, AT],
        responses=MobileFiguresSerializer(many=True),
        summary="流动党员和失联党员统计（按组织）",
    )
    def get(self, request: SignedInApiRequest) -> Response:
        code = code_value("org", request.query_params.get("org"))
        # an unknown code, or one outside the scope: 404 (no existence leak)
        root = org_get(request.user, code, perm=Perm.MEMBER_VIEW) if code else None
        rows = figures(request.user, _at(request), root)
        return Response(MobileFiguresSerializer(rows, many=True).data)


def _member_data(member: Member) -> dict[str, Any]:
    outflows = member.outflows.select_related("member", "member__org", "host_org")
    lost = member.lost_contacts.select_related("member", "member__org")
    return {
        "member": member.pk,
        "name": member.name,
        "outflows": MobileOutflowSerializer(
            outflows.prefetch_related("activities").order_by("-started_on"), many=True
        ).data,
        "lost": MobileLostSerializer(
            lost.prefetch_related("steps").order_by("-since"), many=True
        ).data,
    }


@detail_schema(ID, "党员流动和失联情况")
class MemberMobileView(ObjectDetailView):
    """A member's outflows and lost-contact records (home side)."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = MobileMemberSerializer
    pagination_class = None

    getter = member_get

    def present(self, request: SignedInApiRequest, obj: Member) -> Any:
        return _member_data(obj)


# --- writes -----------------------------------------------------------------------------------


def _open_outflow(member: Member) -> Outflow:
    outflow = open_outflow(member)
    if outflow is None:
        raise exceptions.ValidationError({"member": [f"{member.name}没有未返回的外出登记"]})
    return outflow


def _open_lost(member: Member) -> LostContact:
    lost = open_lost(member)
    if lost is None:
        raise exceptions.ValidationError({"member": [f"{member.name}没有未恢复联系的失联登记"]})
    return lost


class _MemberAction(base.ObjectActionView):
    read_perm = Perm.MEMBER_CHANGE
    write_perm = Perm.MEMBER_CHANGE

    def target(self, request: Any, pk: int) -> Member:
        return member_get(signed_in(request), pk, Perm.MEMBER_CHANGE)

    def answer(self, request: Any, target: Member) -> dict[str, Any]:
        return _member_data(member_get(signed_in(request), target.pk))


def _action_schema(summary: str, op: str) -> Any:
    return base.action_schema(ID, MobileMemberSerializer, summary, f"mobile_members_{op}")


@_action_schema("登记流动党员外出", "outflow")
class OutflowStartView(_MemberAction):
    serializer_class = MobileOutflowWriteSerializer
    created = True

    def act(self, request: SignedInApiRequest, target: Member, v: dict[str, Any]) -> None:
        host = None
        if v["host_org"]:
            host = Organization.objects.filter(code=v["host_org"]).first()
            if host is None:
                raise exceptions.ValidationError(
                    {"host_org": [f"没有编码为“{v['host_org']}”的党组织"]}
                )
        data = svc.OutflowInput(
            **picked(v, "region_code", "place", "started_on", "fixed_place", "employer", "phone"),
            host_org=host,
            **picked(v, "host_name", "card_no", "card_issued_on", "card_valid_to"),
        )
        service_call(svc.outflow_start, actor=request.user, member=target, data=data)


@_action_schema("登记流动党员返回", "return")
class OutflowReturnView(_MemberAction):
    serializer_class = MobileReturnSerializer

    def act(self, request: SignedInApiRequest, target: Member, v: dict[str, Any]) -> None:
        outflow = _open_outflow(target)
        service_call(
            svc.outflow_return, actor=request.user, outflow=outflow, returned_on=v["returned_on"]
        )


@_action_schema("发放流动党员活动证", "card")
class CardIssueView(_MemberAction):
    serializer_class = MobileCardSerializer

    def act(self, request: SignedInApiRequest, target: Member, v: dict[str, Any]) -> None:
        service_call(
            svc.outflow_card_issue,
            actor=request.user,
            outflow=_open_outflow(target),
            **picked(v, "card_no", "issued_on", "valid_to"),
        )


class ActivityRecordView(ScopedAPIView):
    """The host organization (or the home branch) records an activity the member took part in
    where he is; answers the outflow as the host sees it."""

    read_perm = Perm.MEMBER_CHANGE
    write_perm = Perm.MEMBER_CHANGE
    serializer_class = MobileActivityWriteSerializer
    pagination_class = None

    @extend_schema(
        parameters=[ID],
        request=MobileActivityWriteSerializer,
        responses={201: MobileHostedSerializer},
        summary="登记流动党员参加流入地活动",
        operation_id="mobile_members_activity",
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        outflow = Outflow.objects.select_related("member", "member__org", "host_org").filter(
            member_id=pk, returned_on__isnull=True
        )
        item = outflow.first()
        if item is None:
            member_get(request.user, pk)  # 404 outside the subtree
            raise exceptions.ValidationError({"member": ["该党员没有未返回的外出登记"]})
        host = item.host_org
        if not covers(request.user, Perm.MEMBER_VIEW, item.member.org.path) and not (
            host is not None and covers(request.user, Perm.MEMBER_VIEW, host.path)
        ):
            raise Http404("没有这名党员的外出登记，或不在您的管辖范围内")
        v = validated(MobileActivityWriteSerializer, request)
        service_call(
            svc.host_activity_record,
            actor=request.user,
            outflow=item,
            **picked(v, "held_on", "subject"),
        )
        item = Outflow.objects.select_related("member", "host_org").get(pk=item.pk)
        return Response(MobileHostedSerializer(item).data, status=status.HTTP_201_CREATED)


@_action_schema("登记失联党员", "lost")
class LostRecordView(_MemberAction):
    serializer_class = MobileLostWriteSerializer
    created = True

    def act(self, request: SignedInApiRequest, target: Member, v: dict[str, Any]) -> None:
        service_call(
            svc.lost_contact_record,
            actor=request.user,
            member=target,
            **picked(v, "since", "note"),
        )


@_action_schema("登记失联党员查找情况", "search")
class SearchStepView(_MemberAction):
    serializer_class = MobileStepWriteSerializer
    created = True

    def act(self, request: SignedInApiRequest, target: Member, v: dict[str, Any]) -> None:
        service_call(
            svc.search_step_add,
            actor=request.user,
            lost=_open_lost(target),
            **picked(v, "done_on", "how", "done_by"),
        )


@_action_schema("登记失联党员恢复联系", "found")
class FoundView(_MemberAction):
    serializer_class = MobileFoundSerializer

    def act(self, request: SignedInApiRequest, target: Member, v: dict[str, Any]) -> None:
        service_call(
            svc.lost_contact_found,
            actor=request.user,
            lost=_open_lost(target),
            **picked(v, "found_on", "note"),
        )


@_action_schema("失联党员停止党籍或除名（支部决定）", "decide")
class DecideView(_MemberAction):
    """The branch's decision on a lost member (停止党籍, later 除名), recorded as a standing."""

    serializer_class = MobileDecideSerializer

    def act(self, request: SignedInApiRequest, target: Member, v: dict[str, Any]) -> None:
        lost = open_lost(target) or target.lost_contacts.order_by("-since").first()
        if lost is None:
            raise exceptions.ValidationError({"member": [f"{target.name}没有失联登记"]})
        data = svc.DecisionInput(
            **picked(v, "kind", "started_on", "decided_by", "decision_no"),
        )
        service_call(svc.lost_contact_decide, actor=request.user, lost=lost, data=data)


#: action → view of ``/api/v1/mobile/members/<id>/<action>/``
ACTION_VIEWS: dict[str, type[ScopedAPIView]] = {
    "outflow": OutflowStartView,
    "return": OutflowReturnView,
    "card": CardIssueView,
    "activity": ActivityRecordView,
    "lost": LostRecordView,
    "search": SearchStepView,
    "found": FoundView,
    "decide": DecideView,
}
