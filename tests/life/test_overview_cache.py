"""The cached compliance tables: a hit runs no check, and any change of the data shows at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.scope import SYSTEM
from dangjian.life.compliance import compliance, compliance_cached, data_version, missed_cached
from dangjian.life.models import Meeting
from dangjian.life.rollups import counts_of, months_shift
from dangjian.life.services import meeting_delete
from tests.factories import make_member, make_org
from tests.life.helpers import meet

pytestmark = pytest.mark.django_db
THEME = "LIFE-THEME-DAY-MONTHLY"


@pytest.fixture
def records(tree):
    meet(tree["branch_a"], "主题党日", dt.date(2025, 3, 10))
    return tree


def theme_march(table) -> tuple[int, int]:
    row = next(r for r in table.rows if r.rule == THEME)
    cell = next(c for c in row.cells if c.label == "2025-03")
    return cell.checked, cell.met


def cached(actor, **params):
    return compliance_cached(actor, year=2025, **params)


def test_hit_runs_no_check_and_equals_the_computed_table(records):
    first = cached(records["admin"])
    with CaptureQueriesContext(connection) as ctx:
        again = cached(records["admin"])
    # the data version (3 aggregates) and the scope, not the LIFE check
    assert len(ctx.captured_queries) <= 5
    assert not any("life_meeting" in q["sql"] and "GROUP BY" in q["sql"] for q in ctx)
    fresh = compliance(records["admin"], year=2025)
    assert [(r.rule, [(c.label, c.checked, c.met) for c in r.cells]) for r in again.rows] == [
        (r.rule, [(c.label, c.checked, c.met) for c in r.cells]) for r in fresh.rows
    ]
    assert again.result.checked_orgs == fresh.result.checked_orgs == first.result.checked_orgs
    assert theme_march(again) == (2, 1)


def test_a_new_meeting_shows_at_once(records):
    assert theme_march(cached(records["admin"])) == (2, 1)
    before = data_version()
    meet(records["branch_b"], "主题党日", dt.date(2025, 3, 11))
    assert data_version() != before
    assert theme_march(cached(records["admin"])) == (2, 2)


def test_a_changed_date_shows_at_once(records):
    assert theme_march(cached(records["admin"])) == (2, 1)
    meeting = Meeting.objects.get()
    was = counts_of(meeting)
    meeting.held_on = dt.date(2025, 4, 10)
    meeting.save()
    months_shift(was, counts_of(meeting))  # every write keeps the rollup the table reads
    assert theme_march(cached(records["admin"])) == (2, 0)


def test_a_deleted_meeting_shows_at_once(records):
    assert theme_march(cached(records["admin"])) == (2, 1)
    meeting_delete(actor=SYSTEM, meeting=Meeting.objects.get())
    assert theme_march(cached(records["admin"])) == (2, 0)


def test_org_and_member_changes_show_at_once(records):
    assert theme_march(cached(records["admin"])) == (2, 1)
    new = make_org(records["town_b"], org_type="党支部", code="BN001")
    assert theme_march(cached(records["admin"])) == (3, 1)
    new.founded_on = dt.date(2025, 3, 2)  # did not exist on 1 March
    new.save()
    assert theme_march(cached(records["admin"])) == (2, 1)
    # three committee posts from before 2025: BA001 now owes a monthly 支委会
    before = data_version()
    for post in ("书记", "副书记", "委员"):
        make_member(records["branch_a"], post=post, joined_on=dt.date(2020, 1, 1))
    assert data_version() != before
    table = cached(records["admin"])
    committee = next(r for r in table.rows if r.rule == "LIFE-COMMITTEE-MONTHLY")
    assert committee.cells[0].checked == 1


def test_scope_filters_and_configuration_are_part_of_the_key(records, settings):
    assert theme_march(cached(records["admin"])) == (2, 1)
    assert theme_march(cached(records["admin_b"])) == (1, 0)
    assert theme_march(cached(records["admin"], sector="农村")) == (1, 1)
    settings.DANGJIAN_RULES = {THEME: {"min_count": 2}}
    assert theme_march(cached(records["admin"])) == (2, 0)


def test_missed_list_is_cached_and_fresh(records):
    rows = missed_cached(records["admin"], THEME, "2025-03", year=2025)
    assert [(r.subject, r.name) for r in rows] == [("BB001", "乙社区党支部")]
    meet(records["branch_b"], "主题党日", dt.date(2025, 3, 12))
    assert missed_cached(records["admin"], THEME, "2025-03", year=2025) == []


def test_overview_page_after_a_record_via_the_page(records):
    client = Client()
    client.force_login(records["admin"])
    html = client.get("/life/overview/?year=2025").content.decode()
    assert "检查组织" in html
    page = client.get(f"/life/overview/missed/?year=2025&rule={THEME}&period=2025-03")
    assert "BB001" in page.content.decode()
    meet(records["branch_b"], "主题党日", dt.date(2025, 3, 12))
    page = client.get(f"/life/overview/missed/?year=2025&rule={THEME}&period=2025-03")
    assert "该周期没有未完成的组织" in page.content.decode()


def test_audited_member_change_shows_at_once_but_reads_do_not_invalidate(records):
    from django.db import transaction

    from dangjian.core.audit import audit_record

    cached(records["admin"])
    version = data_version()
    with transaction.atomic():
        audit_record(
            actor=SYSTEM,
            action="member.view_pii",
            object_type="member",
            object_id="1",
            object_repr="x",
            scope_path=records["branch_a"].path,
        )
    assert data_version() == version  # a read of personal data changes nothing
    # three existing members take committee posts (audited, as every service write is)
    for member in records["members_a"][:3]:
        member.post = "委员"
        member.joined_on = dt.date(2020, 1, 1)
        with transaction.atomic():
            member.save()
            audit_record(
                actor=SYSTEM,
                action="member.update",
                object_type="member",
                object_id=str(member.pk),
                object_repr=str(member),
                scope_path=records["branch_a"].path,
            )
    assert data_version() != version
    committee = next(r for r in cached(records["admin"]).rows if r.rule == "LIFE-COMMITTEE-MONTHLY")
    assert committee.cells[0].checked == 1
