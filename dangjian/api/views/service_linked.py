"""``/api/v1/service/departments/`` and ``/api/v1/service/visits/``: linked departments (联动部门,
跨级联合) with referrals of orders to them, and 敲门行动 visits with their needs turned into orders.

Reading needs ``Perm.SERVICE_VIEW`` (rows of the actor's subtree; outside it a 404); registering
a department and referring an order need ``Perm.SERVICE_DISPATCH`` over the town; recording a
visit and turning a need into an order need ``Perm.SERVICE_HANDLE`` over the village. Every write
goes through :mod:`dangjian.service.linked` (validated, written and audited in one transaction);
its refusal is a 400 in Chinese and nothing is written. The department's duty phone is shown
masked; a visit carries a household label, never a person.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.api import filters
from dangjian.api.filtersets import FlagFilter, ParamFilterSet, org_param
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import TextField
from dangjian.api.views.base import (
    JSON_ONLY,
    CreateView,
    FilteredListView,
    ObjectDetailView,
    ScopedAPIView,
    create_schema,
    detail_schema,
    path_id,
    picked,
    scoped_org,
    service_call,
    validated,
)
from dangjian.service import linked
from dangjian.service.choices import DepartmentKind
from dangjian.service.models import Department, Visit, VisitNeed
from dangjian.service.selectors import (
    departments_for,
    grids_for,
    order_get,
    visit_get,
    visits_for,
)


class DepartmentFilter(ParamFilterSet):
    org = org_param("组织编码：登记在该组织及下属组织的联动部门")


class VisitFilter(ParamFilterSet):
    org = org_param("组织编码：该组织及下属组织的走访")
    due = FlagFilter(filters.bool_value, by_view=True, label="1：只列未回访且有回访期限的走访")


# --- serializers ---------------------------------------------------------------------------------


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org = TextField(source="org.code", help_text="联动的乡镇（县级）组织编码")
    org_name = TextField(source="org.name")
    name = TextField()
    kind = TextField(help_text="部门类别代码")
    kind_label = TextField(source="get_kind_display", help_text="部门类别")
    phone_masked = TextField(help_text="值班电话（脱敏）")
    active = serializers.BooleanField()
    contacts = serializers.SerializerMethodField(help_text="联络人")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_contacts(self, dept: Department) -> list[str]:
        return [str(u) for u in dept.contacts.all()]


class DepartmentWriteSerializer(serializers.Serializer):
    org = TextField(max_length=32, help_text="联动的乡镇（县级）组织编码")
    name = TextField(max_length=60)
    kind = serializers.ChoiceField(choices=DepartmentKind.choices)
    contacts = serializers.ListField(
        child=TextField(max_length=150), required=False, default=list, help_text="联络人账号"
    )
    phone = TextField(max_length=20, required=False, allow_blank=True, default="")


class ReferralWriteSerializer(serializers.Serializer):
    order = serializers.IntegerField(help_text="工单编号")
    departments = serializers.ListField(
        child=serializers.IntegerField(), help_text="联动部门编号，第一个为牵头部门"
    )
    note = TextField(max_length=1000, required=False, allow_blank=True, default="")


class ReferredOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = TextField()
    state = TextField()
    level = TextField()
    department = serializers.IntegerField(source="department_id", allow_null=True)


class NeedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = TextField()
    category = TextField()
    order = TextField(
        source="order.tracking_code", allow_null=True, default=None, help_text="转成的工单查询码"
    )


class VisitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    org = TextField(source="org.code")
    org_name = TextField(source="org.name")
    grid = serializers.IntegerField(source="grid_id")
    grid_name = TextField(source="grid.name")
    household = TextField(help_text="门牌号或户编号")
    visited_on = serializers.DateField()
    note = TextField()
    follow_up_due = serializers.DateField(allow_null=True)
    done = serializers.BooleanField()
    visitors = serializers.SerializerMethodField(help_text="走访人")
    needs = NeedSerializer(many=True, source="needs.all")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_visitors(self, visit: Visit) -> list[str]:
        return [str(u) for u in visit.visitors.all()]


class NeedWriteSerializer(serializers.Serializer):
    text = TextField(max_length=500, allow_blank=True)
    category = TextField(max_length=32, required=False, allow_blank=True, default="")


class VisitWriteSerializer(serializers.Serializer):
    grid = serializers.IntegerField(help_text="网格编号")
    household = TextField(max_length=30, allow_blank=True, help_text="门牌号或户编号")
    visited_on = serializers.DateField()
    needs = NeedWriteSerializer(many=True, required=False, default=list)
    visitors = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list, help_text="其他走访人"
    )
    follow_up_due = serializers.DateField(required=False, allow_null=True, default=None)
    note = TextField(max_length=500, required=False, allow_blank=True, default="")


class NeedOrderWriteSerializer(serializers.Serializer):
    phone = TextField(max_length=20, allow_blank=True, help_text="群众联系电话（只存入工单）")
    category = TextField(
        max_length=32, required=False, allow_blank=True, default="", help_text="服务类别代码"
    )


class NeedOrderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    tracking_code = TextField()
    state = TextField()


# --- views ---------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(responses=DepartmentSerializer(many=True), summary="联动部门列表")
)
@create_schema("登记联动部门")
class DepartmentListView(FilteredListView, CreateView):
    """Linked departments registered with organizations of the actor's subtree."""

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.SERVICE_DISPATCH
    serializer_class = DepartmentSerializer
    write_serializer = DepartmentWriteSerializer
    filterset_class = DepartmentFilter
    queryset = Department.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        qs = departments_for(actor)
        return self.under_org(qs, Perm.SERVICE_VIEW, "org__path")

    def create(self, request: SignedInApiRequest, values: dict[str, Any]) -> Any:
        org = scoped_org(request.user, Perm.SERVICE_DISPATCH, values["org"])
        names = values["contacts"]
        contacts = list(User.objects.filter(username__in=names))
        unknown = sorted(set(names) - {u.username for u in contacts})
        if unknown:
            raise serializers.ValidationError({"contacts": [f"账号不存在：{'、'.join(unknown)}"]})
        dept = service_call(
            linked.department_create,
            actor=request.user,
            org=org,
            **picked(values, "name", "kind"),
            contacts=contacts,
            phone=values["phone"],
        )
        return DepartmentSerializer(dept).data


