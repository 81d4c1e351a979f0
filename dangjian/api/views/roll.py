"""``/api/v1/members/{id}/timeline/`` and ``/api/v1/orgs/{code}/roll/``: the history of a member
(roll events, decided statuses, posts in date order) and the roll of an organization on a day
(:mod:`dangjian.members.history`). Read only, in the actor's subtree."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.api.filtersets import DATE_SCHEMA
from dangjian.api.requests import SignedInApiRequest
from dangjian.api.serializers import DATE_ERRORS, TextField
from dangjian.api.views.base import ObjectDetailView, ScopedAPIView, detail_schema, path_id
from dangjian.api.views.orgs import CODE_PARAM
from dangjian.members.history import roll_on, timeline
from dangjian.members.models import Member
from dangjian.members.selectors import member_get, standings_on
from dangjian.orgs.selectors import org_get

ID_PARAM = path_id("党员记录 id")


class TimelineItemSerializer(serializers.Serializer):
    on = serializers.DateField(help_text="日期")
    kind = serializers.ChoiceField(
        choices=["roll", "status", "post"],
        help_text="roll：名册变动（编入、转入、转出、转正、出党、死亡等）；status：党员状态；post：任职",
    )
    title = TextField(help_text="变动、状态或职务（中文）")
    org = TextField(help_text="党组织名称（党员状态：决定机关）")
    detail = TextField(allow_blank=True, help_text="事由、文号或选举决定")
    until = serializers.DateField(
        allow_null=True, help_text="名册：离开该组织名册之日；状态：终止日期；任职：离任日期"
    )


class TimelineResponseSerializer(serializers.Serializer):
    member = serializers.IntegerField(help_text="党员记录 id")
    name = TextField(help_text="姓名")
    results = TimelineItemSerializer(many=True)


@detail_schema(ID_PARAM, "党员档案时间线", TimelineResponseSerializer)
class MemberTimelineView(ObjectDetailView):
    """党员档案时间线: a member's roll events, statuses and posts, oldest first."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = TimelineItemSerializer
    pagination_class = None  # type: ignore[assignment]  # a life has a few dozen entries

    getter = member_get

    def present(self, request: SignedInApiRequest, obj: Member) -> Any:
        return {
            "member": obj.pk,
            "name": obj.name,
            "results": TimelineItemSerializer(timeline(obj), many=True).data,
        }


class RollQuerySerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False, error_messages=DATE_ERRORS, help_text="日期（YYYY-MM-DD），默认今天"
    )


class RollMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="党员记录 id")
    name = TextField(help_text="姓名")
    member_type = TextField(help_text="该日的党员类型")
    status = TextField(allow_null=True, help_text="该日有效的党员状态（留党察看、停止党籍）")


class RollResponseSerializer(serializers.Serializer):
    org = TextField(help_text="组织编码")
    on = serializers.DateField(help_text="日期")
    count = serializers.IntegerField(help_text="当日名册人数")
    results = RollMemberSerializer(many=True)


class OrgRollView(ScopedAPIView):
    """The members on the roll of an organization on a day: one indexed query (a transfer on
    that day counts on the new roll only; an 出党 or a death from that day is off it)."""

    read_perm = Perm.MEMBER_VIEW
    serializer_class = RollMemberSerializer
    pagination_class = None  # type: ignore[assignment]  # one branch's roll

    @extend_schema(
        parameters=[
            CODE_PARAM,
            # empty: not given (today), as the other date parameters
            OpenApiParameter(
                "on",
                DATE_SCHEMA,
                OpenApiParameter.QUERY,
                description="日期（YYYY-MM-DD），默认今天",
            ),
        ],
        responses=RollResponseSerializer,
        summary="某日的党员名册",
    )
    def get(self, request: SignedInApiRequest, code: str) -> Response:
        query = RollQuerySerializer(data=request.query_params)
        if not query.is_valid():
            raise exceptions.ValidationError(query.errors)
        org = org_get(request.user, code, perm=Perm.MEMBER_VIEW)
        day = query.validated_data.get("on") or timezone.localdate()
        members = list(roll_on(org, day).order_by("name", "pk"))
        standings = standings_on(members, day)
        rows = [
            {
                "id": m.pk,
                "name": m.name,
                "member_type": standings[m.pk].member_type or "",
                "status": standings[m.pk].status,
            }
            for m in members
        ]
        return Response(
            {
                "org": org.code,
                "on": day,
                "count": len(rows),
                "results": RollMemberSerializer(rows, many=True).data,
            }
        )
