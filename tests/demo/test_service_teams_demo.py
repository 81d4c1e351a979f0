"""The demo's 红色志愿服务队 and 双报到: built through the services in the demo town."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dangjian.demo.accounts import demo_nodes
from dangjian.demo.seed import seed_database
from dangjian.demo.service import seed_demo_service
from dangjian.service.choices import OrderState
from dangjian.service.models import (
    DoubleReport,
    DoubleReportRating,
    Order,
    TeamMembership,
    VolunteerTeam,
)


@pytest.mark.django_db
def test_demo_teams_and_double_reports():
    seed_database(tier="tiny", seed=42, progress=False)
    today = timezone.localdate()
    first, *_ = seed_demo_service(today, seed=42)
    town = demo_nodes()["town"]
    assert VolunteerTeam.objects.exists()
    assert all(t.org.path.startswith(town.path) for t in VolunteerTeam.objects.all())
    kinds = set(TeamMembership.objects.values_list("kind", flat=True))
    assert {"在职", "无职", "退休"} <= kinds or {"无职", "退休"} <= kinds
    reports = DoubleReport.objects.select_related("member__org", "community")
    assert reports.exists()
    # the member's own branch stays theirs, elsewhere than the community
    assert all(not r.member.org.path.startswith(r.community.path) for r in reports)
    assert reports.filter(user__isnull=True).exists() and reports.filter(user__isnull=False)
    assert DoubleReportRating.objects.exists()
    held = Order.objects.filter(dispatched_member__isnull=False, state=OrderState.TAKEN)
    assert held.exists() and all(o.assignee == o.dispatched_member.user for o in held)
    assert f"在职党员双报到 {reports.count()} 名" in first
