"""``/api/v1/inspection/…``: inspections (督查、巡查、暗访) through the selectors and services of
:mod:`dangjian.inspection`, with the same 暗访 boundary as the pages.

- ``inspection/plans/``: GET the plans the actor reads; POST makes one at the actor's own level
  (``Perm.INSPECTION_MANAGE``): the sample drawn at once, plus the hand-picked branches;
- ``inspection/plans/<id>/``: one plan with its organizations to visit, and its findings when the
  actor reads its results;
- ``inspection/plans/<id>/visits/``: POST records a visit (the inspecting level and the plan's
  inspectors): observations per checklist item, a 不符合 item is a finding;
- ``inspection/findings/``: GET the findings the actor reads;
- ``inspection/findings/<id>/task/``: POST turns a finding into a rectification task;
- ``inspection/findings/<id>/revisit/``: POST the re-visit (confirms or reopens the task).

Photos and clips are uploaded on the page (the visit form). A service's refusal is a 400 with its
Chinese messages; nothing is written.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.response import Response

from dangjian.accounts.models import User
from dangjian.accounts.roles import Perm
from dangjian.api.requests import SignedInApiRequest, signed_in
from dangjian.api.serializers import AttachmentSerializerBase, TextField
from dangjian.api.views.base import (
    JSON_ONLY,
    AttachmentFileView,
    AttachmentListView,
    CreateView,
    ObjectActionView,
    ObjectDetailView,
    ScopedListView,
    action_schema,
    attachment_list_schema,
    create_schema,
    detail_schema,
    download_responses,
    path_id,
    service_call,
)
from dangjian.core import uploads
from dangjian.core.attachments import attachment_response
from dangjian.inspection import services
from dangjian.inspection.choices import Kind, Result, Revisit, Severity
from dangjian.inspection.models import Finding, InspectionPlan, Visit, VisitMedia
from dangjian.inspection.selectors import (
    finding_get,
    findings_for,
    may_see_results,
    plan_get,
    plans_for,
    visit_get,
)
from dangjian.orgs.models import Organization

PLAN_ID = path_id("督查计划编号")
FINDING_ID = path_id("督查发现问题编号")
VISIT_ID = path_id("现场检查记录编号")


class InspectionTargetSerializer(serializers.Serializer):
    org = TextField(source="org.code", help_text="被检查组织编码")
    org_name = TextField(source="org.name", help_text="被检查组织名称")
    sampled = serializers.BooleanField(help_text="随机抽中")
    hand_picked = serializers.BooleanField(help_text="指定检查")


class InspectionPlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = TextField(help_text="督查事项")
    kind = serializers.ChoiceField(choices=Kind.choices, help_text="方式")
    org = TextField(source="org.code", help_text="组织单位编码")
    checklist = TextField(source="checklist_key", help_text="检查清单")
    starts_on = serializers.DateField(help_text="开始日期")
    ends_on = serializers.DateField(help_text="结束日期")
    sample_share = serializers.DecimalField(
        max_digits=4, decimal_places=3, coerce_to_string=True, help_text="抽查比例"
    )
    sampling_seed = serializers.IntegerField(help_text="抽样种子")
    published_at = serializers.DateTimeField(allow_null=True, help_text="结果发布时间")


class InspectionFindingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    plan = serializers.IntegerField(source="visit.plan_id", help_text="督查计划编号")
    visit = serializers.IntegerField(source="visit_id", help_text="现场检查记录编号")
    org = TextField(source="org.code", help_text="被检查组织编码")
    org_name = TextField(source="org.name", help_text="被检查组织名称")
    visited_on = serializers.DateField(source="visit.visited_on", help_text="检查日期")
    item = TextField(source="item_code", help_text="清单项编号")
    title = TextField(source="item_title", help_text="检查内容")
    concerns = TextField(help_text="涉及的规则或考核标准条目")
    severity = serializers.ChoiceField(choices=Severity.choices, help_text="严重程度")
    description = TextField(help_text="问题描述")
    task = serializers.IntegerField(source="task_id", allow_null=True, help_text="整改任务编号")
    task_status = TextField(
        source="task.status", allow_null=True, default=None, help_text="整改任务状态"
    )
    revisit = serializers.ChoiceField(
        choices=Revisit.choices, allow_blank=True, help_text="复查结果（未复查为空）"
    )


class InspectionVisitSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="现场检查记录编号（上传照片、视频用）")
    org = TextField(source="org.code", help_text="被检查组织编码")
    org_name = TextField(source="org.name", help_text="被检查组织名称")
    visited_on = serializers.DateField(help_text="检查日期")
    media = serializers.IntegerField(source="media_count", help_text="照片和视频个数")


class InspectionPlanDetailSerializer(InspectionPlanSerializer):
    targets = InspectionTargetSerializer(source="targets_sorted", many=True, help_text="检查对象")
    results_visible = serializers.BooleanField(help_text="能否查看结果（暗访发布前只有本级可见）")
    visits = InspectionVisitSerializer(source="visits_seen", many=True, help_text="现场检查记录")
    findings = InspectionFindingSerializer(source="findings_seen", many=True)


class InspectionPlanWriteSerializer(serializers.Serializer):
    title = TextField(max_length=200, help_text="督查事项")
    kind = serializers.ChoiceField(choices=Kind.choices, help_text="方式")
    checklist = TextField(max_length=64, help_text="检查清单（dangjian-ducha、zhendi-anfang）")
    starts_on = serializers.DateField(help_text="开始日期")
    ends_on = serializers.DateField(help_text="结束日期")
    sample_share = serializers.DecimalField(
        max_digits=4,
        decimal_places=3,
        min_value=0,
        max_value=1,
        default=Decimal(0),
        help_text="抽查比例",
    )
    sampling_seed = serializers.IntegerField(
        min_value=0, max_value=2**62, required=False, allow_null=True, default=None
    )
    hand_picked = serializers.ListField(
        child=TextField(max_length=32), default=list, max_length=500, help_text="指定检查的组织编码"
    )
    inspectors = serializers.ListField(
        child=TextField(max_length=150), default=list, max_length=50, help_text="督查人员用户名"
    )


class InspectionObservationSerializer(serializers.Serializer):
    code = TextField(max_length=32, help_text="清单项编号")
    result = serializers.ChoiceField(choices=Result.choices, help_text="检查结果")
    note = TextField(max_length=500, required=False, default="", allow_blank=True)
    severity = serializers.ChoiceField(
        choices=Severity.choices,
        required=False,
        default="",
        allow_blank=True,
        help_text="严重程度（不符合时必填）",
    )


class InspectionVisitWriteSerializer(serializers.Serializer):
    org = TextField(max_length=32, help_text="被检查组织编码（本计划的检查对象）")
    visited_on = serializers.DateField(help_text="检查日期")
    observations = InspectionObservationSerializer(many=True, help_text="逐项检查结果")
    note = TextField(max_length=2000, required=False, default="", allow_blank=True)


class InspectionTaskWriteSerializer(serializers.Serializer):
    owner = TextField(max_length=50, help_text="责任人（岗位或姓名）")
    deadline = serializers.DateField(help_text="完成时限")
    what = TextField(max_length=200, required=False, default="", allow_blank=True)
    how = TextField(max_length=2000, required=False, default="", allow_blank=True)


class InspectionRevisitWriteSerializer(serializers.Serializer):
    passed = serializers.BooleanField(help_text="复查通过（确认整改完成）或未通过（退回）")
    note = TextField(max_length=500, required=False, default="", allow_blank=True)


def _plan_detail(actor: Any, plan: InspectionPlan) -> dict[str, Any]:
    seen = may_see_results(actor, plan)
    plan.targets_sorted = list(plan.targets.select_related("org"))  # type: ignore[attr-defined]
    plan.results_visible = seen  # type: ignore[attr-defined]
    plan.findings_seen = (  # type: ignore[attr-defined]
        list(findings_for(actor).filter(visit__plan=plan).order_by("pk")) if seen else []
    )
    plan.visits_seen = (  # type: ignore[attr-defined]
        list(
            Visit.objects.filter(plan=plan)
            .select_related("org")
            .annotate(media_count=Count("media"))
            .order_by("visited_on", "pk")
        )
        if seen
        else []
    )
    return dict(InspectionPlanDetailSerializer(plan).data)


@extend_schema_view(
    get=extend_schema(responses=InspectionPlanSerializer(many=True), summary="督查计划")
)
@create_schema("制定督查计划", InspectionPlanDetailSerializer)
class PlanListView(ScopedListView, CreateView):
    """The plans the actor reads (its level and above, and those it inspects), newest first."""

    read_perm = Perm.INSPECTION_VIEW
    write_perm = Perm.INSPECTION_MANAGE
    serializer_class = InspectionPlanSerializer
    write_serializer = InspectionPlanWriteSerializer
    queryset = InspectionPlan.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        return plans_for(signed_in(self.request)).order_by("-starts_on", "-pk")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        org = getattr(request.user, "org", None)
        if org is None:
            raise exceptions.ValidationError({"org": ["您的账号没有所属组织，不能制定督查计划"]})
        picked = list(Organization.objects.filter(code__in=v["hand_picked"]))
        unknown = set(v["hand_picked"]) - {o.code for o in picked}
        users = list(User.objects.filter(username__in=v["inspectors"]))
        missing = set(v["inspectors"]) - {u.username for u in users}
        errors: dict[str, list[str]] = {}
        if unknown:
            errors["hand_picked"] = [f"没有编码为“{c[:32]}”的党组织" for c in sorted(unknown)]
        if missing:
            errors["inspectors"] = [f"没有用户“{u[:30]}”" for u in sorted(missing)]
        if errors:
            raise exceptions.ValidationError(errors)
        data = services.PlanInput(
            title=v["title"],
            kind=v["kind"],
            org=org,
            checklist_key=v["checklist"],
            starts_on=v["starts_on"],
            ends_on=v["ends_on"],
            sample_share=v["sample_share"],
            sampling_seed=v["sampling_seed"],
            hand_picked=picked,
            inspectors=users,
        )
        rename = {"checklist_key": "checklist"}
        plan = service_call(services.plan_create, actor=request.user, data=data, rename=rename)
        return _plan_detail(request.user, plan)


@detail_schema(PLAN_ID, "督查计划详情")
class PlanDetailView(ObjectDetailView):
    """One plan with its organizations to visit; its findings when the actor reads its results
    (a 暗访's only at the inspecting level until published)."""

    read_perm = Perm.INSPECTION_VIEW
    serializer_class = InspectionPlanDetailSerializer
    getter = plan_get

    def present(self, request: SignedInApiRequest, obj: InspectionPlan) -> dict[str, Any]:
        return _plan_detail(request.user, obj)


@action_schema(PLAN_ID, InspectionPlanDetailSerializer, "记录现场检查", "inspection_plans_visit")
class VisitView(ObjectActionView):
    """记录现场检查: an observation per checklist item; each 不符合 item becomes a finding."""

    read_perm = Perm.INSPECTION_VIEW
    write_perm = Perm.INSPECTION_VIEW
    serializer_class = InspectionVisitWriteSerializer
    parser_classes = JSON_ONLY
    created = True

    def target(self, request: SignedInApiRequest, pk: int) -> InspectionPlan:
        return plan_get(request.user, pk)

    def act(self, request: SignedInApiRequest, target: InspectionPlan, v: dict[str, Any]) -> None:
        target_org = target.targets.filter(org__code=v["org"]).select_related("org").first()
        service_call(
            services.visit_record,
            actor=request.user,
            plan=target,
            org=target_org.org if target_org else None,
            visited_on=v["visited_on"],
            observations=[services.ObservationInput(**o) for o in v["observations"]],
            note=v["note"],
        )

    def answer(self, request: SignedInApiRequest, target: InspectionPlan) -> Any:
        return _plan_detail(request.user, plan_get(request.user, target.pk))


@extend_schema_view(
    get=extend_schema(responses=InspectionFindingSerializer(many=True), summary="督查发现问题")
)
class FindingListView(ScopedListView):
    """The findings the actor reads: the inspecting level's, and those about its own subtree once
    not secret (a 暗访's from its publication)."""

    read_perm = Perm.INSPECTION_VIEW
    serializer_class = InspectionFindingSerializer
    queryset = Finding.objects.none()

    def get_queryset(self) -> Any:
        return findings_for(signed_in(self.request)).order_by("-visit__visited_on", "pk")


class _FindingAction(ObjectActionView):
    """An action of the inspecting level on a finding, answered with the finding."""

    read_perm = Perm.INSPECTION_MANAGE
    write_perm = Perm.INSPECTION_MANAGE

    def target(self, request: SignedInApiRequest, pk: int) -> Finding:
        return finding_get(request.user, pk)

    def answer(self, request: SignedInApiRequest, target: Finding) -> Any:
        return InspectionFindingSerializer(finding_get(request.user, target.pk)).data


@action_schema(FINDING_ID, InspectionFindingSerializer, "转为整改任务", "inspection_findings_task")
class FindingTaskView(_FindingAction):
    """转为整改任务 (owner, deadline): added to the organization's open rectification plan, or a
    new plan of reason 督查暗访发现问题."""

    serializer_class = InspectionTaskWriteSerializer
    created = True

    def act(self, request: SignedInApiRequest, target: Finding, v: dict[str, Any]) -> None:
        service_call(services.finding_to_task, actor=request.user, finding=target, **v)


@action_schema(FINDING_ID, InspectionFindingSerializer, "复查", "inspection_findings_revisit")
class FindingRevisitView(_FindingAction):
    """复查: passed confirms the task reported done; not passed sends it back (reason required)."""

    serializer_class = InspectionRevisitWriteSerializer

    def act(self, request: SignedInApiRequest, target: Finding, v: dict[str, Any]) -> None:
        service_call(services.finding_revisit, actor=request.user, finding=target, **v)


# --- photos and clips of a visit --------------------------------------------------------------


class VisitMediaSerializer(AttachmentSerializerBase):
    """A photo or clip of a visit (no bytes: ``url`` downloads it)."""

    def get_url(self, item: VisitMedia) -> str:
        return reverse("api:inspection-visit-media-file", args=[item.visit_id, item.pk])


class VisitMediaUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            "JPEG、PNG、WebP 照片（每张最大 5 MB，保存时去除拍摄位置等元数据）或 MP4、MOV 视频片段"
            f"（每段最大 {uploads.MAX_VIDEO_BYTES // 1024 // 1024} MB），"
            f"{services.MEDIA_POLICY.per}最多 {services.MEDIA_POLICY.max_count} 个；"
            "可重复多次上传多个（字段名 file 或 files），全部成功或全部不保存"
        )
    )


