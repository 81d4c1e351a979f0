"""``/api/v1/training/…``: 党员教育培训 through the selectors and services of
:mod:`dangjian.training`.

- ``figures/``: the figures of an organization's subtree for a year (organizations only:
  share of members who reached their yearly hours, by the organizations under it, branch,
  sector and region). ``Perm.TRAINING_VIEW``.
- ``members/``: the hours of the members of a branch, for the branch's own users only (never an
  upper level: 403), in the order of names.
- ``courses/``: courses (list, enter one with its participants), a course (read with the
  participants the user may see, delete), ``courses/<id>/participants/`` (add members by id or
  a whole branch). Writing needs ``Perm.TRAINING_MANAGE`` over the organizer; a service's
  refusal is a 400 with its Chinese messages, nothing written.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.api import filters
from dangjian.api.filtersets import (
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
    ObjectDetailView,
    ScopedAPIView,
    create_schema,
    detail_schema,
    path_id,
    picked,
    query_schema,
    scoped_org,
    service_call,
    validated,
)
from dangjian.orgs.models import Organization
from dangjian.training.figures import branch_member_hours, subtree_figures
from dangjian.training.models import Course
from dangjian.training.selectors import (
    course_get,
    courses_for,
    figure_org,
    home_org,
    may_manage,
    may_see_member_hours,
    participants_of,
)
from dangjian.training.services import (
    BATCH_MAX,
    CourseInput,
    course_create,
    course_delete,
    participants_add,
    participants_add_branch,
)

ID = path_id("培训班编号")


class FiguresFilter(ParamFilterSet):
    org = org_param("组织编码：该组织及其下级（默认：本人所在组织）")
    year = YearFilter(filters.year_value, by_view=True, label="年度，默认今年")


class CourseFilter(ParamFilterSet):
    org = org_param("组织编码：该组织及其下级举办的培训班")
    year = YearFilter(filters.year_value, by_view=True, label="结束日期所在年度")


class TallySerializer(serializers.Serializer):
    code = TextField(help_text="组织编码（按组织分组时），否则为空")
    name = TextField(source="label", help_text="组织、领域或行政区划名称")
    members = serializers.IntegerField(help_text="党员人数（每人只计一次）")
    met = serializers.IntegerField(help_text="达到规定学时的党员人数")
    share = serializers.FloatField(allow_null=True, help_text="达标比例 0–1；没有党员时为空")
    leaders = serializers.IntegerField(help_text="书记和班子成员人数")
    leaders_met = serializers.IntegerField(help_text="其中达到规定学时的人数")


class FiguresSerializer(serializers.Serializer):
    org = TextField(source="org.code", help_text="组织编码")
    org_name = TextField(source="org.name")
    year = serializers.IntegerField()
    day = serializers.DateField(help_text="统计所用党员名册的日期")
    member_hours = serializers.DecimalField(
        source="requirement.member_hours", max_digits=6, decimal_places=1
    )
    leader_hours = serializers.DecimalField(
        source="requirement.leader_hours", max_digits=6, decimal_places=1
    )
    basis = TextField(source="requirement.source", help_text="依据")
    total = TallySerializer(help_text="合计")
    children = TallySerializer(many=True, help_text="各直接下级组织")
    branches = TallySerializer(many=True, help_text="各党支部")
    sectors = TallySerializer(many=True, help_text="各领域")
    regions = TallySerializer(many=True, help_text="各行政区划（6 位代码）")
    unrecorded = serializers.IntegerField(help_text="未登记出席情况的计学时会议次数")


class MemberHoursSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="member.pk", help_text="党员编号")
    name = TextField(source="member.name", help_text="姓名")
    post = TextField(source="member.post", help_text="党内职务")
    meeting_hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    course_hours = serializers.DecimalField(max_digits=7, decimal_places=1)
    total = serializers.DecimalField(max_digits=7, decimal_places=1)
    required_hours = serializers.DecimalField(
        source="required", max_digits=7, decimal_places=1, help_text="应有学时"
    )
    met = serializers.BooleanField(help_text="已达到规定学时")


class CourseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organizer = TextField(source="organizer.code", help_text="举办组织编码")
    organizer_name = TextField(source="organizer.name")
    title = TextField(help_text="培训班名称")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField(help_text="结束日期（学时计入其所在年度）")
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, help_text="学时")
    note = TextField()
    participants = serializers.IntegerField(source="n_participants", help_text="参训人数")


class ParticipantSerializer(serializers.Serializer):
    member = serializers.IntegerField(source="pk", help_text="党员编号")
    name = TextField(help_text="姓名")
    org = TextField(source="org.code", help_text="所在党组织编码")
    org_name = TextField(source="org.name")


class CourseDetailSerializer(CourseSerializer):
    members = serializers.SerializerMethodField(help_text="本人可见的参训党员")

    @extend_schema_field(ParticipantSerializer(many=True))
    def get_members(self, course: Course) -> Any:
        actor = self.context["actor"]
        return ParticipantSerializer(participants_of(actor, course), many=True).data


class CourseWriteSerializer(serializers.Serializer):
    organizer = TextField(max_length=32, help_text="举办组织编码")
    title = TextField(max_length=200, help_text="培训班名称")
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    hours = serializers.DecimalField(
        max_digits=7, decimal_places=3, help_text="学时：大于 0，最多 1 位小数，不超过 999.9"
    )
    note = TextField(max_length=500, required=False, default="", allow_blank=True)
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=BATCH_MAX,
        help_text="参训党员编号（举办组织及其下级的党员）",
    )


class ParticipantsAddSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=BATCH_MAX,
        help_text="要添加的党员编号",
    )
    branch = TextField(
        max_length=32,
        required=False,
        default="",
        allow_blank=True,
        help_text="整体添加：该组织及其下级名册上的全部党员（与 members 二选一）",
    )


class ParticipantsAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField(help_text="新添加的人数")
    course = CourseDetailSerializer()


def _figure_params(request: SignedInApiRequest) -> tuple[Organization, int]:
    params = FiguresFilter.parse(request.query_params)
    code = params["org"]
    org = figure_org(request.user, code) if code else home_org(request.user)
    if org is None:
        raise exceptions.NotFound("没有可查看的组织")
    return org, params["year"] or timezone.localdate().year


@query_schema(FiguresFilter, FiguresSerializer, "党员教育培训统计（组织层面）")
class FiguresView(ScopedAPIView):
    """The figures of an organization's subtree for a year (organizations only, no persons)."""

    read_perm = Perm.TRAINING_VIEW
    serializer_class = FiguresSerializer
    pagination_class = None

    def get(self, request: SignedInApiRequest) -> Response:
        org, year = _figure_params(request)
        return Response(FiguresSerializer(subtree_figures(org, year, timezone.localdate())).data)


