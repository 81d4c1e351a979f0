"""The demo's 述职评议: built through the services, the rule kept, problems into rectification."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core.models import AuditEntry
from dangjian.demo.accounts import demo_nodes
from dangjian.demo.review import seed_demo_review
from dangjian.demo.seed import seed_database
from dangjian.rectify.models import RectificationTask
from dangjian.review.models import Campaign, Report
from dangjian.review.selectors import distribution, grade_limit

TODAY = dt.date(2026, 11, 2)


@pytest.mark.django_db
def test_demo_review():
    seed_database(tier="tiny", seed=42, progress=False)
    (line,) = seed_demo_review(TODAY, seed=42)
    town = demo_nodes()["town"]
    campaigns = Campaign.objects.all()
    assert campaigns.filter(org=town, year=2025).exists()
    for c in campaigns:
        reports = Report.objects.filter(campaign=c)
        assert reports.exists() and not reports.filter(grade="").exists()
        limit = grade_limit(c, "好", reports.count())
        assert distribution(c)["好"] <= (limit or 0)
    assert RectificationTask.objects.filter(review_problem__isnull=False).exists()
    assert "述职评议" in line
    assert AuditEntry.objects.filter(action="review.grade.set").count() == Report.objects.count()
    assert seed_demo_review(TODAY, seed=42) == []  # once
