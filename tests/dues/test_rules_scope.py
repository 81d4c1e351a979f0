"""The DUES family in the rules engine: ``findings_for`` / ``dangjian check --rules DUES`` give
the DUES findings of every branch of the run's scope, the same as each branch's own dues page
and as the per-member definition (``on_roll`` member by member), limited to the scope, with the
bases decrypted only when a rate rule is asked for and a number of queries that does not grow
with the number of branches."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from dangjian.accounts.scope import SYSTEM
from dangjian.core import crypto
from dangjian.dues import months
from dangjian.dues.models import DuesBase, DuesExemption, DuesPayment
from dangjian.dues.rules import BranchDues, MemberDues
from dangjian.dues.selectors import branch_findings
from dangjian.dues.services import base_set, default_category, exemption_record, on_roll
from dangjian.members.choices import MemberType
from dangjian.members.models import Member, MemberStatus
from dangjian.rules.registry import REGISTRY
from dangjian.rules.runner import evaluate, findings_for
from tests.factories import make_member, make_org, make_user

AT = dt.date(2026, 11, 15)  # complete months run to 2026-10
PAID = dt.date(2026, 11, 2)


def _pay(member, first: dt.date, last: dt.date, amount: str = "1") -> None:
    from dangjian.dues.services import payment_record

    for m in months.span(first, last):
        payment_record(actor=SYSTEM, member=member, month=m, paid_on=PAID, amount=amount)


@pytest.fixture
def town(place):
    """The conftest's town plus a third branch, deaths, an exemption, a transfer and bases."""
    third = make_org(place.town, org_type="党支部", sector="农村", name="南坑村党支部")
    for member, cat, base in [
        (place.employed, "在职", "8000"),
        (place.retired, "离退休", "5000"),
        (place.probationary, "学生", None),
        (place.far, "在职", "12000"),
    ]:
        base_set(actor=SYSTEM, member=member, year=2026, category=cat, base=base)
    # a base recorded at an amount the rates no longer give (DUES-RATE-EMPLOYED 提醒)
    DuesBase.objects.filter(member=place.far).update(monthly_due=Decimal("100.00"))
    _pay(place.employed, dt.date(2026, 1, 1), dt.date(2026, 3, 1), "120")  # 7 months unpaid
    _pay(place.retired, dt.date(2026, 1, 1), dt.date(2026, 10, 1), "25")
    _pay(place.probationary, dt.date(2026, 3, 1), dt.date(2026, 6, 1), "0.2")
    # the farmer: nothing paid, but a good reason for the summer (breaks the run)
    exemption_record(
        actor=SYSTEM,
        member=place.farmer,
        month_from=dt.date(2026, 6, 1),
        month_to=dt.date(2026, 7, 1),
        note="外出务工，支部已联系",
    )
    # the far branch: one member died in August after 2 paid months (judged to July only)
    dead = make_member(place.other, name="吴已故", category="在岗职工")
    _pay(dead, dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    MemberStatus.objects.create(
        member=dead, kind="死亡", started_on=dt.date(2026, 8, 10), decided_by="西坑村党支部"
    )
    # one who died in January owes nothing this year and is not judged
    gone = make_member(place.other, name="郑早故", category="在岗职工")
    MemberStatus.objects.create(
        member=gone, kind="死亡", started_on=dt.date(2025, 12, 20), decided_by="西坑村党支部"
    )
    # a member moved to the third branch in September: paid there, the months before follow him
    moved = make_member(third, name="钱转入", category="在岗职工")
    _pay(moved, dt.date(2026, 9, 1), dt.date(2026, 10, 1))
    # a probationary member voted in on 31 October owes October
    make_member(third, name="孙新预备", member_type="预备党员", joined_on=dt.date(2026, 10, 31))
    place.third = third
    place.third_secretary = make_user(third, "branch_secretary")
    return place


def _per_member(org, at: dt.date) -> BranchDues:
    """The definition member by member (``on_roll`` over each member's standings), as the
    branch page computed it before the facts were read in bulk."""
    through = months.add(months.first(at), -1)
    year = through.year
    start = min(dt.date(year, 1, 1), months.add(through, -11))
    rows = []
    for m in Member.objects.filter(org=org).prefetch_related("statuses").order_by("name", "pk"):
        owed = tuple(d for d in months.span(start, through) if on_roll(m, d))
        if not owed and not on_roll(m, months.first(at)):
            continue
        b = DuesBase.objects.filter(member=m, year=year).first()
        excused: set[dt.date] = set()
        for e in DuesExemption.objects.filter(member=m):
            excused.update(months.span(e.month_from, e.month_to))
        rows.append(
            MemberDues(
                member_id=m.pk,
                name=m.name,
                probationary=m.member_type == MemberType.PROBATIONARY,
                joined_on=m.joined_on,
                category=b.category if b else default_category(m),
                has_base=b is not None,
                base=Decimal(crypto.decrypt(b.base_cipher)) if b and b.base_cipher else None,
                monthly_due=b.monthly_due if b else None,
                owed=owed,
                paid=frozenset(
                    DuesPayment.objects.filter(
                        member=m, month__gte=start, month__lte=through
                    ).values_list("month", flat=True)
                ),
                excused=frozenset(d for d in excused if start <= d <= through),
                left=m.joined_on <= months.last_day(through) and not on_roll(m, through),
            )
        )
    return BranchDues(org.code, org.name, year, tuple(rows))


def _dues_specs():
    return [spec for spec, _f in REGISTRY.values() if spec.family == "DUES"]


def _keys(findings):
    return sorted(
        (f.subject, f.rule, f.message, json.dumps(f.evidence, default=str)) for f in findings
    )


def test_subtree_findings_are_every_branch_page_and_the_per_member_definition(town):
    found = findings_for(SYSTEM, rules="DUES", org_code=town.town.code, at=AT)
    pages = [
        *branch_findings(town.secretary, town.branch, AT),
        *branch_findings(town.outsider, town.other, AT),
        *branch_findings(town.third_secretary, town.third, AT),
    ]
    slow = evaluate(
        [_per_member(org, AT) for org in (town.branch, town.other, town.third)], AT, _dues_specs()
    )
    assert _keys(found) == _keys(pages) == _keys(slow)
    by_rule = defaultdict(set)
    for f in found:
        by_rule[f.rule].add(f.evidence["name"])
    # 周西坑 never paid; 吴已故 left 6 months unpaid but died in August: no lead
    assert by_rule["DUES-ARREARS-6-MONTHS"] == {"林在职", "周西坑"}
    assert by_rule["DUES-PROBATIONARY"] == {"赵预备", "孙新预备"}
    assert by_rule["DUES-RATE-EMPLOYED"] >= {"周西坑", "吴已故", "钱转入"}
    assert "郑早故" not in {f.evidence["name"] for f in found}
    arrears = next(f for f in found if f.evidence["name"] == "林在职" and "ARREARS" in f.rule)
    assert arrears.subject == town.branch.code
    assert arrears.evidence["months"] == [f"2026-{m:02d}" for m in range(4, 11)]
    # the base is never in a finding, only the amounts the branch records in clear
    assert not any("12000" in f.message or "12000" in json.dumps(f.evidence) for f in found)


def test_scope_limits_the_findings(town):
    mine = findings_for(town.secretary, rules="DUES", at=AT)
    assert mine and {f.subject for f in mine} == {town.branch.code}
    other = findings_for(town.outsider, rules="DUES", at=AT)
    assert other and {f.subject for f in other} == {town.other.code}
    upper = findings_for(town.town_admin, rules="DUES", at=AT)
    assert {f.subject for f in upper} == {town.branch.code, town.other.code, town.third.code}
    one = findings_for(town.town_admin, rules="DUES", org_code=town.third.code, at=AT)
    assert {f.subject for f in one} == {town.third.code}
    with pytest.raises(Http404):
        findings_for(town.secretary, rules="DUES", org_code=town.other.code, at=AT)


def test_only_a_rate_rule_decrypts_the_bases(town, monkeypatch):
    calls = []
    real = crypto.decrypt
    monkeypatch.setattr(crypto, "decrypt", lambda blob: calls.append(1) or real(blob))
    arrears = findings_for(
        SYSTEM, rules="DUES", rule_ids=["DUES-ARREARS-6-MONTHS", "DUES-PROBATIONARY"], at=AT
    )
    assert {f.rule for f in arrears} == {"DUES-ARREARS-6-MONTHS", "DUES-PROBATIONARY"}
    assert calls == []
    rates = findings_for(SYSTEM, rules="DUES", rule_ids=["DUES-RATE-EMPLOYED"], at=AT)
    assert rates and {f.rule for f in rates} == {"DUES-RATE-EMPLOYED"}
    assert calls


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as ctx:
        findings_for(SYSTEM, rules="DUES", at=AT, **kwargs)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_branches(town):
    before = _queries()
    for i in range(6):
        branch = make_org(town.town, org_type="党支部", sector="农村", name=f"新村{i}党支部")
        for _ in range(3):
            make_member(branch, category="在岗职工")
    assert _queries() == before


def test_check_command_lists_the_dues_findings_of_the_subtree(town):
    out = io.StringIO()
    call_command(
        "check_rules",
        "--rules",
        "DUES",
        "--org",
        town.other.code,
        "--at",
        AT.isoformat(),
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data and {d["subject"] for d in data} == {town.other.code}
    assert {(d["rule"], d["evidence"]["name"]) for d in data} == {
        ("DUES-RATE-EMPLOYED", "周西坑"),
        ("DUES-RATE-EMPLOYED", "吴已故"),
        ("DUES-ARREARS-6-MONTHS", "周西坑"),
    }
    assert all(d["message"] and "DUES" not in d["message"] for d in data)


def test_api_gives_the_dues_findings_of_the_users_subtree(town, api):
    url = f"/api/v1/findings/?rules=DUES&at={AT.isoformat()}"
    body = api(town.town_admin).get(url).json()
    rows = body["results"] if isinstance(body, dict) else body
    want = findings_for(town.town_admin, rules="DUES", at=AT)
    assert sorted((r["subject"], r["rule"], r["message"]) for r in rows) == sorted(
        (f.subject, f.rule, f.message) for f in want
    )
    mine = api(town.outsider).get(url).json()
    rows = mine["results"] if isinstance(mine, dict) else mine
    assert rows and {r["subject"] for r in rows} == {town.other.code}
    far = api(town.outsider).get(url + f"&org={town.branch.code}")
    assert far.status_code in (400, 404)


def test_a_rated_base_without_its_income_is_not_recomputed(town):
    """A 核定 entered without its base (a bulk load) is neither a crash nor a finding."""
    DuesBase.objects.filter(member=town.far).update(base_cipher=None)
    found = findings_for(SYSTEM, rules="DUES", rule_ids=["DUES-RATE-EMPLOYED"], at=AT)
    assert "周西坑" not in {f.evidence["name"] for f in found}
    assert {"吴已故", "钱转入"} <= {f.evidence["name"] for f in found}
