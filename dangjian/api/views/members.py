"""``/api/v1/members/``: member records of the actor's subtree, masked; audited reveal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import orgs_for
from dangjian.api import filters
from dangjian.api.serializers import (
    MemberSerializer,
    MemberWriteSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
)
from dangjian.api.views.base import ScopedAPIView, service_errors
from dangjian.members.choices import MemberType
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, member_list
from dangjian.members.services import MemberInput, member_create, member_reveal, member_update
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get

ID_PARAM = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="党员记录 id"
)
LIST_PARAMS = [
    OpenApiParameter("org", OpenApiTypes.STR, description="所在党组织编码"),
    OpenApiParameter("subtree", OpenApiTypes.BOOL, description="1：包括下级组织的党员"),
    OpenApiParameter("type", OpenApiTypes.STR, enum=MemberType.values, description="党员类型"),
    OpenApiParameter("q", OpenApiTypes.STR, description="姓名包含"),
]
DATE_FIELDS = frozenset({"joined_on", "confirmed_on", "birth_date"})
EDIT_FIELDS = [
    "name",
    "member_type",
    "joined_on",
    "confirmed_on",
    "gender",
    "birth_date",
    "ethnicity",
    "education",
    "category",
    "post",
]


def _branch(actor: Any, code: str) -> Organization:
    org = orgs_for(actor, Perm.MEMBER_CHANGE).filter(code=code).first()
    if org is None:
        raise exceptions.ValidationError({"org": [f"所在党组织“{code}”不存在或不在您的管辖范围内"]})
    return org


def _community(code: str | None) -> Organization | None:
    if not code:
        return None
    community = Organization.objects.filter(code=code).first()
    if community is None:
        raise exceptions.ValidationError({"residence_community": [f"社区党组织“{code}”不存在"]})
    return community


def _present(member: Member) -> dict[str, Any]:
    member = Member.objects.select_related("org", "residence_community").get(pk=member.pk)
    return dict(MemberSerializer(member).data)


class MemberListView(ScopedAPIView):
    """Members of the actor's subtree (``?org=CODE&subtree=1`` to narrow), masked."""

    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.MEMBER_CHANGE
    serializer_class = MemberSerializer

    def get_queryset(self) -> Any:
        actor = self.request.user
        code = filters.code_param(self.request, "org")
        subtree = filters.bool_param(self.request, "subtree")
        member_type = filters.member_type_param(self.request)
        q = filters.text_param(self.request, "q", max_length=50)
        org = org_get(actor, code, perm=Perm.MEMBER_VIEW) if code else None
        qs = member_list(actor, org=org, subtree=subtree).select_related("residence_community")
        if member_type:
            qs = qs.filter(member_type=member_type)
        if q:
            qs = qs.filter(name__icontains=q)
        return qs

    @extend_schema(
        parameters=LIST_PARAMS, responses=MemberSerializer(many=True), summary="党员列表（脱敏）"
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(
        request=MemberWriteSerializer, responses={201: MemberSerializer}, summary="新增党员"
    )
    def post(self, request: Request) -> Response:
        serializer = MemberWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        data = MemberInput(
            name=v["name"],
            id_number=v["id_number"],
            member_type=v["member_type"],
            joined_on=v["joined_on"],
            org=_branch(request.user, v["org"]),
            confirmed_on=v.get("confirmed_on"),
            gender=v.get("gender") or "",
            birth_date=v.get("birth_date"),
            ethnicity=v.get("ethnicity") or "",
            education=v.get("education") or "",
            category=v.get("category") or "",
            post=v.get("post") or "",
            phone=v.get("phone") or "",
            residence_community=_community(v.get("residence_community")),
        )
        try:
            member = member_create(actor=request.user, data=data)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return Response(_present(member), status=status.HTTP_201_CREATED)


class MemberDetailView(ScopedAPIView):
    """One member record, masked; 404 outside the actor's subtree."""

    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.MEMBER_CHANGE
    serializer_class = MemberSerializer

    @extend_schema(parameters=[ID_PARAM], responses=MemberSerializer, summary="党员详情（脱敏）")
    def get(self, request: Request, pk: int) -> Response:
        return Response(MemberSerializer(member_get(request.user, pk)).data)

    @extend_schema(
        parameters=[ID_PARAM],
        request=MemberWriteSerializer(partial=True),
        responses=MemberSerializer,
        summary="修改党员信息",
    )
    def patch(self, request: Request, pk: int) -> Response:
        member = member_get(request.user, pk, perm=Perm.MEMBER_CHANGE)
        serializer = MemberWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        v = serializer.validated_data
        data = MemberInput(
            name=member.name,
            id_number=member.id_number(),  # only handed back to the service, never shown
            member_type=member.member_type,
            joined_on=member.joined_on,
            org=member.org,
            confirmed_on=member.confirmed_on,
            gender=member.gender,
            birth_date=member.birth_date,
            ethnicity=member.ethnicity,
            education=member.education,
            category=member.category,
            post=member.post,
            phone=member.phone(),
            residence_community=member.residence_community,
        )
        if "id_number" in v:
            data.id_number = v["id_number"]
            # derived from the new number unless given explicitly
            data.gender, data.birth_date = "", None
        for name in EDIT_FIELDS:
            if name in v:
                value = v[name]
                setattr(data, name, value if name in DATE_FIELDS else (value or ""))
        if "phone" in v:
            data.phone = v["phone"] or ""
        if "org" in v and v["org"] != member.org.code:
            data.org = _branch(request.user, v["org"])
        if "residence_community" in v:
            data.residence_community = _community(v["residence_community"])
        try:
            member = member_update(actor=request.user, member=member, data=data)
        except DjangoValidationError as exc:
            raise service_errors(exc) from exc
        return Response(_present(member))


class MemberRevealView(ScopedAPIView):
    """The unmasked ID and phone numbers of one member; every call is written to the audit trail."""

    read_perm = Perm.MEMBER_VIEW_PII
    write_perm = Perm.MEMBER_VIEW_PII
    serializer_class = RevealRequestSerializer

    @extend_schema(
        parameters=[ID_PARAM],
        request=RevealRequestSerializer,
        responses=RevealResponseSerializer,
        summary="查看完整身份证号和电话（记入审计）",
    )
    def post(self, request: Request, pk: int) -> Response:
        member = member_get(request.user, pk, perm=Perm.MEMBER_VIEW_PII)
        serializer = RevealRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shown = member_reveal(
            actor=request.user, member=member, reason=serializer.validated_data.get("reason", "")
        )
        return Response({"id": member.pk, **shown})