class ReferralView(ScopedAPIView):
    """跨级联合: refer an order handled by the town to linked departments (the first 牵头)."""

    write_perm = Perm.SERVICE_DISPATCH
    serializer_class = ReferralWriteSerializer
    parser_classes = JSON_ONLY
    pagination_class = None

    @extend_schema(
        request=ReferralWriteSerializer,
        responses={200: ReferredOrderSerializer},
        summary="工单转联动部门",
    )
    def post(self, request: SignedInApiRequest) -> Response:
        values = validated(ReferralWriteSerializer, request)
        order = order_get(request.user, values["order"])
        by_pk = {d.pk: d for d in linked.departments_for_order(order)}
        unknown = [pk for pk in values["departments"] if pk not in by_pk]
        if unknown:
            raise serializers.ValidationError(
                {"departments": [f"联动部门 {unknown[0]} 不存在或不能承办该工单所在乡镇的工单"]}
            )
        order = service_call(
            linked.order_refer,
            actor=request.user,
            order=order,
            departments=[by_pk[pk] for pk in values["departments"]],
            note=values["note"],
        )
        return Response(ReferredOrderSerializer(order).data)


@extend_schema_view(
    get=extend_schema(responses=VisitSerializer(many=True), summary="敲门行动走访列表")
)
@create_schema("登记走访")
class VisitListView(FilteredListView, CreateView):
    """敲门行动 visits of the actor's subtree, newest first (``due=1``: follow-ups not done)."""

    read_perm = Perm.SERVICE_VIEW
    write_perm = Perm.SERVICE_HANDLE
    serializer_class = VisitSerializer
    write_serializer = VisitWriteSerializer
    filterset_class = VisitFilter
    queryset = Visit.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        params = self.params()
        qs = visits_for(actor).prefetch_related("needs__order").order_by("-visited_on", "-pk")
        qs = self.under_org(qs, Perm.SERVICE_VIEW, "org__path")
        if params["due"]:
            qs = qs.filter(done=False, follow_up_due__isnull=False).order_by("follow_up_due", "pk")
        return qs

    def create(self, request: SignedInApiRequest, values: dict[str, Any]) -> Any:
        grid = grids_for(request.user, Perm.SERVICE_HANDLE).filter(pk=values["grid"]).first()
        if grid is None:
            raise serializers.ValidationError({"grid": ["网格不存在或不在您的管辖范围内"]})
        visitors = list(User.objects.filter(pk__in=values["visitors"]))
        if len(visitors) != len(set(values["visitors"])):
            raise serializers.ValidationError({"visitors": ["走访人账号不存在"]})
        visit = service_call(
            linked.visit_record,
            actor=request.user,
            grid=grid,
            **picked(values, "household", "visited_on"),
            needs=[(n["text"], n["category"]) for n in values["needs"]],
            visitors=visitors,
            **picked(values, "follow_up_due", "note"),
        )
        return VisitSerializer(visit).data


@detail_schema(path_id("走访编号"), "走访详情")
class VisitDetailView(ObjectDetailView):
    """One visit with its needs."""

    read_perm = Perm.SERVICE_VIEW
    serializer_class = VisitSerializer
    pagination_class = None

    getter = visit_get


class NeedOrderView(ScopedAPIView):
    """Turn one need of a visit into a service order (once; marked as from 敲门行动)."""

    write_perm = Perm.SERVICE_HANDLE
    serializer_class = NeedOrderWriteSerializer
    parser_classes = JSON_ONLY
    pagination_class = None

    @extend_schema(
        parameters=[path_id("走访编号"), path_id("需求编号", "need")],
        request=NeedOrderWriteSerializer,
        responses={201: NeedOrderSerializer},
        summary="走访需求转为工单",
    )
    def post(self, request: SignedInApiRequest, pk: int, need: int) -> Response:
        visit = visit_get(request.user, pk)
        item = VisitNeed.objects.filter(visit=visit, pk=need).first()
        if item is None:
            raise Http404("这次走访没有这项需求")
        values = validated(NeedOrderWriteSerializer, request)
        order = service_call(
            linked.need_to_order,
            actor=request.user,
            need=item,
            **picked(values, "phone", "category"),
        )
        return Response(NeedOrderSerializer(order).data, status=status.HTTP_201_CREATED)
