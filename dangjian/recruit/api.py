"""``/api/v1/recruitment/cases/``: recruitment cases (发展党员) in the actor's subtree.

- ``GET cases/`` (``Perm.RECRUIT_VIEW``): list, ``?org=CODE`` (that branch or committee and its
  subtree), ``?status=open|admitted|…``; ``POST cases/`` (``Perm.RECRUIT_RECORD`` on the branch):
  open a case with the application date (step 1).
- ``GET cases/<id>/``: one case with its steps nested, notices, activist reviews, the timeline
  (stage, next steps, deadlines) and the checker's findings. ID and phone numbers are masked.
- ``GET cases/<id>/steps/``; ``POST cases/<id>/steps/``: record (or correct) a step. Steps 4, 8,
  13, 16, 17, 18, 24 need ``Perm.RECRUIT_APPROVE``; 13, 17 and 24 carry a ``decision``.
  The response carries ``warnings`` (Chinese): e.g. the entered 应到 of a vote differs from the
  members with voting rights on the roll that day, or the step is dated before a step it depends
  on (RECRUIT-ORDER).
- ``POST cases/<id>/extensions/`` (``Perm.RECRUIT_APPROVE``): the approved extension of the
  approval period of step 17 or 24 (special cases, at most 6 months in all from the vote), with
  ``months``, ``approved_on``, ``approved_by`` and ``reason``; audited.
- ``GET cases/<id>/attachments/`` (``Perm.RECRUIT_VIEW``): the documents of the case;
  ``POST`` (multipart ``file``, repeatable, optional ``step`` 1–25; ``Perm.RECRUIT_RECORD``):
  upload, all files or none; ``GET cases/<id>/attachments/<aid>/`` downloads (also needs
  ``Perm.MEMBER_VIEW_PII`` on the branch) and ``DELETE`` removes one. All audited.

Every rule is checked by :mod:`dangjian.recruit.services`, whose Chinese messages are passed
through per field; a case outside the subtree is 404, a step the actor may not record is 403.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import require
from dangjian.api.filtersets import CaseFilter
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
    scoped_org,
    service_call,
    validated,
)
from dangjian.core.attachments import attachment_response
from dangjian.members.choices import Category
from dangjian.members.selectors import members_for
from dangjian.orgs.selectors import orgs_for

from .adapter import current_steps, prefetched
from .case import STEPS
from .models import Decision, PriorityGroup, RecruitAttachment, RecruitCase
from .selectors import (
    attachment_get,
    case_findings,
    case_get,
    case_timeline,
    cases_for,
    stage_of,
)
from .services import (
    ATTACHMENTS_PER_CASE,
    VOTE_STEPS,
    CaseInput,
    StepInput,
    VoteInput,
    approval_extend,
    attachment_add,
    attachment_delete,
    attachment_read,
    open_case,
    record_step,
    vote_roll_warning,
)

ID_PARAM = path_id("案例 id")
MAX_PEOPLE = 10


def _stage(case: RecruitCase) -> str:
    today = timezone.localdate()
    done = {n: s.done_on for n, s in current_steps(case).items() if s.done_on <= today}
    return stage_of(case, done)


class CaseSerializer(serializers.Serializer):
    """A case as listed (masked numbers only)."""

    id = serializers.IntegerField()
    case_no = TextField()
    org = TextField(source="org.code")
    org_name = TextField(source="org.name")
    name = TextField()
    gender = TextField()
    id_number = TextField(source="id_number_masked", help_text="脱敏")
    category = TextField()
    priority_group = TextField()
    status = TextField()
    status_label = TextField(source="get_status_display")
    stage = serializers.SerializerMethodField(help_text="入党申请人、积极分子、发展对象……")
    approver = TextField(source="approver.code", allow_null=True, default=None)
    created_at = serializers.DateTimeField()

    def get_stage(self, case: RecruitCase) -> str:
        return _stage(case)


class StepSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    round = serializers.IntegerField()
    done_on = serializers.DateField()
    note = TextField()
    details = serializers.JSONField()
    late = serializers.BooleanField(help_text="超过规定天数后补录（仍予记录）")
    recorded_at = serializers.DateTimeField()

    def get_name(self, step: Any) -> str:
        return STEPS[step.number]


class NoticeSerializer(serializers.Serializer):
    kind = TextField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()


class ReviewSerializer(serializers.Serializer):
    reviewed_on = serializers.DateField()
    note = TextField()


class ExtensionSerializer(serializers.Serializer):
    step = serializers.IntegerField(help_text="17（接收预备党员）或 24（转正）")
    round = serializers.IntegerField()
    months = serializers.IntegerField(help_text="延长后的审批期限（自支部大会讨论之日起，月）")
    approved_on = serializers.DateField()
    approved_by = TextField()
    reason = TextField()


class CaseDetailSerializer(CaseSerializer):
    birth_date = serializers.DateField()
    phone = TextField(source="phone_masked", help_text="脱敏")
    expected_leaving_on = serializers.DateField(allow_null=True)
    political_review = TextField(help_text="none / pass / fail（不保存审查内容）")
    political_review_on = serializers.DateField(allow_null=True)
    political_review_body = TextField()
    training_hours = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    probation_extension_months = serializers.IntegerField()
    ended_on = serializers.DateField(allow_null=True, help_text="未接收或终止的日期")
    numbers_purged_at = serializers.DateTimeField(
        allow_null=True, help_text="按保存期限删除身份证号和手机号的时间"
    )
    member = serializers.IntegerField(source="member_id", allow_null=True)
    steps = StepSerializer(many=True, source="steps.all")
    extensions = ExtensionSerializer(many=True, source="extensions.all")
    notices = NoticeSerializer(many=True, source="notices.all")
    reviews = ReviewSerializer(many=True, source="reviews.all")
    timeline = serializers.SerializerMethodField()
    findings = serializers.SerializerMethodField()

    def get_timeline(self, case: RecruitCase) -> dict[str, Any]:
        t = case_timeline(case)
        return {
            "stage": t.stage,
            "stage_label": t.stage_label,
            "since": t.since,
            "summary": t.summary,
            "probation_ends": t.probation_ends,
            "next_steps": [
                {
                    "number": n.number,
                    "name": n.name,
                    "earliest": n.earliest,
                    "deadline": n.deadline,
                    "overdue": n.overdue,
                    "text": n.text,
                }
                for n in t.next_steps
            ],
        }

    def get_findings(self, case: RecruitCase) -> dict[str, Any]:
        report = case_findings(case)
        missing = report.not_checked.get(case.case_no, [])
        return {
            "items": [f.as_dict() for f in report.findings],
            "not_checked": missing,
            "not_checked_reasons": {r: report.reason(case.case_no, r) for r in missing},
        }


class CaseWriteSerializer(serializers.Serializer):
    org = TextField(max_length=32, help_text="党支部编码")
    name = TextField(max_length=50)
    id_number = TextField(max_length=18)
    applied_on = serializers.DateField(input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS)
    phone = TextField(max_length=20, required=False, allow_blank=True, default="")
    category = serializers.ChoiceField(
        choices=Category.values, required=False, allow_blank=True, default=""
    )
    priority_group = serializers.ChoiceField(
        choices=PriorityGroup.values,
        required=False,
        default=PriorityGroup.OTHER,
        error_messages={
            "invalid_choice": f"重点群体“{{input}}”无效，应为：{'、'.join(PriorityGroup.values)}"
        },
    )
    expected_leaving_on = serializers.DateField(
        input_formats=["%Y-%m-%d"], required=False, allow_null=True, error_messages=DATE_ERRORS
    )
    note = TextField(max_length=2000, required=False, allow_blank=True, default="")


class VoteWriteSerializer(serializers.Serializer):
    entitled = serializers.IntegerField(min_value=0, max_value=100000)
    present = serializers.IntegerField(min_value=0, max_value=100000)
    yes = serializers.IntegerField(min_value=0, max_value=100000, help_text="含书面表决赞成")
    written_opinions = serializers.IntegerField(
        min_value=0, max_value=100000, required=False, default=0
    )


class StepWriteSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=25)
    done_on = serializers.DateField(input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS)
    note = TextField(max_length=2000, required=False, allow_blank=True, default="")
    talker = TextField(max_length=50, required=False, allow_blank=True, default="")
    contacts = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=MAX_PEOPLE,
        help_text="培养联系人（党员 id，/api/v1/members/ 中的 id）",
    )
    introducers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1),
        required=False,
        default=list,
        max_length=MAX_PEOPLE,
        help_text="入党介绍人（党员 id，/api/v1/members/ 中的 id）",
    )
    vote = VoteWriteSerializer(required=False, allow_null=True, default=None)
    decision = serializers.ChoiceField(
        choices=Decision.values, required=False, allow_blank=True, default=""
    )
    extension_months = serializers.IntegerField(
        min_value=1, max_value=24, required=False, allow_null=True, default=None
    )


@extend_schema_view(
    get=extend_schema(responses=CaseSerializer(many=True), summary="发展党员案例列表")
)
@create_schema("新建发展党员案例（记录递交入党申请书）", CaseDetailSerializer)
class CaseListView(FilteredListView, CreateView):
    """Cases of the actor's subtree, newest first."""

    read_perm = Perm.RECRUIT_VIEW
    write_perm = Perm.RECRUIT_RECORD
    serializer_class = CaseSerializer
    write_serializer = CaseWriteSerializer
    filterset_class = CaseFilter
    queryset = RecruitCase.objects.none()

    def get_queryset(self) -> Any:
        actor = signed_in(self.request)
        qs = cases_for(actor)
        code = self.params()["org"]
        if code:
            org = orgs_for(actor, Perm.RECRUIT_VIEW).filter(code=code).first()
            if org is None:
                raise exceptions.NotFound(f"组织编码 {code} 不存在或不在您的管辖范围内")
            qs = qs.filter(org__path__startswith=org.path)
        return prefetched(qs).order_by("-pk")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        actor = request.user
        message = f"组织编码 {v['org']} 不存在或不在您的管辖范围内"
        org = scoped_org(actor, Perm.RECRUIT_RECORD, v["org"], field="org", message=message)
        data = CaseInput(
            org=org,
            **picked(v, "name", "id_number", "applied_on"),
            phone=v.get("phone") or "",
            category=v.get("category") or "",
            priority_group=v.get("priority_group") or PriorityGroup.OTHER,
            expected_leaving_on=v.get("expected_leaving_on"),
            note=v.get("note") or "",
        )
        case = service_call(open_case, actor=actor, data=data)
        body = CaseDetailSerializer(case_get(actor, case.pk)).data
        return body


