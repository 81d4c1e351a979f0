"""``/api/v1/transfers/``: relation transfers (组织关系转接), both ends.

- ``transfers/``: the transfers with either end in the actor's subtree (``Perm.MEMBER_VIEW``),
  newest first, filtered by ``state``, ``direction`` (out/in) and ``overdue``; POST asks for
  the transfer of a member (``Perm.MEMBER_CHANGE`` over his branch) and, unless ``issue`` is
  false, issues the letter the same day.
- ``transfers/{id}/``: one transfer. ``transfers/{id}/{action}/`` (POST): issue, accept,
  refuse, cancel, receipt — each through its service, a refusal is a 400 with the Chinese
  message and nothing written. ``transfers/{id}/letter/``: the letter PDF (audited).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import restrict
from dangjian.api import filters
from dangjian.api.filtersets import FlagFilter, ParamFilterSet, choice_filter
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import TextField, _date
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
    service_call,
    service_errors,
)
from dangjian.core.downloads import file_response
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.transfer import selectors as sel
from dangjian.transfer import services
from dangjian.transfer.choices import TransferReason, TransferState
from dangjian.transfer.letter import letter_pdf
from dangjian.transfer.models import Transfer

TRANSFER_ID = path_id("转接 id")


class TransferSerializer(serializers.Serializer):
    """A transfer with both ends (the member's name only, no personal numbers)."""

    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id", help_text="党员 id")
    member_name = TextField(help_text="党员姓名")
    from_org = TextField(source="from_org.code", help_text="转出党组织编码")
    from_org_name = TextField(source="from_org.name")
    to_org = serializers.SerializerMethodField(help_text="接收党组织编码（系统外为空）")
    to_name = TextField(source="receiver_name", help_text="接收党组织名称")
    external = serializers.BooleanField(help_text="接收党组织是否在系统外")
    reason = TextField(help_text="转接原因")
    state = TextField(
        help_text="状态：requested 待开具介绍信、in_transit 在途、accepted 已接收、"
        "refused 已退回、cancelled 已撤销"
    )
    state_label = TextField(source="get_state_display")
    requested_on = serializers.DateField(help_text="申请日期")
    letter_no = TextField(help_text="介绍信编号（未开具为空）")
    issued_on = serializers.DateField(allow_null=True, help_text="开具日期")
    valid_days = serializers.IntegerField(allow_null=True, help_text="有效期（天）")
    due_on = serializers.DateField(allow_null=True, help_text="有效期至（含当日）")
    answered_on = serializers.DateField(allow_null=True, help_text="接收、退回或撤销日期")
    refuse_reason = TextField(help_text="退回或撤销原因")
    receipt_no = TextField(help_text="回执编号")
    overdue = serializers.SerializerMethodField(help_text="在途且已过有效期")

    def get_to_org(self, t: Transfer) -> str | None:
        return t.to_org.code if t.to_org is not None else None

    def get_overdue(self, t: Transfer) -> bool:
        today = timezone.localdate()
        return bool(t.state == TransferState.IN_TRANSIT and t.due_on and t.due_on < today)


class _Directions:
    """The values of ``direction``: the transfers out of the subtree, or into it."""

    values = ["out", "in"]
    choices = [("out", "转出"), ("in", "转入")]


class TransferFilter(ParamFilterSet):
    """The parameters of ``/transfers/``."""

    state = choice_filter(TransferState, "状态", field_name="state")
    direction = choice_filter(_Directions, "方向（out 转出、in 转入）", by_view=True)
    overdue = FlagFilter(filters.bool_value, by_view=True, label="1：只列超期未接收的转接")


class TransferCreateSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="党员 id")
    to_org = TextField(
        required=False, allow_blank=True, max_length=32, help_text="接收党组织编码（系统内）"
    )
    to_name = TextField(
        required=False, allow_blank=True, max_length=200, help_text="系统外接收党组织名称"
    )
    reason = serializers.ChoiceField(choices=TransferReason.values, help_text="转接原因")
    requested_on = _date(help_text="申请日期")
    note = TextField(required=False, allow_blank=True, max_length=500)
    issue = serializers.BooleanField(required=False, default=True, help_text="同时开具介绍信")


