"""The tree page counts members from the per-organization counts, not from the member rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.accounts.scope import SYSTEM
from dangjian.members.services import StatusInput, member_status_record
from tests.factories import make_member


@pytest.mark.django_db
def test_tree_page_reads_no_member_row_and_counts_the_roll(client, tree, today):
    make_member(tree["branch_a"], member_type="预备党员")
    dead = tree["members_a"][0]
    member_status_record(
        actor=SYSTEM,
        member=dead,
        data=StatusInput("死亡", today - dt.timedelta(days=5), "甲村党支部"),
        today=today,
    )
    client.force_login(tree["admin"])
    with CaptureQueriesContext(connection) as ctx:
        page = client.get(reverse("web:tree")).content.decode()
    assert not [q["sql"] for q in ctx.captured_queries if '"members_member"' in q["sql"]]
    root = page.split(f'data-code="{tree["root"].code}"')[1].split("</summary>")[0]
    assert "正式 5<" in root and "预备 1<" in root  # 6 records, the dead one is off the roll
    town = page.split(f'data-code="{tree["town_a"].code}"')[1].split("</summary>")[0]
    assert "正式 3<" in town and "预备 1<" in town
