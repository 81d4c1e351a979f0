"""DUES rules over a branch: 6 months of arrears exactly vs 5, a good reason, the
probationary member from the month of the vote, the rate rules, and the organization-level
totals agreeing with the per-member rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dangjian.accounts.scope import SYSTEM
from dangjian.dues import months
from dangjian.dues.models import DuesBase
from dangjian.dues.selectors import arrears_member_ids, branch_findings, org_totals
from dangjian.dues.services import base_set, exemption_record, payment_record

PAID = dt.date(2026, 12, 1)


def _pay(place, member, first: dt.date, last: dt.date) -> None:
    for m in months.span(first, last):
        payment_record(actor=place.secretary, member=member, month=m, paid_on=PAID)


@pytest.fixture
def based(place):
    for member, cat, base in [
        (place.employed, "在职", "8000"),
        (place.retired, "离退休", "5000"),
        (place.farmer, "农民", None),
        (place.probationary, "学生", None),
    ]:
        base_set(actor=SYSTEM, member=member, year=2026, category=cat, base=base)
    return place


def _arrears(place, at):
    return [f for f in branch_findings(place.secretary, place.branch, at) if "ARREARS" in f.rule]


@pytest.mark.parametrize("unpaid,flagged", [(5, False), (6, True), (7, True)])
def test_six_months_exactly_flags_five_does_not(based, unpaid, flagged):
    """Judged on 15 November: the complete months run to October. Paid Jan up to
    October − ``unpaid``; the months after are unpaid."""
    at = dt.date(2026, 11, 15)
    last_paid = months.add(dt.date(2026, 10, 1), -unpaid)
    for member in (based.employed, based.retired, based.farmer):
        _pay(based, member, dt.date(2026, 1, 1), dt.date(2026, 10, 1))
    _pay(based, based.probationary, dt.date(2026, 3, 1), dt.date(2026, 10, 1))
    DuesBase.objects.filter(member=based.employed).delete()
    from dangjian.dues.models import DuesPayment

    DuesPayment.objects.filter(member=based.employed, month__gt=last_paid).delete()
    from dangjian.dues.rollup import last_paid_rebuild

    last_paid_rebuild()  # the rows were deleted behind the services' back
    found = _arrears(based, at)
    assert [f.evidence["name"] for f in found] == (["林在职"] if flagged else [])
    if flagged:
        f = found[0]
        assert f.severity == "warning" and f.source == "党章 art. 9"
        assert len(f.evidence["months"]) == unpaid and f.evidence["months"][-1] == "2026-10"
        assert "系统不作自动处理" in f.message
    ids = {m for m, _org in arrears_member_ids(based.branch.path, dt.date(2026, 10, 1))}
    assert (based.employed.pk in ids) == flagged  # the batch form agrees


def test_a_good_reason_stops_the_flag(based):
    at = dt.date(2026, 11, 15)
    for member in (based.retired, based.farmer):
        _pay(based, member, dt.date(2026, 1, 1), dt.date(2026, 10, 1))
    _pay(based, based.probationary, dt.date(2026, 3, 1), dt.date(2026, 10, 1))
    assert [f.evidence["name"] for f in _arrears(based, at)] == ["林在职"]
    exemption_record(
        actor=based.secretary,
        member=based.employed,
        month_from=dt.date(2026, 8, 1),
        month_to=dt.date(2026, 8, 1),
        note="住院治疗，家属告知",
    )
    assert _arrears(based, at) == []
    assert arrears_member_ids(based.branch.path, dt.date(2026, 10, 1)) == []


def test_probationary_owes_from_the_vote_month(based):
    at = dt.date(2026, 6, 5)
    found = [f for f in branch_findings(SYSTEM, based.branch, at) if f.rule == "DUES-PROBATIONARY"]
    assert len(found) == 1
    assert found[0].evidence["months"] == ["2026-03", "2026-04", "2026-05"]
    _pay(based, based.probationary, dt.date(2026, 3, 1), dt.date(2026, 5, 1))
    found = [f for f in branch_findings(SYSTEM, based.branch, at) if f.rule == "DUES-PROBATIONARY"]
    assert found == []


def test_rate_rules_missing_and_stale(place):
    at = dt.date(2026, 3, 5)
    everything = branch_findings(SYSTEM, place.branch, at)
    found = {(f.rule, f.evidence["name"], f.severity) for f in everything if "RATE" in f.rule}
    assert ("DUES-RATE-EMPLOYED", "林在职", "due") in found
    assert ("DUES-RATE-RETIRED", "陈退休", "due") in found
    assert ("DUES-RATE-FLAT", "王农民", "due") in found
    base_set(actor=SYSTEM, member=place.employed, year=2026, category="在职", base="3000")
    DuesBase.objects.filter(member=place.employed).update(monthly_due=Decimal("10.00"))
    stale = [f for f in branch_findings(SYSTEM, place.branch, at) if f.rule == "DUES-RATE-EMPLOYED"]
    assert stale[0].severity == "warning"
    assert (stale[0].evidence["recorded_due"], stale[0].evidence["expected_due"]) == (
        "10.00",
        "15.00",
    )
    assert "3000" not in str(stale[0].evidence)  # the base never appears in a finding


def test_org_totals_are_organization_level(based):
    _pay(based, based.retired, dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    total, rows = org_totals(based.town_admin, based.town, 2026, dt.date(2026, 6, 1))
    # on the rolls: 4 members × 6 months + the probationary member from March (4 months)
    assert total.owed_months == 28 and total.paid_months == 6 and total.arrears_members == 3
    assert total.paid_amount == Decimal("150.00")
    # the far branch's member: 6 months owed, none paid → flagged
    by_name = {r.org.name: r.totals for r in rows}
    assert by_name["西坑村党支部"].arrears_members == 1
    assert by_name["东坑村党支部"].arrears_members == 2  # 林在职, 王农民 (6 months unpaid)
    assert by_name["东坑村党支部"].unpaid_months == 22 - 6


def test_monthly_counters_follow_every_payment(based):
    from dangjian.dues.models import DuesTally
    from dangjian.dues.services import tally_rebuild

    _pay(based, based.retired, dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    _pay(based, based.employed, dt.date(2026, 2, 1), dt.date(2026, 2, 1))
    kept = set(DuesTally.objects.values_list("org_id", "month", "payments", "amount"))
    assert (based.branch.pk, dt.date(2026, 2, 1), 2, Decimal("145.00")) in kept
    assert tally_rebuild() == 3
    assert set(DuesTally.objects.values_list("org_id", "month", "payments", "amount")) == kept
