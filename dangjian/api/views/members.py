"""``/api/v1/members/``: member records of the actor's subtree, masked; audited reveal."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor
from dangjian.api.filtersets import MemberFilter
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import (
    DATE_ERRORS,
    MemberSerializer,
    MemberWriteSerializer,
    RevealRequestSerializer,
    RevealResponseSerializer,
    TextField,
)
from dangjian.api.views.base import (
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
from dangjian.members.choices import StatusKind
from dangjian.members.models import Member, MemberStatus
from dangjian.members.selectors import member_get, member_list, standing_on, statuses_of
from dangjian.members.services import (
    MemberInput,
    StatusInput,
    member_create,
    member_reveal,
    member_status_record,
    member_update,
    residence_community,
)
from dangjian.orgs.models import Organization
from dangjian.orgs.selectors import org_get

ID_PARAM = path_id("党员记录 id")
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


def _branch(actor: Actor, code: str) -> Organization:
    message = f"所在党组织“{code}”不存在或不在您的管辖范围内"
    return scoped_org(actor, Perm.MEMBER_CHANGE, code, field="org", message=message)


def _community(
    actor: Actor, code: str | None, current: Organization | None = None
) -> Organization | None:
    """Scoped: an unknown code and one outside the actor's scope get the same answer."""
    try:
        return residence_community(actor, code, current=current)
    except DjangoValidationError as exc:
        raise exceptions.ValidationError({"residence_community": exc.messages}) from exc


def _present(member: Member) -> dict[str, Any]:
    member = Member.objects.select_related("org", "residence_community").get(pk=member.pk)
    return dict(MemberSerializer(member).data)


@extend_schema_view(
    get=extend_schema(responses=MemberSerializer(many=True), summary="党员列表（脱敏）")
)
@create_schema("新增党员")
class MemberListView(FilteredListView, CreateView):
    """Members of the actor's subtree (``?org=CODE&subtree=1`` to narrow), masked."""

    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.MEMBER_CHANGE
    serializer_class = MemberSerializer
    write_serializer = MemberWriteSerializer
    filterset_class = MemberFilter
    queryset = Member.objects.none()

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        params = self.params()
        org = org_get(actor, params["org"], perm=Perm.MEMBER_VIEW) if params["org"] else None
        qs = member_list(actor, org=org, subtree=params["subtree"])
        return qs.select_related("residence_community")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        data = MemberInput(
            **picked(v, "name", "id_number", "member_type", "joined_on"),
            org=_branch(request.user, v["org"]),
            confirmed_on=v.get("confirmed_on"),
            gender=v.get("gender") or "",
            birth_date=v.get("birth_date"),
            ethnicity=v.get("ethnicity") or "",
            education=v.get("education") or "",
            category=v.get("category") or "",
            post=v.get("post") or "",
            phone=v.get("phone") or "",
            residence_community=_community(request.user, v.get("residence_community")),
        )
        member = service_call(member_create, actor=request.user, data=data)
        return _present(member)


@detail_schema(ID_PARAM, "党员详情（脱敏）")
class MemberDetailView(ObjectDetailView):
    """One member record, masked; 404 outside the actor's subtree."""

    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.MEMBER_CHANGE
    serializer_class = MemberSerializer

    getter = member_get

    @extend_schema(
        parameters=[ID_PARAM],
        request=MemberWriteSerializer(partial=True),
        responses=MemberSerializer,
        summary="修改党员信息",
    )
    def patch(self, request: SignedInApiRequest, pk: int) -> Response:
        member = member_get(request.user, pk, perm=Perm.MEMBER_CHANGE)
        v = validated(MemberWriteSerializer, request, partial=True)
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
            data.residence_community = _community(
                request.user, v["residence_community"], member.residence_community
            )
        member = service_call(member_update, actor=request.user, member=member, data=data)
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
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        member = member_get(request.user, pk, perm=Perm.MEMBER_VIEW_PII)
        serializer = RevealRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shown = member_reveal(
            actor=request.user, member=member, reason=serializer.validated_data.get("reason", "")
        )
        return Response({"id": member.pk, **shown})


# --- standings (党员状态) ------------------------------------------------------------------


_KINDS = "、".join(StatusKind.values)


def _status_date(**kwargs: Any) -> serializers.DateField:
    return serializers.DateField(input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS, **kwargs)


class StatusSerializer(serializers.Serializer):
    """A standing decided by a party body, with its dates."""

    id = serializers.IntegerField()
    kind = TextField(help_text="留党察看、停止党籍、开除党籍、除名、劝退、自行脱党或死亡")
    started_on = serializers.DateField()
    ends_on = serializers.DateField(allow_null=True, help_text="在此日前有效；空：未终止")
    decided_by = TextField(help_text="决定机关")
    decision_no = TextField(help_text="决定文号")
    reason = TextField(help_text="事由")


class StatusWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=StatusKind.values,
        error_messages={
            "invalid_choice": f"状态“{{input}}”无效，应为：{'、'.join(StatusKind.values)}"
        },
    )
    started_on = _status_date()
    ends_on = _status_date(required=False, allow_null=True)
    decided_by = TextField(max_length=100)
    decision_no = TextField(max_length=100, required=False, allow_blank=True)
    reason = TextField(max_length=500, required=False, allow_blank=True)


class StandingSerializer(serializers.Serializer):
    """The member's standing on a day and what follows from it."""

    on = serializers.DateField(help_text="日期")
    member_type = TextField(allow_null=True, help_text="该日的党员类型")
    status = TextField(allow_null=True, help_text="该日有效的党员状态")
    on_roll = serializers.BooleanField(help_text="该日是否为党员（未出党、未去世）")
    votes = serializers.BooleanField(help_text="该日是否有表决权、选举权和被选举权")


class StatusListResponseSerializer(serializers.Serializer):
    standing = StandingSerializer()
    results = StatusSerializer(many=True)


def _standing(member: Member, day: Any) -> dict[str, Any]:
    found = standing_on(member, day)
    return {
        "on": day,
        "member_type": found.member_type,
        "status": found.status,
        "on_roll": found.on_roll,
        "votes": found.votes,
    }


class MemberStatusListView(ScopedAPIView):
    """The standings of one member (留党察看, 停止党籍, 出党, 死亡 …), latest first, with his
    standing today; POST records one (audited)."""

    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.MEMBER_CHANGE
    serializer_class = StatusSerializer
    pagination_class = None  # type: ignore[assignment]  # a member has a handful of standings

    @extend_schema(
        parameters=[ID_PARAM], responses=StatusListResponseSerializer, summary="党员状态列表"
    )
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        member = member_get(request.user, pk)
        return Response(
            {
                "standing": StandingSerializer(_standing(member, timezone.localdate())).data,
                "results": StatusSerializer(statuses_of(member), many=True).data,
            }
        )

    @extend_schema(
        parameters=[ID_PARAM],
        request=StatusWriteSerializer,
        responses={201: StatusSerializer},
        summary="登记党员状态（留党察看、停止党籍、出党、死亡等）",
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        member = member_get(request.user, pk, perm=Perm.MEMBER_CHANGE)
        v = validated(StatusWriteSerializer, request)
        data = StatusInput(
            **picked(v, "kind", "started_on"),
            ends_on=v.get("ends_on"),
            decided_by=v["decided_by"],
            decision_no=v.get("decision_no") or "",
            reason=v.get("reason") or "",
        )
        item: MemberStatus = service_call(
            member_status_record,
            actor=request.user,
            member=member,
            data=data,
            today=timezone.localdate(),
        )
        return Response(StatusSerializer(item).data, status=status.HTTP_201_CREATED)
