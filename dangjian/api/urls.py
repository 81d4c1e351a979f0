from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from dangjian.life.api import (
    ComplianceView,
    HintListView,
    MeetingAttachmentDetailView,
    MeetingAttachmentListView,
    MeetingDetailView,
    MeetingListView,
)

from .routes import actions, routes
from .views import care, dues, mobile, review, service_linked, service_teams, training, transfers
from .views import exemplar as exemplar_views
from .views import inspection as inspection_views
from .views import liangxin as liangxin_views
from .views.base import not_found
from .views.findings import FindingListView
from .views.members import (
    MemberDetailView,
    MemberListView,
    MemberRevealView,
    MemberStatusListView,
)
from .views.orgs import OrgDetailView, OrgListView
from .views.roll import MemberTimelineView, OrgRollView
from .views.service import (
    ACTION_VIEWS,
    GridDeactivateView,
    GridDetailView,
    GridListView,
    ServiceOrderDetailView,
    ServiceOrderListView,
    ServiceOrderPhotoDetailView,
    ServiceOrderPhotoListView,
)
from .views.tokens import TokenRevokeView, TokenView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *routes(
        "auth/token/",
        "token",
        ("", TokenView, ""),
        ("revoke/", TokenRevokeView, "-revoke"),
    ),
    *routes(
        "orgs/",
        "org",
        ("", OrgListView, "-list"),
        ("<str:code>/", OrgDetailView, "-detail"),
    ),
    *routes(
        "members/",
        "member",
        ("", MemberListView, "-list"),
        ("<int:pk>/", MemberDetailView, "-detail"),
        ("<int:pk>/reveal/", MemberRevealView, "-reveal"),
        ("<int:pk>/statuses/", MemberStatusListView, "-statuses"),
    ),
    path("findings/", FindingListView.as_view(), name="finding-list"),
    *routes(
        "meetings/",
        "meeting",
        ("", MeetingListView, "-list"),
        ("<int:pk>/", MeetingDetailView, "-detail"),
        ("<int:pk>/attachments/", MeetingAttachmentListView, "-attachments"),
        ("<int:pk>/attachments/<int:attachment_id>/", MeetingAttachmentDetailView, "-attachment"),
    ),
    *routes(
        "life/",
        "life-",
        ("compliance/", ComplianceView, "compliance"),
        ("hints/", HintListView, "hints"),
    ),
    path("recruitment/", include("dangjian.recruit.api_urls")),
    path("", include("dangjian.assess.api_urls")),
    path("", include("dangjian.survey.api_urls")),
    # linked departments (跨级联合) and 敲门行动 visits
    *routes(
        "service/",
        "service-",
        ("departments/", service_linked.DepartmentListView, "department-list"),
        ("departments/referrals/", service_linked.ReferralView, "referral"),
        ("visits/", service_linked.VisitListView, "visit-list"),
        ("visits/<int:pk>/", service_linked.VisitDetailView, "visit-detail"),
        (
            "visits/<int:pk>/needs/<int:need>/order/",
            service_linked.NeedOrderView,
            "visit-need-order",
        ),
        ("teams/", service_teams.TeamListView, "team-list"),
        ("teams/<int:pk>/", service_teams.TeamDetailView, "team"),
        ("double-reports/", service_teams.DoubleReportListView, "double-report-list"),
        ("double-reports/<int:pk>/", service_teams.DoubleReportDetailView, "double-report"),
        ("double-reports/<int:pk>/end/", service_teams.DoubleReportEndView, "double-report-end"),
        ("double-reports/<int:pk>/rate/", service_teams.DoubleReportRateView, "double-report-rate"),
        ("orders/", ServiceOrderListView, "orders"),
        ("orders/<int:pk>/", ServiceOrderDetailView, "order"),
    ),
    *actions("service/orders/<int:pk>/", "service-order", ACTION_VIEWS),
    *routes(
        "service/grids/",
        "service-grid",
        ("", GridListView, "s"),
        ("<int:pk>/", GridDetailView, ""),
        ("<int:pk>/deactivate/", GridDeactivateView, "-deactivate"),
    ),
    path("members/<int:pk>/timeline/", MemberTimelineView.as_view(), name="member-timeline"),
    path("orgs/<str:code>/roll/", OrgRollView.as_view(), name="org-roll"),
    *routes(
        "training/",
        "training-",
        ("figures/", training.FiguresView, "figures"),
        ("members/", training.MemberHoursView, "members"),
        ("courses/", training.CourseListView, "courses"),
        ("courses/<int:pk>/", training.CourseDetailView, "course"),
        ("courses/<int:pk>/participants/", training.ParticipantsView, "participants"),
    ),
    *routes(
        "service/orders/<int:pk>/photos/",
        "service-order-photo",
        ("", ServiceOrderPhotoListView, "s"),
        ("<int:photo_id>/", ServiceOrderPhotoDetailView, ""),
    ),
    *routes(
        "transfers/",
        "transfer",
        ("", transfers.TransferListView, "s"),
        ("<int:pk>/", transfers.TransferDetailView, ""),
        ("<int:pk>/letter/", transfers.TransferLetterView, "-letter"),
    ),
    *actions("transfers/<int:pk>/", "transfer", transfers.ACTION_VIEWS),
    *routes(
        "care/",
        "care-",
        ("hardships/", care.HardshipListView, "hardships"),
        ("hardships/<int:pk>/", care.HardshipDetailView, "hardship"),
        ("hardships/<int:pk>/help/", care.HelpView, "hardship-help"),
        ("hardships/<int:pk>/visits/", care.VisitView, "hardship-visit"),
        ("hardships/<int:pk>/close/", care.CloseView, "hardship-close"),
        ("follow-ups/", care.FollowUpListView, "follow-ups"),
        ("figures/", care.FiguresView, "figures"),
    ),
    # 两新组织覆盖与党建指导员 (dangjian/liangxin)
    *routes(
        "liangxin/",
        "liangxin-",
        ("units/", liangxin_views.UnitListView, "units"),
        ("units/<int:pk>/", liangxin_views.UnitDetailView, "unit"),
        ("units/<int:pk>/assign/", liangxin_views.AssignView, "unit-assign"),
        ("units/<int:pk>/visits/", liangxin_views.VisitView, "unit-visit"),
        ("units/<int:pk>/close/", liangxin_views.CloseView, "unit-close"),
        ("units/<int:pk>/reopen/", liangxin_views.ReopenView, "unit-reopen"),
        ("advisors/", liangxin_views.AdvisorListView, "advisors"),
        ("coverage/", liangxin_views.CoverageView, "coverage"),
        ("blanks/", liangxin_views.BlankListView, "blanks"),
    ),
    *routes(
        "inspection/",
        "inspection-",
        ("plans/", inspection_views.PlanListView, "plans"),
        ("plans/<int:pk>/", inspection_views.PlanDetailView, "plan"),
        ("plans/<int:pk>/visits/", inspection_views.VisitView, "plan-visit"),
        ("findings/", inspection_views.FindingListView, "findings"),
        ("findings/<int:pk>/task/", inspection_views.FindingTaskView, "finding-task"),
        ("findings/<int:pk>/revisit/", inspection_views.FindingRevisitView, "finding-revisit"),
        ("visits/<int:pk>/media/", inspection_views.VisitMediaListView, "visit-media"),
        (
            "visits/<int:pk>/media/<int:attachment_id>/",
            inspection_views.VisitMediaFileView,
            "visit-media-file",
        ),
    ),
    *routes(
        "exemplar/",
        "exemplar-",
        ("examples/", exemplar_views.ExemplarListView, "examples"),
        ("examples/<int:pk>/", exemplar_views.ExemplarDetailView, "example"),
        ("examples/<int:pk>/name/", exemplar_views.NameView, "example-name"),
        ("examples/<int:pk>/review/", exemplar_views.ReviewView, "example-review"),
        ("examples/<int:pk>/revoke/", exemplar_views.RevokeView, "example-revoke"),
        ("examples/<int:pk>/evidence/", exemplar_views.EvidenceView, "example-evidence"),
    ),
    *routes(
        "dues/",
        "dues-",
        ("month/", dues.MonthView, "month"),
        ("bases/", dues.BaseView, "bases"),
        ("payments/", dues.PaymentView, "payments"),
        ("totals/", dues.TotalsView, "totals"),
    ),
    # 述职评议 (dangjian/review)
    *routes(
        "review/",
        "review-",
        ("campaigns/", review.CampaignListView, "campaigns"),
        ("campaigns/<int:pk>/", review.CampaignDetailView, "campaign"),
        ("reports/<int:pk>/", review.ReportDetailView, "report"),
        ("reports/<int:pk>/submit/", review.SubmitView, "report-submit"),
        ("reports/<int:pk>/problems/", review.ProblemsView, "report-problems"),
        ("reports/<int:pk>/ratings/", review.RatingsView, "report-ratings"),
        ("reports/<int:pk>/grade/", review.GradeView, "report-grade"),
        ("reports/<int:pk>/files/", review.ReportFileListView, "report-files"),
        ("reports/<int:pk>/files/<int:attachment_id>/", review.ReportFileView, "report-file"),
    ),
    # 流动党员 and 失联党员 (dangjian/mobile)
    *routes(
        "mobile/",
        "mobile-",
        ("outflows/", mobile.OutflowListView, "outflows"),
        ("hosted/", mobile.HostedListView, "hosted"),
        ("lost/", mobile.LostListView, "lost"),
        ("flags/", mobile.FlagListView, "flags"),
        ("figures/", mobile.FiguresView, "figures"),
        ("members/<int:pk>/", mobile.MemberMobileView, "member"),
    ),
    *actions("mobile/members/<int:pk>/", "mobile-member", mobile.ACTION_VIEWS),
    # any other path under /api/v1/ ending in "/" (e.g. /meetings/abc/): a JSON 404, not the
    # HTML page; a path without the slash still gets APPEND_SLASH's redirect
    re_path(r"^(?P<rest>(?:.*/)?)$", not_found, name="not-found"),
]