@query_schema(FiguresFilter, MemberHoursSerializer(many=True), "本支部党员学时（仅本支部）")
class MemberHoursView(ScopedAPIView):
    """The hours of the members of the user's own branch (only the branch's own users)."""

    read_perm = Perm.TRAINING_VIEW
    serializer_class = MemberHoursSerializer
    pagination_class = None

    def get(self, request: SignedInApiRequest) -> Response:
        org, year = _figure_params(request)
        if not may_see_member_hours(request.user, org):
            raise exceptions.PermissionDenied(
                "党员个人学时只向本支部显示，上级组织只看组织层面的统计"
            )
        rows = branch_member_hours(org, year, timezone.localdate())
        return Response(MemberHoursSerializer(rows, many=True).data)


def _detail(request: Any, course: Course) -> Any:
    fresh = course_get(request.user, course.pk)
    return CourseDetailSerializer(fresh, context={"actor": request.user}).data


@extend_schema_view(get=extend_schema(responses=CourseSerializer(many=True), summary="培训班列表"))
@create_schema("登记培训班（含参训党员）", CourseDetailSerializer)
class CourseListView(FilteredListView, CreateView):
    """Courses organized in the user's subtree, or with a participant from it."""

    read_perm = Perm.TRAINING_VIEW
    write_perm = Perm.TRAINING_MANAGE
    serializer_class = CourseSerializer
    write_serializer = CourseWriteSerializer
    filterset_class = CourseFilter
    queryset = Course.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        qs = courses_for(actor)
        params = self.params()
        if params["org"]:
            org = figure_org(actor, params["org"])
            qs = qs.filter(organizer__path__startswith=org.path)
        if params["year"]:
            qs = qs.filter(ends_on__year=params["year"])
        return qs.order_by("-starts_on", "-pk")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        organizer = scoped_org(
            request.user, Perm.TRAINING_MANAGE, v["organizer"], field="organizer"
        )
        course = service_call(
            course_create,
            actor=request.user,
            data=CourseInput(
                organizer=organizer,
                **picked(v, "title", "starts_on", "ends_on", "hours", "note"),
            ),
            member_ids=v["members"],
        )
        return _detail(request, course)


@detail_schema(ID, "培训班详情")
class CourseDetailView(ObjectDetailView):
    """One course with the participants the user may see; DELETE removes it (and its
    participants' hours with it)."""

    read_perm = Perm.TRAINING_VIEW
    write_perm = Perm.TRAINING_MANAGE
    serializer_class = CourseDetailSerializer

    getter = course_get

    def present(self, request: SignedInApiRequest, obj: Course) -> Any:
        return _detail(request, obj)

    @extend_schema(parameters=[ID], responses={204: None}, summary="删除培训班")
    def delete(self, request: SignedInApiRequest, pk: int) -> Response:
        course = course_get(request.user, pk, perm=Perm.TRAINING_MANAGE)
        if not may_manage(request.user, course):
            raise exceptions.NotFound("培训班不存在或不在您的管辖范围内")
        service_call(course_delete, actor=request.user, course=course)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ParticipantsView(ScopedAPIView):
    """Add participants to a course: members by id, or a whole branch (all or nothing)."""

    read_perm = Perm.TRAINING_MANAGE
    write_perm = Perm.TRAINING_MANAGE
    serializer_class = ParticipantsAddedSerializer
    parser_classes = JSON_ONLY

    @extend_schema(
        parameters=[ID],
        request=ParticipantsAddSerializer,
        responses={200: ParticipantsAddedSerializer},
        summary="添加参训党员",
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        course = course_get(request.user, pk, perm=Perm.TRAINING_MANAGE)
        if not may_manage(request.user, course):
            raise exceptions.NotFound("培训班不存在或不在您的管辖范围内")
        v = validated(ParticipantsAddSerializer, request)
        if bool(v["members"]) == bool(v["branch"]):
            raise exceptions.ValidationError(
                {"non_field_errors": ["请填写 members（党员编号）或 branch（组织编码）其中一项"]}
            )
        if v["branch"]:
            branch = Organization.objects.filter(code=v["branch"]).first()
            if branch is None:
                raise exceptions.ValidationError({"branch": [f"没有组织“{v['branch']}”"]})
            added = service_call(
                participants_add_branch, actor=request.user, course=course, branch=branch
            )
        else:
            added = service_call(
                participants_add, actor=request.user, course=course, member_ids=v["members"]
            )
        return Response({"added": added, "course": _detail(request, course)})