@detail_schema(ID_PARAM, "案例详情")
class CaseDetailView(ObjectDetailView):
    """One case with its steps; 404 outside the actor's subtree."""

    read_perm = Perm.RECRUIT_VIEW
    serializer_class = CaseDetailSerializer

    getter = case_get


class StepListView(ScopedAPIView):
    """The steps of one case; POST records (or corrects) one step."""

    read_perm = Perm.RECRUIT_VIEW
    write_perm = Perm.RECRUIT_RECORD
    serializer_class = StepSerializer
    parser_classes = JSON_ONLY  # the body has lists and objects
    pagination_class = None  # a short list of one object's parts, answered whole

    @extend_schema(
        parameters=[ID_PARAM], responses=StepSerializer(many=True), summary="案例的发展步骤"
    )
    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        case = case_get(request.user, pk)
        return Response(StepSerializer(case.steps.all(), many=True).data)

    @extend_schema(
        parameters=[ID_PARAM],
        request=StepWriteSerializer,
        responses={201: CaseDetailSerializer},
        summary="记录发展步骤（上级党委的步骤需审批权限）",
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        actor = request.user
        case = case_get(actor, pk)
        v = validated(StepWriteSerializer, request)
        people = members_for(actor, Perm.MEMBER_VIEW)
        chosen: dict[str, list[Any]] = {}
        labels = {"contacts": "培养联系人", "introducers": "入党介绍人"}
        for key in ("contacts", "introducers"):
            ids = list(dict.fromkeys(v.get(key) or []))
            found = {m.pk: m for m in people.filter(pk__in=ids)}
            missing = [(n, i) for n, i in enumerate(ids, start=1) if i not in found]
            if missing:
                raise exceptions.ValidationError(
                    {
                        key: [
                            f"所选{labels[key]}（第 {n} 位，党员 id {i}）不在您可查看的党员名册中："
                            "请从本支部党员名册中选择"
                            for n, i in missing
                        ]
                    }
                )
            chosen[key] = [found[i] for i in ids]
        vote = v.get("vote")
        data = StepInput(
            **picked(v, "number", "done_on"),
            note=v.get("note") or "",
            talker=v.get("talker") or "",
            contacts=chosen["contacts"],
            introducers=chosen["introducers"],
            vote=VoteInput(**vote) if vote else None,
            decision=v.get("decision") or "",
            extension_months=v.get("extension_months"),
        )
        service_call(record_step, actor=actor, case=case, data=data)
        fresh = case_get(actor, case.pk)
        body = dict(CaseDetailSerializer(fresh).data)
        warnings = []
        if data.number in VOTE_STEPS and data.vote is not None:
            warning = vote_roll_warning(fresh, data.done_on, data.vote.entitled)
            if warning:
                warnings.append(warning)
        key = f"step_{data.number}"
        warnings.extend(
            f"步骤顺序：{f['message']}"
            for f in body["findings"]["items"]
            if f["rule"] == "RECRUIT-ORDER" and key in f["evidence"]
        )
        body["warnings"] = warnings
        return Response(body, status=status.HTTP_201_CREATED)


class ExtensionWriteSerializer(serializers.Serializer):
    step = serializers.ChoiceField(
        choices=[17, 24],
        help_text="17：审批接收预备党员；24：审批转正",
        error_messages={"invalid_choice": "只能延长第 17、24 步的审批期限"},
    )
    months = serializers.IntegerField(
        min_value=1,
        max_value=12,
        help_text="延长后的审批期限（自支部大会讨论之日起的月数，最长不超过审批期限规则的参数）",
    )
    approved_on = serializers.DateField(input_formats=["%Y-%m-%d"], error_messages=DATE_ERRORS)
    approved_by = TextField(max_length=100, help_text="批准延长的党委")
    reason = TextField(max_length=500, help_text="需要延长的特殊情况")


class ExtensionView(ScopedAPIView):
    """The approved extension of an approval period (special cases), audited."""

    read_perm = Perm.RECRUIT_VIEW
    write_perm = Perm.RECRUIT_APPROVE
    serializer_class = ExtensionSerializer

    @extend_schema(
        parameters=[ID_PARAM],
        request=ExtensionWriteSerializer,
        responses={201: CaseDetailSerializer},
        summary="记录延长审批期限（特殊情况，最长不超过审批期限规则的参数；需审批权限）",
    )
    def post(self, request: SignedInApiRequest, pk: int) -> Response:
        actor = request.user
        case = case_get(actor, pk, Perm.RECRUIT_APPROVE)
        v = validated(ExtensionWriteSerializer, request)
        service_call(
            approval_extend,
            actor=actor,
            case=case,
            step=int(v["step"]),
            **picked(v, "months", "approved_on", "approved_by", "reason"),
        )
        body = CaseDetailSerializer(case_get(actor, case.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- attachments (全程记实) ----------------------------------------------------------------------


class AttachmentSerializer(AttachmentSerializerBase):
    step = serializers.IntegerField(allow_null=True, help_text="所属步骤（1–25），空为整个案例")

    def get_url(self, item: Any) -> str:
        return f"/api/v1/recruitment/cases/{item.case_id}/attachments/{item.pk}/"


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="JPEG、PNG 或 PDF，每个最大 5 MB；可重复多次上传多个文件"
    )
    step = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=25,
        help_text="所属步骤（1–25），不填为整个案例",
        error_messages={
            "invalid": "步骤应为 1–25 的整数",
            "min_value": "步骤应为 1–25 的整数",
            "max_value": "步骤应为 1–25 的整数",
        },
    )


def _step_param(request: SignedInApiRequest) -> int | None:
    raw = request.data.get("step")
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if not text.isdigit() or not 1 <= int(text) <= 25:
        raise exceptions.ValidationError({"step": ["步骤应为 1–25 的整数"]})
    return int(text)


@attachment_list_schema(
    id_param=ID_PARAM,
    serializer=AttachmentSerializer,
    upload=AttachmentUploadSerializer,
    listed="案例的材料列表",
    uploaded="上传材料（记入审计）",
)
class CaseAttachmentListView(AttachmentListView):
    """The documents of one case (全程记实); POST uploads (all files or none, audited)."""

    read_perm = Perm.RECRUIT_VIEW
    write_perm = Perm.RECRUIT_RECORD
    serializer_class = AttachmentSerializer
    max_count = ATTACHMENTS_PER_CASE
    per = "每个案例"

    def owner(self, request: SignedInApiRequest, pk: int, perm: Perm) -> RecruitCase:
        return case_get(request.user, pk, perm)

    def adder(self, request: SignedInApiRequest, owner: RecruitCase) -> Any:
        step = _step_param(request)
        return lambda name, data: attachment_add(
            actor=request.user, case=owner, name=name, data=data, step=step
        )


@extend_schema_view(
    delete=extend_schema(
        parameters=[ID_PARAM], responses={204: None}, summary="删除材料（记入审计）"
    )
)
class CaseAttachmentDetailView(AttachmentDetailView):
    """One document: GET downloads it (audited), DELETE removes it (audited)."""

    read_perm = Perm.RECRUIT_VIEW
    write_perm = Perm.RECRUIT_RECORD
    remover = attachment_delete

    def item(
        self, request: SignedInApiRequest, pk: int, attachment_id: int, perm: Perm
    ) -> RecruitAttachment:
        return attachment_get(request.user, pk, attachment_id, perm)

    @extend_schema(
        parameters=[ID_PARAM],
        responses=download_responses(),
        summary="下载材料（需查看个人信息权限，记入审计）",
    )
    def get(self, request: SignedInApiRequest, pk: int, attachment_id: int) -> HttpResponse:
        require(request.user, Perm.MEMBER_VIEW_PII)
        item = self.item(request, pk, attachment_id, self.read_perm)
        data = attachment_read(actor=request.user, attachment=item)
        return attachment_response(item, data, digest=True)
