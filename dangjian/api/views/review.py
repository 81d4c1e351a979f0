"""``/api/v1/review/…``: 述职评议 through the selectors and services of :mod:`dangjian.review`.

- ``review/campaigns/``: GET the campaigns the actor sees; POST opens the actor's
  organization's campaign of a year (``Perm.REVIEW_MANAGE``; the reporting organizations are
  derived from the posts);
- ``review/campaigns/<id>/``: one campaign with its reports (by organization, no ranking of
  persons) and the grade distribution;
- ``review/reports/<id>/``: one report; ``…/submit/`` its text (``Perm.REVIEW_REPORT``),
  ``…/problems/`` the problem list given back (each one a rectification task), ``…/ratings/``
  the counted ballots, ``…/grade/`` the result, the distribution rule enforced
  (``Perm.REVIEW_MANAGE``).

A service's refusal is a 400 with its Chinese messages; nothing is written.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

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
from dangjian.core.attachments import attachment_response
from dangjian.review import services
from dangjian.review.choices import Grade, RaterKind
from dangjian.review.models import Campaign, Report, ReportAttachment
from dangjian.review.selectors import (
    ballots_by_report,
    ballots_of,
    campaign_get,
    campaigns_for,
    distribution,
    report_get,
    reports_for,
)

CAMPAIGN_ID = path_id("述职评议编号")
REPORT_ID = path_id("书记述职编号")
GRADES = [("", "未评定"), *Grade.choices]


class ReviewCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = TextField(help_text="名称")
    org = TextField(source="org.code", help_text="组织评议的党组织编码")
    org_name = TextField(source="org.name", help_text="组织评议的党组织名称")
    year = serializers.IntegerField(help_text="年度")
    items = serializers.ListField(child=TextField(), help_text="评议项目")
    rater_kinds = serializers.ListField(child=TextField(), help_text="评议人员类别")
    grade_rule = serializers.DictField(
        child=serializers.FloatField(), help_text="等次比例规则：等次 → 最大比例（0–1）"
    )


class ReviewReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="campaign_id", help_text="述职评议编号")
    org = TextField(source="org.code", help_text="述职组织编码")
    org_name = TextField(source="org.name", help_text="述职组织名称")
    submitted = serializers.BooleanField(help_text="已提交述职报告")
    ballots = serializers.DictField(child=serializers.IntegerField(), help_text="各等次票数")
    proposed = serializers.CharField(help_text="票数建议等次（没有票数为空）")
    grade = serializers.ChoiceField(choices=GRADES, help_text="评议等次（未评定为空）")


class ReviewReportDetailSerializer(ReviewReportSerializer):
    secretary_name = TextField(help_text="书记（空缺为空）")
    text = TextField(help_text="述职报告")
    problems = serializers.ListField(child=TextField(), help_text="问题清单")


class ReviewCampaignDetailSerializer(ReviewCampaignSerializer):
    reports = ReviewReportSerializer(many=True, help_text="述职组织（按组织树顺序）")
    distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text="各等次的组织数（空键：未评定）"
    )


class ReviewCampaignWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text="年度")
    title = TextField(max_length=100, required=False, default="", allow_blank=True)
    items = serializers.ListField(
        child=TextField(max_length=50), required=False, default=list, max_length=10
    )
    rater_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=RaterKind.choices), required=False, default=list
    )
    grade_rule = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=1),
        required=False,
        default=None,
        help_text="等次 → 最大比例，默认“好”不超过 0.3",
    )


class ReviewSubmitSerializer(serializers.Serializer):
    text = TextField(max_length=20000, help_text="述职报告")


class ReviewProblemsSerializer(serializers.Serializer):
    problems = serializers.ListField(child=TextField(max_length=200), max_length=20)
    owner = TextField(max_length=50, help_text="整改责任人（岗位）")
    deadline = serializers.DateField(help_text="整改时限")


class ReviewTallySerializer(serializers.Serializer):
    rater_kind = serializers.ChoiceField(choices=RaterKind.choices)
    item = TextField(max_length=50)
    good = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    fairly_good = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    average = serializers.IntegerField(min_value=0, max_value=10000, default=0)
    poor = serializers.IntegerField(min_value=0, max_value=10000, default=0)


class ReviewRatingsSerializer(serializers.Serializer):
    tallies = ReviewTallySerializer(many=True)


class ReviewGradeSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices, help_text="评议等次")


def _report_row(report: Report, counts: dict[str, int] | None, proposed: str) -> dict[str, Any]:
    return {
        "id": report.pk,
        "campaign_id": report.campaign_id,
        "org": report.org,
        "submitted": report.submitted_at is not None,
        "ballots": counts or {g: 0 for g in Grade.values},
        "proposed": proposed,
        "grade": report.grade,
    }


def _campaign_detail(actor: Any, campaign: Campaign) -> dict[str, Any]:
    reports = reports_for(actor, campaign)
    ballots = ballots_by_report(campaign)
    rows = []
    for r in reports:
        b = ballots.get(r.pk)
        rows.append(_report_row(r, b.counts if b else None, b.proposed if b else ""))
    data = dict(ReviewCampaignSerializer(campaign).data)
    data["reports"] = ReviewReportSerializer(rows, many=True).data
    data["distribution"] = distribution(campaign, reports)
    return data


def _report_detail(report: Report) -> dict[str, Any]:
    b = ballots_of(report)
    row = _report_row(report, b.counts, b.proposed)
    row.update(
        secretary_name=report.secretary_name,
        text=report.text,
        problems=[p.text for p in report.problems.order_by("pk")],
    )
    return dict(ReviewReportDetailSerializer(row).data)


@extend_schema_view(
    get=extend_schema(responses=ReviewCampaignSerializer(many=True), summary="述职评议")
)
@create_schema("发起述职评议", ReviewCampaignDetailSerializer)
class CampaignListView(ScopedListView, CreateView):
    """The campaigns the actor sees (organized in its subtree or by a level above it), newest
    first."""

    read_perm = Perm.REVIEW_VIEW
    write_perm = Perm.REVIEW_MANAGE
    serializer_class = ReviewCampaignSerializer
    write_serializer = ReviewCampaignWriteSerializer
    queryset = Campaign.objects.none()
    parser_classes = JSON_ONLY

    def get_queryset(self) -> Any:
        return campaigns_for(signed_in(self.request)).order_by("-year", "org__path", "pk")

    def create(self, request: SignedInApiRequest, v: dict[str, Any]) -> Any:
        org = getattr(request.user, "org", None)
        if org is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"org": ["您的账号没有绑定组织，不能组织述职评议"]})
        campaign = service_call(
            services.campaign_open,
            actor=request.user,
            org=org,
            year=v["year"],
            title=v["title"],
            items=v["items"] or None,
            rater_kinds=v["rater_kinds"] or None,
            grade_rule=v["grade_rule"],
        )
        return _campaign_detail(request.user, campaign)


@detail_schema(CAMPAIGN_ID, "述职评议", ReviewCampaignDetailSerializer)
class CampaignDetailView(ObjectDetailView):
    """One campaign with its reports and the grade distribution (by organization)."""

    read_perm = Perm.REVIEW_VIEW
    serializer_class = ReviewCampaignDetailSerializer
    getter = campaign_get

    def present(self, request: SignedInApiRequest, obj: Campaign) -> dict[str, Any]:
        return _campaign_detail(request.user, obj)


@detail_schema(REPORT_ID, "书记述职", ReviewReportDetailSerializer)
class ReportDetailView(ObjectDetailView):
    """One report: the text, ballots, the problems given back, the grade."""

    read_perm = Perm.REVIEW_VIEW
    serializer_class = ReviewReportDetailSerializer
    getter = report_get

    def present(self, request: SignedInApiRequest, obj: Report) -> dict[str, Any]:
        return _report_detail(obj)


class _ReportAction(ObjectActionView):
    read_perm = Perm.REVIEW_MANAGE
    write_perm = Perm.REVIEW_MANAGE

    def target(self, request: SignedInApiRequest, pk: int) -> Report:
        return report_get(request.user, pk)

    def answer(self, request: SignedInApiRequest, target: Report) -> dict[str, Any]:
        return _report_detail(report_get(request.user, target.pk))


def _schema(summary: str, op: str) -> Any:
    return action_schema(REPORT_ID, ReviewReportDetailSerializer, summary, f"review_reports_{op}")


@_schema("提交述职报告", "submit")
class SubmitView(_ReportAction):
    """提交述职报告 (the reporting organization, ``Perm.REVIEW_REPORT``)."""

    read_perm = Perm.REVIEW_REPORT
    write_perm = Perm.REVIEW_REPORT
    serializer_class = ReviewSubmitSerializer

    def act(self, request: SignedInApiRequest, target: Report, v: dict[str, Any]) -> None:
        service_call(services.report_submit, actor=request.user, report=target, text=v["text"])


@_schema("反馈问题清单并交办整改", "problems")
class ProblemsView(_ReportAction):
    """The problem list given back; each problem becomes a task of the organization's
    rectification plan (the open one, else a new one)."""

    serializer_class = ReviewProblemsSerializer
    created = True

    def act(self, request: SignedInApiRequest, target: Report, v: dict[str, Any]) -> None:
        service_call(
            services.problems_give,
            actor=request.user,
            report=target,
            problems=v["problems"],
            owner=v["owner"],
            deadline=v["deadline"],
        )


@_schema("登记述职评议票数", "ratings")
class RatingsView(_ReportAction):
    """The counted ballots per kind of rater and item (replacing what was recorded for them)."""

    serializer_class = ReviewRatingsSerializer

    def act(self, request: SignedInApiRequest, target: Report, v: dict[str, Any]) -> None:
        ballots = {
            (t["rater_kind"], t["item"]): {
                Grade.GOOD: t["good"],
                Grade.FAIRLY_GOOD: t["fairly_good"],
                Grade.AVERAGE: t["average"],
                Grade.POOR: t["poor"],
            }
            for t in v["tallies"]
        }
        service_call(services.ratings_record, actor=request.user, report=target, ballots=ballots)


@_schema("评定述职评议等次", "grade")
class GradeView(_ReportAction):
    """评议等次, the campaign's distribution rule enforced."""

    serializer_class = ReviewGradeSerializer

    def act(self, request: SignedInApiRequest, target: Report, v: dict[str, Any]) -> None:
        service_call(services.grade_set, actor=request.user, report=target, grade=v["grade"])


