"""``/api/v1/care/…``: the hardship register (困难党员帮扶) through the selectors and services of
:mod:`dangjian.care`, with the same privacy boundary as the pages.

- ``care/hardships/``: GET the entries the actor reads (the member's branch and the helping
  organizations; an upper level gets an empty list), POST registers a member of the actor's
  branch (``Perm.CARE_RECORD``);
- ``care/hardships/<id>/``: one entry with its help and visits (404 for anyone else); the
  encrypted notes are not in the API (the page shows them to the readers, audited);
- ``care/hardships/<id>/help/``, ``…/visits/``, ``…/close/``: record help, a visit, close it;
- ``care/follow-ups/``: the visits overdue and due soon (CARE-VISIT-FOLLOW-UP);
- ``care/figures/``: counts and amounts by organization for a year (no person), for the upper
  levels.

A service's refusal is a 400 with its Chinese messages; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.api import filters
from dangjian.api.filtersets import (
    FlagFilter,
    ParamFilterSet,
    YearFilter,
    org_param,
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
    ScopedListView,
    action_schema,
    create_schema,
    detail_schema,
    path_id,
    picked,
    query_schema,
    service_call,
)
from dangjian.care.choices import CloseReason, HelpKind, Level, Occasion, Reason
from dangjian.care.models import Hardship
from dangjian.care.selectors import figures_for, follow_ups, hardship_get, hardships_for
from dangjian.care.services import (
    hardship_close,
    hardship_register,
    help_record,
    visit_record,
)
from dangjian.members.models import Member
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get

ID = path_id("困难党员登记编号")


class CareOrgRefSerializer(serializers.Serializer):
    code = TextField(help_text="组织编码")
    name = TextField(help_text="组织名称")


class CareHelpSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=HelpKind.choices, help_text="帮扶方式")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, coerce_to_string=True, help_text="金额（元）"
    )
    org = CareOrgRefSerializer(help_text="帮扶组织")
    helper_name = TextField(help_text="帮扶责任人")
    given_on = serializers.DateField(help_text="帮扶日期")


class CareVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    occasion = serializers.ChoiceField(choices=Occasion.choices, help_text="走访时机")
    visited_on = serializers.DateField(help_text="走访日期")
    org = CareOrgRefSerializer(help_text="走访组织")
    visitors = TextField(help_text="走访人")
    next_visit_on = serializers.DateField(allow_null=True, help_text="下次走访日期")


class CareHardshipSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id", help_text="党员编号")
    name = TextField(source="member.name", help_text="姓名")
    org = CareOrgRefSerializer(help_text="党员所在党支部")
    reason = serializers.ChoiceField(choices=Reason.choices, help_text="致困原因")
    level = serializers.ChoiceField(choices=Level.choices, help_text="困难程度")
    since = serializers.DateField(help_text="登记日期")
    until = serializers.DateField(allow_null=True, help_text="销号日期")
    close_reason = TextField(help_text="销号原因（未销号为空）")
    helpers = CareOrgRefSerializer(source="helpers.all", many=True, help_text="帮扶组织")


class CareHardshipDetailSerializer(CareHardshipSerializer):
    helps = CareHelpSerializer(source="helps_sorted", many=True, help_text="帮扶记录，最新的在前")
    visits = CareVisitSerializer(
        source="visits_sorted", many=True, help_text="走访慰问，最新的在前"
    )


class CareHardshipWriteSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, help_text="党员编号（本支部名册中的党员）")
    reason = serializers.ChoiceField(choices=Reason.choices, help_text="致困原因")
    level = serializers.ChoiceField(choices=Level.choices, help_text="困难程度")
    since = serializers.DateField(help_text="登记日期")
    note = TextField(
        max_length=500,
        required=False,
        default="",
        allow_blank=True,
        help_text="困难情况说明（加密保存）",
    )
    helpers = serializers.ListField(
        child=TextField(max_length=32),
        required=False,
        default=list,
        max_length=20,
        help_text="帮扶组织编码（本支部默认参与帮扶）",
    )


class CareHelpWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HelpKind.choices, help_text="帮扶方式")
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0, help_text="金额（元，不能为负数）"
    )
    org = TextField(max_length=32, help_text="帮扶组织编码（本支部或登记的帮扶组织）")
    helper_name = TextField(max_length=50, required=False, default="", allow_blank=True)
    given_on = serializers.DateField(help_text="帮扶日期")


class CareVisitWriteSerializer(serializers.Serializer):
    occasion = serializers.ChoiceField(choices=Occasion.choices, help_text="走访时机")
    visited_on = serializers.DateField(help_text="走访日期")
    org = TextField(max_length=32, help_text="走访组织编码（本支部或登记的帮扶组织）")
    visitors = TextField(max_length=100, required=False, default="", allow_blank=True)
    note = TextField(
        max_length=500,
        required=False,
        default="",
        allow_blank=True,
        help_text="走访情况（加密保存）",
    )
    next_visit_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="下次走访日期"
    )


class CareCloseSerializer(serializers.Serializer):
    until = serializers.DateField(help_text="销号日期")
    reason = serializers.ChoiceField(choices=CloseReason.choices, help_text="销号原因")


class CareFollowUpSerializer(serializers.Serializer):
    hardship = serializers.IntegerField(source="hardship.pk", help_text="困难党员登记编号")
    name = TextField(source="hardship.member.name", help_text="姓名")
    org = TextField(source="hardship.org.code", help_text="党员所在党支部编码")
    overdue = serializers.BooleanField(help_text="已逾期")
    next_visit_on = serializers.DateField(source="finding.due_date", help_text="应走访日期")
    message = TextField(source="finding.message", help_text="说明")


class CareFigureRowSerializer(serializers.Serializer):
    org = TextField(help_text="组织编码（合计行为空）")
    org_name = TextField(help_text="组织名称")
    on_register = serializers.IntegerField(help_text="年末（或今天）在册困难党员")
    special = serializers.IntegerField(help_text="其中特别困难")
    registered = serializers.IntegerField(help_text="本年新登记")
    helps = serializers.IntegerField(help_text="本年帮扶次数（按帮扶组织）")
    amount = TextField(help_text="本年帮扶金额（元，按帮扶组织）")
    visits = serializers.IntegerField(help_text="本年走访次数（按走访组织）")


class CareFiguresSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    at = serializers.DateField(help_text="统计截至日期")
    rows = CareFigureRowSerializer(many=True, help_text="各组织（只列有数据的组织，按组织树顺序）")
    total = CareFigureRowSerializer(help_text="合计")


class HardshipFilter(ParamFilterSet):
    closed = FlagFilter(filters.bool_value, by_view=True, label="1：只列已销号的；默认在册的")


class FigureFilter(ParamFilterSet):
    year = YearFilter(filters.year_value, by_view=True, label="年份，默认今年")
    org = org_param("组织编码：只统计该组织及其下级")


def _org(code: str, field: str) -> Organization:
    org = Organization.objects.filter(code=code).first()
    if org is None:
        raise exceptions.ValidationError({field: [f"没有编码为“{code}”的党组织"]})
    return org


def _detail(entry: Any) -> dict[str, Any]:
    entry.helps_sorted = list(entry.helps.select_related("org").order_by("-given_on", "-pk"))
    entry.visits_sorted = list(entry.visits.select_related("org").order_by("-visited_on", "-pk"))
    return dict(CareHardshipDetailSerializer(entry).data)


@extend_schema_view(
    get=extend_schema(responses=CareHardshipSerializer(many=True), summary="困难党员名册")
)
@create_schema("登记困难党员")
class HardshipListView(FilteredListView, CreateView):
    """The entries the actor reads (its branch's, and those its organization helps), newest
    first; an upper level reads none here (see ``care/figures/``)."""

    read_perm = Perm.CARE_VIEW
    write_perm = Perm.CARE_RECORD
    serializer_class = CareHardshipSerializer
    write_serializer = CareHardshipWriteSerializer
    filterset_class = HardshipFilter
    queryset = Hardship.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        closed = bool(self.params()["closed"])
        return (
            hardships_for(actor)
            .filter(until__isnull=not closed)
            .prefetch_related("helpers")
            .order_by("-since", "pk")
        )

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        member = Member.objects.select_related("org").filter(pk=v["member"]).first()
        mine = getattr(request.user, "org", None)
        if member is None or mine is None or member.org_id != mine.pk:
            raise exceptions.ValidationError({"member": ["党员不存在或不在本支部名册中"]})
        helpers = [_org(code, "helpers") for code in v["helpers"]]
        entry = service_call(
            hardship_register,
            actor=request.user,
            member=member,
            **picked(v, "reason", "level", "since", "note"),
            helpers=helpers,
        )
        return CareHardshipSerializer(hardship_get(request.user, entry.pk)).data


@detail_schema(ID, "帮扶记录")
class HardshipDetailView(ObjectDetailView):
    """One entry with its help and visits; 404 for anyone but its readers."""

    read_perm = Perm.CARE_VIEW
    serializer_class = CareHardshipDetailSerializer
    getter = hardship_get

    def present(self, request: SignedInApiRequest, obj: Hardship) -> dict[str, Any]:
        return _detail(obj)


class _HardshipAction(ObjectActionView):
    """登记帮扶, 走访慰问 or 销号 of one entry (its readers holding ``Perm.CARE_RECORD``),
    answered with the entry."""

    read_perm = Perm.CARE_RECORD
    write_perm = Perm.CARE_RECORD

    def target(self, request: SignedInApiRequest, pk: int) -> Hardship:
        return hardship_get(request.user, pk)

    def answer(self, request: SignedInApiRequest, target: Hardship) -> dict[str, Any]:
        return _detail(hardship_get(request.user, target.pk))


def _action_schema(summary: str, op: str) -> Any:
    return action_schema(ID, CareHardshipDetailSerializer, summary, f"care_hardships_{op}")


@_action_schema("登记帮扶", "help")
class HelpView(_HardshipAction):
    """登记帮扶 (the entry's readers holding ``Perm.CARE_RECORD``)."""

    serializer_class = CareHelpWriteSerializer
    created = True

    def act(self, request: SignedInApiRequest, target: Hardship, v: dict[str, Any]) -> None:
        service_call(
            help_record,
            actor=request.user,
            hardship=target,
            **picked(v, "kind", "amount"),
            org=_org(v["org"], "org"),
            **picked(v, "helper_name", "given_on"),
        )


@_action_schema("登记走访慰问", "visit")
class VisitView(_HardshipAction):
    """登记走访慰问, with the next visit when agreed."""

    serializer_class = CareVisitWriteSerializer
    created = True

    def act(self, request: SignedInApiRequest, target: Hardship, v: dict[str, Any]) -> None:
        service_call(
            visit_record,
            actor=request.user,
            hardship=target,
            **picked(v, "occasion", "visited_on"),
            org=_org(v["org"], "org"),
            **picked(v, "visitors", "note", "next_visit_on"),
        )


@_action_schema("困难党员销号", "close")
class CloseView(_HardshipAction):
    """销号 (out of hardship, died, left): not before the entry's date nor its last record."""

    serializer_class = CareCloseSerializer

    def act(self, request: SignedInApiRequest, target: Hardship, v: dict[str, Any]) -> None:
        service_call(
            hardship_close,
            actor=request.user,
            hardship=target,
            **picked(v, "until", "reason"),
            rename={"close_reason": "reason"},
        )


@extend_schema_view(
    get=extend_schema(responses=CareFollowUpSerializer(many=True), summary="走访提醒")
)
class FollowUpListView(ScopedListView):
    """The visits overdue and due soon among the entries the actor reads, earliest first."""

    read_perm = Perm.CARE_VIEW
    serializer_class = CareFollowUpSerializer

    def get_queryset(self) -> Any:
        return follow_ups(signed_in(self.request), timezone.localdate())


@query_schema(FigureFilter, CareFiguresSerializer, "困难党员帮扶统计（按组织）")
class FiguresView(ScopedAPIView):
    """Counts and amounts by organization of the actor's subtree for a year: no person."""

    read_perm = Perm.CARE_VIEW
    serializer_class = CareFiguresSerializer
    pagination_class = None

    def get(self, request: SignedInApiRequest) -> Response:
        p = FigureFilter.parse(request.query_params)
        today = timezone.localdate()
        root = org_get(request.user, p["org"], perm=Perm.CARE_VIEW) if p["org"] else None
        figures = figures_for(request.user, root, p["year"] or today.year, today)
        return Response(
            {
                "year": figures.year,
                "at": min(today, figures.at),
                "rows": [f.as_dict() for f in figures.rows],
                "total": figures.total.as_dict(),
            }
        )
