"""Synthetic data: deterministic, valid, realistic in structure and in its share of problems."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.core import idnumber
from dangjian.core.dates import add_years
from dangjian.core.models import AuditEntry
from dangjian.core.tree import tree_problems
from dangjian.demo.seed import (
    TIERS,
    NotEmpty,
    database_rows,
    iter_plans,
    plan_rows,
    rows_digest,
    seed_database,
)
from dangjian.members.choices import MemberType, Post
from dangjian.members.models import Member
from dangjian.members.services import MemberInput, member_validate
from dangjian.orgs.choices import BRANCH_TYPES, OrgType
from dangjian.orgs.models import Organization

AS_OF = dt.date(2026, 6, 30)
TINY = TIERS["tiny"]


def test_same_seed_same_rows_other_seed_other_rows():
    first = rows_digest(plan_rows(TINY, 7, AS_OF))
    assert first == rows_digest(plan_rows(TINY, 7, AS_OF))
    assert first != rows_digest(plan_rows(TINY, 8, AS_OF))
    assert first != rows_digest(plan_rows(TINY, 7, AS_OF - dt.timedelta(days=1)))


@pytest.fixture(scope="module")
def district_plan():
    return next(iter_plans(TIERS["district"], 42, AS_OF))


def test_district_tier_has_the_documented_size(district_plan):
    orgs = district_plan.orgs
    assert 1300 <= len(orgs) <= 1800  # scale.md: ~1,500 organizations
    assert 26_000 <= district_plan.member_count <= 34_000  # ~30,000 members
    codes = [o.code for o in orgs]
    assert len(set(codes)) == len(codes)
    types = Counter(o.org_type for o in orgs)
    assert types[OrgType.BRANCH] > types[OrgType.GENERAL_BRANCH] > 0
    assert types[OrgType.JOINT_BRANCH] > 0 and types[OrgType.GROUP] > 0
    sectors = Counter(o.sector for o in orgs)
    for sector in ("农村", "社区", "机关", "事业单位", "国有企业", "非公有制企业", "社会组织",
                   "中小学", "医院"):  # fmt: skip
        assert sectors[sector] > 0, sector
    # members only in branches, branches mostly of 5–40 members with a tail of larger ones
    sizes = [len(o.members) for o in orgs if o.org_type in BRANCH_TYPES]
    assert all(not o.members for o in orgs if o.org_type not in BRANCH_TYPES)
    usual = sum(5 <= s <= 40 for s in sizes) / len(sizes)
    assert 0.7 <= usual <= 0.95
    assert any(s > 50 for s in sizes)


def test_district_tier_has_a_realistic_share_of_setup_problems(district_plan):
    branches = [o for o in district_plan.orgs if o.org_type in BRANCH_TYPES]
    n = len(branches)

    def full(o):
        return [m for m in o.members if m.member_type == MemberType.FULL]

    def committee(o):
        return [m for m in o.members if m.post and m.post != Post.GROUP_LEADER]

    few = sum(len(full(o)) < 3 for o in branches) / n
    big = sum(len(o.members) > 50 for o in branches) / n
    no_committee = sum(len(full(o)) >= 7 and len(committee(o)) < 3 for o in branches) / n
    vacant = [o for o in branches if not any(m.post == Post.SECRETARY for m in o.members)]
    young = [
        o
        for o in branches
        for m in o.members
        if m.post == Post.SECRETARY and m.confirmed_on and (AS_OF - m.confirmed_on).days < 365
    ]
    joint_many = [o for o in branches if (o.units_covered or 0) > 5]
    assert 0.01 <= few <= 0.08
    assert 0.01 <= big <= 0.10
    assert 0.01 <= no_committee <= 0.10
    assert 0.01 <= len(vacant) / n <= 0.06
    assert all(o.secretary_vacant_since for o in vacant)
    assert 0.005 <= len(young) / n <= 0.05
    assert joint_many and all(o.org_type == OrgType.JOINT_BRANCH for o in joint_many)
    # terms: most running, some expired, some ending within six months
    ends = []
    for o in district_plan.orgs:
        if o.org_type == OrgType.GROUP:
            assert o.term_started_on is None
            continue
        years = 5 if o.sector in ("农村", "社区") or o.org_type in ("党委", "党工委") else 3
        ends.append((add_years(o.term_started_on, years) - AS_OF).days)
    expired = sum(e < 0 for e in ends) / len(ends)
    expiring = sum(0 <= e <= 183 for e in ends) / len(ends)
    assert 0.02 <= expired <= 0.08 and 0.04 <= expiring <= 0.14


def test_members_are_valid_and_plausible(district_plan):
    genders = Counter()
    for o in district_plan.orgs[:400]:
        for m in o.members:
            number = idnumber.validate_id(m.id_number)  # check digit, birth date, region
            assert idnumber.birth_date(number) == m.birth_date
            assert idnumber.gender(number) == m.gender
            assert 1940 <= m.birth_date.year <= 2006
            assert m.joined_on >= m.birth_date.replace(year=m.birth_date.year + 18, day=1)
            assert 2 <= len(m.name) <= 4
            genders[m.gender] += 1
    assert 0.15 < genders["女"] / sum(genders.values()) < 0.5


@pytest.mark.django_db
def test_seed_writes_exactly_the_plan_with_one_audit_entry():
    result = seed_database(tier="tiny", seed=5, as_of=AS_OF, progress=False)
    assert result.organizations == Organization.objects.count() > 50
    assert result.members == Member.objects.count() > 500
    assert tree_problems(Organization).ok
    assert rows_digest(database_rows()) == rows_digest(plan_rows(TINY, 5, AS_OF))
    entries = AuditEntry.objects.filter(action="seed.run")
    assert entries.count() == 1 == AuditEntry.objects.count()
    assert entries[0].after["members"] == result.members
    # every stored member passes the same validation as a form or an import
    for member in Member.objects.select_related("org")[:300]:
        data = MemberInput(
            name=member.name,
            id_number=member.id_number(),
            member_type=member.member_type,
            joined_on=member.joined_on,
            org=member.org,
            confirmed_on=member.confirmed_on,
            gender=member.gender,
            birth_date=member.birth_date,
            post=member.post,
            phone=member.phone(),
        )
        assert member_validate(data, today=AS_OF) == {}
        assert member.id_number_masked == idnumber.mask_id(member.id_number())
    # at most one secretary per branch
    secretaries = Counter(
        Member.objects.filter(post=Post.SECRETARY).values_list("org_id", flat=True)
    )
    assert max(secretaries.values()) == 1


def test_seed_refuses_a_database_with_data(tree):
    before = (Organization.objects.count(), Member.objects.count(), AuditEntry.objects.count())
    with pytest.raises(NotEmpty, match="只在空数据库上运行"):
        seed_database(tier="tiny", seed=1, progress=False)
    with pytest.raises(CommandError, match="已有 5 个组织"):
        call_command("seed", "--tier", "tiny", "--no-progress", stdout=StringIO())
    after = (Organization.objects.count(), Member.objects.count(), AuditEntry.objects.count())
    assert after == before
    with pytest.raises(CommandError, match="不为空"):
        call_command("seed", "--database-empty-check", stdout=StringIO())


@pytest.mark.django_db
def test_seed_command(capsys):
    out = StringIO()
    call_command("seed", "--database-empty-check", stdout=out)
    assert "数据库为空" in out.getvalue()
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("seed", "--tier", "tiny", "--as-of", "2026-13-01", stdout=StringIO())
    out = StringIO()
    call_command("seed", "--tier", "tiny", "--seed", "9", "--as-of", "2026-01-15", stdout=out)
    assert "个组织" in out.getvalue() and "种子 9" in out.getvalue()
    assert Organization.objects.filter(depth=1).get().name == "中共滨河区委员会"
    assert "生成微型数据" in capsys.readouterr().err  # the progress bar goes to stderr


@pytest.mark.django_db
def test_seeded_database_gives_setup_findings():
    selectors = pytest.importorskip("dangjian.rules.runner")
    from dangjian.accounts.scope import SYSTEM

    seed_database(tier="tiny", seed=42, progress=False)
    rules = Counter(f.rule for f in selectors.findings_for(SYSTEM))
    for rule in ("SETUP-BRANCH-MIN-FULL", "SETUP-BRANCH-MAX", "SETUP-COMMITTEE-REQUIRED",
                 "SETUP-SECRETARY-VACANT", "SETUP-TERM-EXPIRED"):  # fmt: skip
        assert rules[rule] >= 1, rule


@pytest.mark.django_db
def test_seed_leaves_every_index_and_constraint_in_place():
    from django.db import IntegrityError, connection, transaction

    def schema():
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, Member._meta.db_table)
        return {
            name: (tuple(c["columns"]), c["unique"], c["index"], c["primary_key"])
            for name, c in found.items()
        }

    before = schema()
    seed_database(tier="tiny", seed=11, progress=False)
    assert schema() == before
    member = Member.objects.first()
    clone = Member.objects.get(pk=member.pk)
    clone.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()  # the unique digest constraint is back in force
