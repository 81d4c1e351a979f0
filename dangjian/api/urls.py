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

from .views import care, dues, mobile, service_linked, service_teams, training, transfers
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
    path("auth/token/", TokenView.as_view(), name="token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="token-revoke"),
    path("orgs/", OrgListView.as_view(), name="org-list"),
    path("orgs/<str:code>/", OrgDetailView.as_view(), name="org-detail"),
    path("members/", MemberListView.as_view(), name="member-list"),
    path("members/<int:pk>/", MemberDetailView.as_view(), name="member-detail"),
    path("members/<int:pk>/reveal/", MemberRevealView.as_view(), name="member-reveal"),
    path("members/<int:pk>/statuses/", MemberStatusListView.as_view(), name="member-statuses"),
    path("findings/", FindingListView.as_view(), name="finding-list"),
    path("meetings/", MeetingListView.as_view(), name="meeting-list"),
    path("meetings/<int:pk>/", MeetingDetailView.as_view(), name="meeting-detail"),
    path(
        "meetings/<int:pk>/attachments/",
        MeetingAttachmentListView.as_view(),
        name="meeting-attachments",
    ),
    path(
        "meetings/<int:pk>/attachments/<int:attachment_id>/",
        MeetingAttachmentDetailView.as_view(),
        name="meeting-attachment",
    ),
    path("life/compliance/", ComplianceView.as_view(), name="life-compliance"),
    path("life/hints/", HintListView.as_view(), name="life-hints"),
    path("recruitment/", include("dangjian.recruit.api_urls")),
    path("", include("dangjian.assess.api_urls")),
    path("", include("dangjian.survey.api_urls")),
    # linked departments (跨级联合) and 敲门行动 visits
    path(
        "service/departments/",
        service_linked.DepartmentListView.as_view(),
        name="service-department-list",
    ),
    path(
        "service/departments/referrals/",
        service_linked.ReferralView.as_view(),
        name="service-referral",
    ),
    path("service/visits/", service_linked.VisitListView.as_view(), name="service-visit-list"),
    path(
        "service/visits/<int:pk>/",
        service_linked.VisitDetailView.as_view(),
        name="service-visit-detail",
    ),
    path(
        "service/visits/<int:pk>/needs/<int:need>/order/",
        service_linked.NeedOrderView.as_view(),
        name="service-visit-need-order",
    ),
    path("service/teams/", service_teams.TeamListView.as_view(), name="service-team-list"),
    path("service/teams/<int:pk>/", service_teams.TeamDetailView.as_view(), name="service-team"),
    path(
        "service/double-reports/",
        service_teams.DoubleReportListView.as_view(),
        name="service-double-report-list",
    ),
    path(
        "service/double-reports/<int:pk>/",
        service_teams.DoubleReportDetailView.as_view(),
        name="service-double-report",
    ),
    path(
        "service/double-reports/<int:pk>/end/",
        service_teams.DoubleReportEndView.as_view(),
        name="service-double-report-end",
    ),
    path(
        "service/double-reports/<int:pk>/rate/",
        service_teams.DoubleReportRateView.as_view(),
        name="service-double-report-rate",
    ),
    path("service/orders/", ServiceOrderListView.as_view(), name="service-orders"),
    path("service/orders/<int:pk>/", ServiceOrderDetailView.as_view(), name="service-order"),
    *[
        path(f"service/orders/<int:pk>/{a}/", v.as_view(), name=f"service-order-{a}")
        for a, v in ACTION_VIEWS.items()
    ],
    path("service/grids/", GridListView.as_view(), name="service-grids"),
    path("service/grids/<int:pk>/", GridDetailView.as_view(), name="service-grid"),
    path(
        "service/grids/<int:pk>/deactivate/",
        GridDeactivateView.as_view(),
        name="service-grid-deactivate",
    ),
    path("members/<int:pk>/timeline/", MemberTimelineView.as_view(), name="member-timeline"),
    path("orgs/<str:code>/roll/", OrgRollView.as_view(), name="org-roll"),
    path("training/figures/", training.FiguresView.as_view(), name="training-figures"),
    path("training/members/", training.MemberHoursView.as_view(), name="training-members"),
    path("training/courses/", training.CourseListView.as_view(), name="training-courses"),
    path(
        "training/courses/<int:pk>/",
        training.CourseDetailView.as_view(),
        name="training-course",
    ),
    path(
        "training/courses/<int:pk>/participants/",
        training.ParticipantsView.as_view(),
        name="training-participants",
    ),
    path(
        "service/orders/<int:pk>/photos/",
        ServiceOrderPhotoListView.as_view(),
        name="service-order-photos",
    ),
    path(
        "service/orders/<int:pk>/photos/<int:photo_id>/",
        ServiceOrderPhotoDetailView.as_view(),
        name="service-order-photo",
    ),
    path("transfers/", transfers.TransferListView.as_view(), name="transfers"),
    path("transfers/<int:pk>/", transfers.TransferDetailView.as_view(), name="transfer"),
    path(
        "transfers/<int:pk>/letter/", transfers.TransferLetterView.as_view(), name="transfer-letter"
    ),
    *[
        path(f"transfers/<int:pk>/{a}/", v.as_view(), name=f"transfer-{a}")
        for a, v in transfers.ACTION_VIEWS.items()
    ],
    path("care/hardships/", care.HardshipListView.as_view(), name="care-hardships"),
    path("care/hardships/<int:pk>/", care.HardshipDetailView.as_view(), name="care-hardship"),
    path("care/hardships/<int:pk>/help/", care.HelpView.as_view(), name="care-hardship-help"),
    path("care/hardships/<int:pk>/visits/", care.VisitView.as_view(), name="care-hardship-visit"),
    path("care/hardships/<int:pk>/close/", care.CloseView.as_view(), name="care-hardship-close"),
    path("care/follow-ups/", care.FollowUpListView.as_view(), name="care-follow-ups"),
    path("care/figures/", care.FiguresView.as_view(), name="care-figures"),
    path("dues/month/", dues.MonthView.as_view(), name="dues-month"),
    path("dues/bases/", dues.BaseView.as_view(), name="dues-bases"),
    path("dues/payments/", dues.PaymentView.as_view(), name="dues-payments"),
    path("dues/totals/", dues.TotalsView.as_view(), name="dues-totals"),
    # 流动党员 and 失联党员 (dangjian/mobile)
    path("mobile/outflows/", mobile.OutflowListView.as_view(), name="mobile-outflows"),
    path("mobile/hosted/", mobile.HostedListView.as_view(), name="mobile-hosted"),
    path("mobile/lost/", mobile.LostListView.as_view(), name="mobile-lost"),
    path("mobile/flags/", mobile.FlagListView.as_view(), name="mobile-flags"),
    path("mobile/figures/", mobile.FiguresView.as_view(), name="mobile-figures"),
    path("mobile/members/<int:pk>/", mobile.MemberMobileView.as_view(), name="mobile-member"),
    *[
        path(f"mobile/members/<int:pk>/{a}/", v.as_view(), name=f"mobile-member-{a}")
        for a, v in mobile.ACTION_VIEWS.items()
    ],
    # any other path under /api/v1/ ending in "/" (e.g. /meetings/abc/): a JSON 404, not the
    # HTML page; a path without the slash still gets APPEND_SLASH's redirect
    re_path(r"^(?P<rest>(?:.*/)?)$", not_found, name="not-found"),
]