# --- the report's files -------------------------------------------------------------------------


class ReportFileSerializer(AttachmentSerializerBase):
    """A file of a report (no bytes: ``url`` downloads it)."""

    def get_url(self, item: ReportAttachment) -> str:
        return reverse("api:review-report-file", args=[item.report_id, item.pk])


class ReportFileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=(
            f"JPEG、PNG 或 PDF，每个最大 5 MB，{services.ATTACHMENTS.per}最多 "
            f"{services.ATTACHMENTS.max_count} 个；评定等次后不能再上传；"
            "可重复多次上传多个（字段名 file 或 files），全部成功或全部不保存"
        )
    )


@attachment_list_schema(
    id_param=REPORT_ID,
    serializer=ReportFileSerializer,
    upload=ReportFileUploadSerializer,
    listed="述职材料列表",
    uploaded="上传述职材料（述职组织的书记；记入审计）",
)
class ReportFileListView(AttachmentListView):
    """The files of one report, to whoever reads the report (its organization, the upper
    levels); uploading needs ``Perm.REVIEW_REPORT`` on the reporting organization, until the
    report is graded (then 400). The files of one upload are stored all or none, each audited
    with its SHA-256."""

    read_perm = Perm.REVIEW_VIEW
    write_perm = Perm.REVIEW_REPORT
    serializer_class = ReportFileSerializer
    max_count = services.ATTACHMENTS.max_count
    per = services.ATTACHMENTS.per

    def owner(self, request: SignedInApiRequest, pk: int, perm: Perm) -> Report:
        return report_get(request.user, pk)

    def adder(self, request: SignedInApiRequest, owner: Report) -> Any:
        return lambda name, data: services.report_attach(
            actor=request.user, report=owner, name=name, data=data
        )


class ReportFileView(AttachmentFileView):
    """One file of a report the actor reads: the file itself."""

    read_perm = Perm.REVIEW_VIEW
    write_perm = Perm.REVIEW_VIEW

    @extend_schema(parameters=[REPORT_ID], responses=download_responses(), summary="下载述职材料")
    def get(self, request: SignedInApiRequest, pk: int, attachment_id: int) -> HttpResponse:
        report = report_get(request.user, pk)
        item = report.attachments.filter(pk=attachment_id).first()
        if item is None:
            raise Http404("文件不存在或不在您的管辖范围内")
        return attachment_response(item, digest=True)
