"""The migration that adds 同时计为 and 所属年度 keeps every existing record and fills its year."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("life", "0004_meeting_meeting_updated_at")]
AFTER = [("life", "0005_also_counts_as_year_leave_note")]


@pytest.mark.django_db(transaction=True)
def test_existing_records_get_the_year_of_their_date():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Organization = apps.get_model("orgs", "Organization")
    Meeting = apps.get_model("life", "Meeting")
    org = Organization.objects.create(
        path="0001",
        depth=1,
        numchild=0,
        code="M0001",
        name="迁移测试党支部",
        org_type="党支部",
        sector="社区",
        region_code="",
    )
    for day in (dt.date(2025, 12, 31), dt.date(2026, 1, 1)):
        Meeting.objects.create(
            org=org, meeting_type="组织生活会", held_on=day, topic=f"会{day}", entered_on=day
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    Meeting = apps.get_model("life", "Meeting")
    assert sorted(Meeting.objects.values_list("held_on", "year", "also_counts_as")) == [
        (dt.date(2025, 12, 31), 2025, ""),
        (dt.date(2026, 1, 1), 2026, ""),
    ]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