@attachment_list_schema(
    id_param=VISIT_ID,
    serializer=VisitMediaSerializer,
    upload=VisitMediaUploadSerializer,
    listed="现场检查的照片和视频",
    uploaded="上传现场照片或视频片段（本级督查组织者和该计划的督查人员；记入审计）",
)
class VisitMediaListView(AttachmentListView):
    """The photos and clips of one visit whose results the actor reads (a 暗访's only at the
    inspecting level until published). Uploading is for the plan's organizers and inspectors
    (else 403); the files of one upload are stored all or none, each audited with its SHA-256.
    """

    read_perm = Perm.INSPECTION_VIEW
    # who may record is the service's to say (the organizers and the plan's inspectors)
    write_perm = Perm.INSPECTION_VIEW
    serializer_class = VisitMediaSerializer
    max_count = services.MEDIA_POLICY.max_count
    per = services.MEDIA_POLICY.per
    max_bytes = uploads.MAX_VIDEO_BYTES

    def owner(self, request: SignedInApiRequest, pk: int, perm: Perm) -> Visit:
        return visit_get(request.user, pk)

    def adder(self, request: SignedInApiRequest, owner: Visit) -> Any:
        return lambda name, data: services.media_add(
            actor=request.user, visit=owner, name=name, data=data
        )

    def get(self, request: SignedInApiRequest, pk: int) -> Response:
        visit = self.owner(request, pk, self.read_perm)
        items = visit.media.defer("data").order_by("pk")
        return Response(VisitMediaSerializer(items, many=True).data)


class VisitMediaFileView(AttachmentFileView):
    """One photo or clip of a visit whose results the actor reads: the file itself."""

    read_perm = Perm.INSPECTION_VIEW
    write_perm = Perm.INSPECTION_VIEW

    @extend_schema(
        parameters=[VISIT_ID],
        responses=download_responses(video=True),
        summary="下载现场照片或视频",
    )
    def get(self, request: SignedInApiRequest, pk: int, attachment_id: int) -> HttpResponse:
        visit = visit_get(request.user, pk)
        item = VisitMedia.objects.filter(visit=visit, pk=attachment_id).first()
        if item is None:
            raise Http404("文件不存在或不在您的管辖范围内")
        return attachment_response(item, digest=True)
