"""``startswith`` on a text column is answered from an index on SQLite (dangjian/core/lookups.py):
the scoped reads filter on a path prefix, which SQLite's case-insensitive LIKE cannot take from
the path's index."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import F

from dangjian.core.lookups import glob_prefix
from dangjian.life.models import Meeting
from dangjian.orgs.models import Organization
from tests.factories import make_org

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@sqlite_only
@pytest.mark.django_db
def test_a_path_prefix_is_an_index_range(tree) -> None:
    prefix = tree["town_a"].path
    plan = _plan(Organization.objects.filter(path__startswith=prefix).values("path"))
    assert "SEARCH" in plan and "path>? AND path<?" in plan
    # a branch's meetings: the branch's rows, not a scan of every meeting in date order
    meetings = Meeting.objects.filter(org__path__startswith=prefix).order_by("-held_on")[:30]
    plan = _plan(meetings)
    assert "SCAN life_meeting" not in plan
    assert "SEARCH orgs_organization" in plan or "SEARCH T" in plan or "path>?" in plan


@pytest.mark.django_db
def test_startswith_keeps_its_meaning(tree) -> None:
    root = tree["root"]
    names = ["X*1", "X?1", "X[1", "X%1", "X_1", "x11"]
    for number, name in enumerate(names):
        make_org(root, org_type="党支部", code=f"ODD{number}", name=name)

    def named(prefix: str) -> list[str]:
        found = Organization.objects.filter(name__startswith=prefix)
        return sorted(found.values_list("name", flat=True))

    assert named("X*") == ["X*1"]
    assert named("X?") == ["X?1"]
    assert named("X[") == ["X[1"]
    assert named("X%") == ["X%1"]
    assert named("X_") == ["X_1"]
    assert named("x") == ["x11"]  # case-sensitive, as Django documents and PostgreSQL answers
    assert named("X") == ["X%1", "X*1", "X?1", "X[1", "X_1"]
    # a prefix taken from another column (an expression) keeps Django's SQL
    branch = tree["branch_a"]
    below = Organization.objects.filter(path__startswith=F("path")).filter(pk=branch.pk)
    assert list(below) == [branch]
    assert glob_prefix("a*b?[c]") == "a[*]b[?][[]c]*"