@extend_schema_view(
    get=extend_schema(responses=TransferSerializer(many=True), summary="组织关系转接列表")
)
@create_schema("申请转出组织关系（默认同时开具介绍信）")
class TransferListView(FilteredListView, CreateView):
    """Transfers with either end in the actor's subtree, newest first."""

    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.MEMBER_CHANGE
    serializer_class = TransferSerializer
    write_serializer = TransferCreateSerializer
    filterset_class = TransferFilter
    queryset = Transfer.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        params = self.params()
        qs = {"out": sel.transfers_out, "in": sel.transfers_in}.get(
            params.get("direction") or "", sel.transfers_for
        )(actor)
        if params["overdue"]:
            qs = sel.overdue(qs, timezone.localdate())
        return qs.order_by("-requested_on", "-pk")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        member = (
            restrict(
                Member.objects.select_related("org"), request.user, Perm.MEMBER_CHANGE, "org__path"
            )
            .filter(pk=v["member"])
            .first()
        )
        if member is None:
            raise exceptions.ValidationError({"member": ["党员不存在或不在您的管辖范围内"]})
        to_org = None
        if v.get("to_org"):
            to_org = Organization.objects.filter(code=v["to_org"]).first()
            if to_org is None:
                raise exceptions.ValidationError({"to_org": [f"党组织编码“{v['to_org']}”不存在"]})
        data = services.TransferInput(
            member=member,
            **picked(v, "requested_on", "reason"),
            to_org=to_org,
            to_name=v.get("to_name") or "",
            note=v.get("note") or "",
        )
        try:
            t = services.transfer_request(actor=request.user, data=data, issue=v["issue"])
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return TransferSerializer(t).data


@detail_schema(TRANSFER_ID, "转接详情")
class TransferDetailView(ObjectDetailView):
    """One transfer."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = TransferSerializer
    pagination_class = None

    getter = sel.transfer_get


class DateBody(serializers.Serializer):
    on = _date(help_text="日期（开具、接收、退回、撤销或回执所载接收日期）")


class ReasonBody(DateBody):
    reason = TextField(required=False, allow_blank=True, max_length=500, help_text="原因")


class RefuseBody(DateBody):
    reason = TextField(max_length=500, help_text="退回原因（必填）")


class ReceiptBody(DateBody):
    receipt_no = TextField(required=False, allow_blank=True, max_length=60, help_text="回执编号")


Apply = Callable[[Any, Transfer, dict[str, Any]], Any]
ACTIONS: dict[str, tuple[type[serializers.Serializer], Apply, str]] = {
    "issue": (
        DateBody,
        lambda u, t, v: services.transfer_issue(actor=u, transfer=t, issued_on=v["on"]),
        "开具组织关系介绍信",
    ),
    "accept": (
        DateBody,
        lambda u, t, v: services.transfer_accept(actor=u, transfer=t, accepted_on=v["on"]),
        "接收组织关系（接收党组织）",
    ),
    "refuse": (
        RefuseBody,
        lambda u, t, v: services.transfer_refuse(
            actor=u, transfer=t, refused_on=v["on"], reason=v["reason"]
        ),
        "退回组织关系转接（接收党组织，须写明原因）",
    ),
    "cancel": (
        ReasonBody,
        lambda u, t, v: services.transfer_cancel(
            actor=u, transfer=t, cancelled_on=v["on"], reason=v.get("reason") or ""
        ),
        "撤销组织关系转接（转出党支部）",
    ),
    "receipt": (
        ReceiptBody,
        lambda u, t, v: services.transfer_receipt(
            actor=u, transfer=t, received_on=v["on"], receipt_no=v.get("receipt_no") or ""
        ),
        "登记系统外接收党组织的回执（转出党支部）",
    ),
}


class TransferActionView(ObjectActionView):
    """One step of a transfer (the subclass names it in ``action_name``)."""

    action_name = ""
    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.MEMBER_CHANGE
    parser_classes = JSON_ONLY

    def target(self, request: SignedInApiRequest, pk: int) -> Transfer:
        return sel.transfer_get(request.user, pk)

    def act(self, request: SignedInApiRequest, target: Transfer, v: dict[str, Any]) -> None:
        _body, apply, _summary = ACTIONS[self.action_name]
        service_call(apply, request.user, target, v)

    def answer(self, request: SignedInApiRequest, target: Transfer) -> dict[str, Any]:
        return dict(TransferSerializer(sel.transfer_get(request.user, target.pk)).data)


def _action_view(action: str) -> type[TransferActionView]:
    body, _apply, summary = ACTIONS[action]
    view = type(
        f"Transfer{action.title()}View",
        (TransferActionView,),
        {"action_name": action, "serializer_class": body, "__doc__": f"{summary}。"},
    )
    schema = action_schema(TRANSFER_ID, TransferSerializer, summary, f"transfers_{action}")
    return schema(view)


ACTION_VIEWS = {action: _action_view(action) for action in ACTIONS}


class TransferLetterView(ScopedAPIView):
    """The introduction letter as a PDF (an issued transfer; the download is audited)."""

    read_perm = Perm.MEMBER_VIEW
    pagination_class = None

    @extend_schema(
        parameters=[TRANSFER_ID],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="尚未开具介绍信"),
        },
        summary="下载组织关系介绍信（PDF）",
    )
    def get(self, request: SignedInApiRequest, pk: int) -> HttpResponse:
        t = sel.transfer_get(request.user, pk)
        if not t.letter_no:
            raise exceptions.ValidationError({"non_field_errors": ["尚未开具介绍信"]})
        services.letter_read(actor=request.user, transfer=t)
        return file_response(
            letter_pdf(t),
            filename=f"组织关系介绍信-{t.letter_no}.pdf",
            ascii_name=f"letter-{t.letter_no}.pdf",
            content_type="application/pdf",
        )
