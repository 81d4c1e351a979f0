"""``/api/v1/meetings/``: records of organizational life in the actor's subtree.

Reading needs ``Perm.MEMBER_VIEW`` (a record names members: the 系统管理员 reads none);
recording and deleting need ``Perm.LIFE_RECORD`` on the organization. Every rule is checked by
:mod:`dangjian.life.services`, whose Chinese messages are passed through per field.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers
from dangjian.api.filtersets import ComplianceFilter, HintFilter, MeetingFilter
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import DATE_ERRORS, AttachmentSerializerBase, TextField
from dangjian.api.views.base import (
    JSON_ONLY,
    AttachmentDetailView,
    AttachmentListView,
    CreateView,
    FilteredListView,
    ObjectDetailView,
    ScopedAPIView,
    attachment_list_schema,
    create_schema,
    detail_schema,
    download_responses,
    path_id,
    picked,
    query_schema,
    scoped_org,
    service_call,
    validated,
)
from dangjian.core.attachments import attachment_response
from dangjian.members.selectors import members_for
from dangjian.orgs.selectors import org_get

from .choices import AbsenceReason, LecturerRole, MeetingType
from .models import Meeting
from .selectors import RECORD_READ, meeting_get, meeting_list
from .services import (
    ATTACHMENTS_PER_MEETING,
    MINUTES_MAX,
    NOTE_MAX,
    TOPIC_MAX,
    AttendanceInput,
    MeetingInput,
    attachment_add,
    attachment_delete,
    meeting_delete,
    meeting_record,
    meeting_update,
    upper_committees,
)

_TYPE_ERRORS: dict[str, Any] = {
    "invalid_choice": f"会议类型“{{input}}”无效，应为：{'、'.join(MeetingType.values)}"
}
_REASON_ERRORS: dict[str, Any] = {
    "invalid_choice": f"缺席原因“{{input}}”无效，应为：{'、'.join(AbsenceReason.values)}"
}
MAX_ATTENDANCE = 2000


class AttendanceSerializer(serializers.Serializer):
    member = serializers.IntegerField(min_value=1, max_value=2**31 - 1, help_text="党员记录 id")
    present = serializers.BooleanField()
    reason = serializers.ChoiceField(
        choices=AbsenceReason.values,
        required=False,
        allow_blank=True,
        default="",
        error_messages=_REASON_ERRORS,
        help_text="缺席原因（缺席时）：因公、因病、请假（已批准）为正当理由",
    )
    note = TextField(
        max_length=NOTE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="缺席说明；请假（已批准）时必填请假事由",
    )


class MeetingSerializer(serializers.Serializer):
    """A record as listed."""

    id = serializers.IntegerField()
    org = TextField(source="org.code")
    org_name = TextField(source="org.name")
    meeting_type = TextField()
    also_counts_as = serializers.ListField(
        child=TextField(),
        source="also_types",
        help_text="同时计为的其他会议类型（每种类型各计 1 次）",
    )
    held_on = serializers.DateField()
    year = serializers.IntegerField(help_text="所属年度（年度要求计入的年份）")
    topic = TextField()
    expected = serializers.IntegerField(allow_null=True)
    present = serializers.IntegerField(allow_null=True)
    attendance_taken = serializers.BooleanField()
    entered_on = serializers.DateField()
    late = serializers.BooleanField(help_text="LIFE-LATE-ENTRY：超过规定天数后补录")
    lecturer = serializers.IntegerField(source="lecturer_id", allow_null=True)
    lecturer_role = TextField(help_text="党课讲课人：本组织书记、上级党委书记、其他")
    lecturer_org = TextField(
        source="lecturer_org.code", allow_null=True, default=None, help_text="讲课的上级党委编码"
    )


class MeetingDetailSerializer(MeetingSerializer):
    minutes = TextField()
    attendance = AttendanceSerializer(
        many=True, source="api_attendance", allow_null=True, help_text="需党员查看权限"
    )


class MeetingWriteSerializer(serializers.Serializer):
    org = TextField(max_length=32, help_text="党支部编码（党小组会为党小组编码）")
    meeting_type = serializers.ChoiceField(choices=MeetingType.values, error_messages=_TYPE_ERRORS)
    also_counts_as = serializers.ListField(
        # checked by the service (a second enum of the same choices would name the schema twice)
        child=TextField(max_length=8),
        required=False,
        max_length=len(MeetingType.values),
        help_text="同时计为的其他会议类型，如支部党员大会同时作为主题党日",
    )
    held_on = serializers.DateField(input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS)
    year = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1900,
        max_value=2100,
        help_text="所属年度；默认为会议日期所在年份，次年年初召开的年度会议可填上一年",
    )
    topic = TextField(max_length=TOPIC_MAX)
    minutes = TextField(max_length=MINUTES_MAX, required=False, allow_blank=True, default="")
    expected = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100000
    )
    present = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=100000
    )
    attendance = AttendanceSerializer(many=True, required=False, allow_null=True, default=None)
    lecturer = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1
    )
    lecturer_role = serializers.ChoiceField(
        choices=LecturerRole.values,
        required=False,
        allow_blank=True,
        error_messages={
            "invalid_choice": "讲课人“{input}”无效，应为：本组织书记、上级党委书记、其他"
        },
    )
    lecturer_org = TextField(
        max_length=32,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="讲课人为上级党委书记时：该党委的编码（须为本组织的上级党委）",
    )

    def validate_attendance(self, value: Any) -> Any:
        if value is not None and len(value) > MAX_ATTENDANCE:
            raise serializers.ValidationError(f"出席登记最多 {MAX_ATTENDANCE} 人")
        return value


def _attendance(rows: list[dict[str, Any]]) -> list[AttendanceInput]:
    return [
        AttendanceInput(a["member"], a["present"], a.get("reason") or "", a.get("note") or "")
        for a in rows
    ]


def _lecturer_org(org: Any, code: str | None) -> Any:
    """The upper committee named by ``code`` (only the organization's own 党委 are eligible)."""
    if not code:
        return None
    found = {c.code: c for c in upper_committees(org)}.get(code)
    if found is None:
        raise exceptions.ValidationError({"lecturer_org": [f"“{code}”不是本组织的上级党委"]})
    return found


def _with_attendance(actor: Actor, meeting: Meeting) -> Meeting:
    rows = None
    if meeting.attendance_taken and covers(actor, Perm.MEMBER_VIEW, meeting.org.path):
        rows = [
            {"member": a.member_id, "present": a.present, "reason": a.reason, "note": a.note}
            for a in meeting.attendance.order_by("member_id")
        ]
    meeting.api_attendance = rows  # type: ignore[attr-defined]
    return meeting


ID_PARAM = path_id("记录 id")


@extend_schema_view(
    get=extend_schema(responses=MeetingSerializer(many=True), summary="组织生活记录列表")
)
@create_schema("记录会议或活动", MeetingDetailSerializer)
class MeetingListView(FilteredListView, CreateView):
    """Records of the actor's subtree (``?org=CODE&subtree=1&type=…&year=…`` to narrow)."""

    read_perm = RECORD_READ
    write_perm = Perm.LIFE_RECORD
    serializer_class = MeetingSerializer
    write_serializer = MeetingWriteSerializer
    parser_classes = JSON_ONLY  # the body has lists and objects
    filterset_class = MeetingFilter
    queryset = Meeting.objects.none()

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        p = self.params()
        org = org_get(actor, p["org"]) if p["org"] else None
        return meeting_list(
            actor, org=org, subtree=p["subtree"], meeting_type=p["type"], year=p["year"]
        )

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        actor = request.user
        message = "组织不存在或不在您的管辖范围内"
        org = scoped_org(actor, Perm.LIFE_RECORD, v["org"], field="org", message=message)
        lecturer = None
        if v.get("lecturer"):
            lecturer = members_for(actor, Perm.MEMBER_VIEW).filter(pk=v["lecturer"]).first()
            if lecturer is None:
                raise exceptions.ValidationError({"lecturer": ["讲课人不存在或不在您的管辖范围内"]})
        attendance = None
        if v.get("attendance") is not None:
            attendance = _attendance(v["attendance"])
        data = MeetingInput(
            org=org,
            meeting_type=v["meeting_type"],
            also_counts_as=list(v.get("also_counts_as") or []),
            year=v.get("year"),
            **picked(v, "held_on", "topic"),
            minutes=v.get("minutes") or "",
            attendance=attendance,
            expected=v.get("expected"),
            present=v.get("present"),
            lecturer=lecturer,
            lecturer_role=v.get("lecturer_role") or "",
            lecturer_org=_lecturer_org(org, v.get("lecturer_org")),
        )
        meeting = service_call(meeting_record, actor=actor, data=data)
        meeting = meeting_get(actor, meeting.pk)
        body = MeetingDetailSerializer(_with_attendance(actor, meeting)).data
        return body


@detail_schema(ID_PARAM, "记录详情")
class MeetingDetailView(ObjectDetailView):
    """One record; 404 outside the actor's subtree."""

    read_perm = RECORD_READ
    write_perm = Perm.LIFE_RECORD
    serializer_class = MeetingDetailSerializer
    parser_classes = JSON_ONLY  # the body has lists and objects

    getter = meeting_get

    def present(self, request: SignedInApiRequest, obj: Meeting) -> Any:
        return MeetingDetailSerializer(_with_attendance(request.user, obj)).data

    @extend_schema(
        parameters=[ID_PARAM],
        request=MeetingWriteSerializer(partial=True),
        responses=MeetingDetailSerializer,
        summary="修改记录（记入审计；录入日期不变）",
    )
    def patch(self, request: SignedInApiRequest, pk: int) -> Response:
        actor = request.user
        meeting = meeting_get(actor, pk, perm=Perm.LIFE_RECORD)
        v = validated(MeetingWriteSerializer, request, partial=True)
        if "org" in v and v["org"] != meeting.org.code:
            raise exceptions.ValidationError({"org": ["记录所属组织不能修改，请删除后重新记录"]})
        if "lecturer" in v:
            raise exceptions.ValidationError({"lecturer": ["讲课人请删除后重新记录"]})
        attendance = None
        if v.get("attendance") is not None:
            attendance = _attendance(v["attendance"])
        data = MeetingInput(
            org=meeting.org,
            meeting_type=v.get("meeting_type", meeting.meeting_type),
            also_counts_as=list(v.get("also_counts_as", meeting.also_types) or []),
            # a record that counted for its date's year follows a changed date
            year=v.get("year", meeting.year if meeting.other_year else None),
            held_on=v.get("held_on", meeting.held_on),
            topic=v.get("topic", meeting.topic),
            minutes=v.get("minutes", meeting.minutes),
            attendance=attendance,
            expected=v.get("expected", meeting.expected),
            present=v.get("present", meeting.present),
            lecturer=meeting.lecturer,
            lecturer_role=v.get("lecturer_role", meeting.lecturer_role) or "",
            lecturer_org=(
                _lecturer_org(meeting.org, v.get("lecturer_org"))
                if "lecturer_org" in v
                else meeting.lecturer_org
            ),
        )
        meeting = service_call(meeting_update, actor=actor, meeting=meeting, data=data)
        meeting = meeting_get(actor, meeting.pk)
        return Response(MeetingDetailSerializer(_with_attendance(actor, meeting)).data)

    @extend_schema(parameters=[ID_PARAM], responses={204: None}, summary="删除记录（记入审计）")
    def delete(self, request: SignedInApiRequest, pk: int) -> Response:
        meeting = meeting_get(request.user, pk, perm=Perm.LIFE_RECORD)
        meeting_delete(actor=request.user, meeting=meeting)
        return Response(status=status.HTTP_204_NO_CONTENT)


@query_schema(ComplianceFilter, OpenApiTypes.OBJECT, "组织生活完成情况（按规则、周期、领域、地区）")
class ComplianceView(ScopedAPIView):
    """Completion of the LIFE frequency rules per period, sector and region (upper levels)."""

    read_perm = Perm.FINDING_VIEW
    serializer_class = None

    def get(self, request: SignedInApiRequest) -> Response:

        from .compliance import compliance_cached

        p = ComplianceFilter.parse(request.query_params)
        try:
            table = compliance_cached(
                request.user,
                year=p["year"] or timezone.localdate().year,
                org_code=p["org"] or None,
                sector=p["sector"] or None,
                region=p["region"] or None,
                org_type=p["type"] or None,
            )
        except ValueError as exc:
            # a year not yet begun has no completion to show (the schema cannot know the date)
            raise exceptions.NotFound(str(exc)) from exc
        return Response(
            {
                "year": table.year,
                "at": table.at,
                "organizations": table.result.checked_orgs,
                "rules": [
                    {
                        "rule": row.rule,
                        "title": row.title,
                        "frequency": row.frequency,
                        "periods": [
                            {
                                "period": c.label,
                                "checked": c.checked,
                                "met": c.met,
                                "missed": c.missed,
                                "running": c.running,
                            }
                            for c in row.cells
                        ],
                    }
                    for row in table.rows
                ],
                "by": {
                    kind: [
                        {
                            "name": g.name,
                            "label": g.label or g.name,
                            "rates": dict(
                                zip([r for r, _t in table.rule_titles], g.rates, strict=True)
                            ),
                            "checked": g.checked,
                            "met": g.met,
                        }
                        for g in groups
                    ]
                    for kind, groups in table.groups.items()
                },
            }
        )


@query_schema(HintFilter, OpenApiTypes.OBJECT, "形式主义线索（供人工核实）")
class HintListView(ScopedAPIView):
    """Formalism hints (near-duplicate minutes, month-end clustering, identical figures)."""

    read_perm = Perm.FINDING_VIEW
    serializer_class = None

    def get(self, request: SignedInApiRequest) -> Response:

        from .rules.hints import formalism_hints

        p = HintFilter.parse(request.query_params)
        found = formalism_hints(
            request.user, year=p["year"] or timezone.localdate().year, org_code=p["org"] or None
        )
        return self.page_of_dicts(found)


# --- attachments -------------------------------------------------------------------------------


class MeetingAttachmentSerializer(AttachmentSerializerBase):
    def get_url(self, item: Any) -> str:
        return f"/api/v1/meetings/{item.meeting_id}/attachments/{item.pk}/"


class MeetingAttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="JPEG、PNG 或 PDF，每个最大 5 MB；可重复多次上传多个文件"
    )


@attachment_list_schema(
    id_param=ID_PARAM,
    serializer=MeetingAttachmentSerializer,
    upload=MeetingAttachmentUploadSerializer,
    listed="记录的附件列表",
    uploaded="上传附件（记入审计）",
)
class MeetingAttachmentListView(AttachmentListView):
    """Photos or scans of the signed paper minutes of one record.

    Listing and downloading need member access to the branch (the minutes name people), like
    the web page; uploading needs the right to record meetings there. All files of one upload
    are written or none; every file added is audited with its SHA-256.
    """

    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.LIFE_RECORD
    serializer_class = MeetingAttachmentSerializer
    max_count = ATTACHMENTS_PER_MEETING
    per = "每条记录"

    def owner(self, request: SignedInApiRequest, pk: int, perm: Perm) -> Meeting:
        return meeting_get(request.user, pk, perm=perm)

    def adder(self, request: SignedInApiRequest, owner: Meeting) -> Any:
        return lambda name, data: attachment_add(
            actor=request.user, meeting=owner, name=name, data=data
        )


@extend_schema_view(
    delete=extend_schema(
        parameters=[ID_PARAM], responses={204: None}, summary="删除附件（记入审计）"
    )
)
class MeetingAttachmentDetailView(AttachmentDetailView):
    """One attachment: GET downloads it, DELETE removes it (audited)."""

    read_perm = Perm.MEMBER_VIEW
    write_perm = Perm.LIFE_RECORD
    remover = attachment_delete

    def item(self, request: SignedInApiRequest, pk: int, attachment_id: int, perm: Perm) -> Any:
        from .models import MeetingAttachment

        meeting = meeting_get(request.user, pk, perm=perm)
        item = MeetingAttachment.objects.filter(meeting=meeting, pk=attachment_id).first()
        if item is None:
            raise Http404("附件不存在或不在您的管辖范围内")
        return item

    @extend_schema(
        parameters=[ID_PARAM],
        responses=download_responses(),
        summary="下载附件",
    )
    def get(self, request: SignedInApiRequest, pk: int, attachment_id: int) -> HttpResponse:
        item = self.item(request, pk, attachment_id, self.read_perm)
        return attachment_response(item, digest=True)
