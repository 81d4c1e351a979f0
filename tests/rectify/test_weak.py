"""ASSESS-WEAK suggestions: each detectable condition with its evidence, scoped, set-based."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.orgs.models import Organization
from dangjian.rectify.rules import weak_candidates
from tests.factories import make_member, make_org
from tests.rectify.helpers import add_result, make_campaign, weak_plan


def _by_code(candidates, *, keep_no_candidate: bool = False):
    """Candidates by org code; the village recruitment condition is left out unless asked for
    (the test villages have no recent recruitment; most tests are about something else)."""
    out = {}
    for c in candidates:
        if not keep_no_candidate:
            c.conditions = [x for x in c.conditions if x["condition"] != "no_candidate"]
        if c.conditions:
            out[c.org.code] = c
    return out


@pytest.mark.django_db
def test_secretary_vacant_and_life(tree):
    at = timezone.localdate()
    Organization.objects.filter(pk=tree["branch_a"].pk).update(
        secretary_vacant_since=at - dt.timedelta(days=150)
    )
    found = _by_code(weak_candidates(tree["admin"], at=at))
    a = found["BA001"]
    assert a.codes[0] == "secretary_vacant"
    assert a.conditions[0]["rule"] == "SETUP-SECRETARY-VACANT"
    assert a.conditions[0]["evidence"]["vacant_days"] == 150
    # no meetings recorded at all: the LIFE frequency rules were missed many times
    assert "life_not_held" in a.codes
    life = next(c for c in a.conditions if c["condition"] == "life_not_held")
    assert "LIFE-THEME-DAY-MONTHLY" in life["evidence"]["missed"]
    assert found["BB001"].codes == ["life_not_held"]
    assert weak_candidates(tree["admin"], at=at)[0].org.code == "BA001"  # most conditions first


@pytest.mark.django_db
def test_scope_and_open_plan(tree):
    at = timezone.localdate()
    found = _by_code(weak_candidates(tree["admin_a"], at=at))
    assert "BB001" not in found and "BA001" in found
    plan = weak_plan(tree["branch_a"])
    found = _by_code(weak_candidates(tree["admin_a"], at=at))
    assert found["BA001"].open_plan_id == plan.pk
    assert weak_candidates(tree["sysadmin"], at=at) == []


@pytest.mark.django_db
def test_life_threshold(tree):
    at = timezone.localdate()
    assert "BA001" in _by_code(weak_candidates(SYSTEM, at=at))
    assert "BA001" not in _by_code(weak_candidates(SYSTEM, at=at, life_min_missed=10_000))


@pytest.mark.django_db
def test_campaign_last_place_but_not_the_lagging_tier(tree):
    """后进 is a tier, not a 软弱涣散 condition (issue 9: a quarter of all branches used to be
    labelled every year); last place is the lowest total of the town's ranking."""
    town = tree["town_a"]
    branches = [tree["branch_a"]] + [make_org(town, sector="农村") for _ in range(3)]
    for b in branches[1:]:
        make_member(b)
    campaign = make_campaign(tree["root"])
    add_result(campaign, branches[0], "58.5", tier="lagging", stars=0)
    add_result(campaign, branches[1], "91")
    add_result(campaign, branches[2], "72")
    add_result(campaign, branches[3], "58.5", tier="middle")
    add_result(campaign, tree["branch_b"], "40", tier="lagging", stars=0)  # alone in its street
    found = _by_code(
        weak_candidates(
            tree["admin"], at=timezone.localdate(), campaign=campaign, life_min_missed=10_000
        )
    )
    assert found["BA001"].codes == ["last_place"]
    last = found["BA001"].conditions[0]
    assert last["evidence"] == {
        "campaign": campaign.pk,
        "total": "58.50",
        "peers": 4,
        "ranked_in": "甲镇党委",
    }
    assert last["message"] == "2025 年度星级评定：总分 58.50，在甲镇党委参评的 4 个组织中排名末位"
    assert found[branches[3].code].codes == ["last_place"]  # tie at the bottom
    assert "BB001" not in found  # 后进 alone is no lead; one organization makes no ranking
    assert branches[1].code not in found and branches[2].code not in found


@pytest.mark.django_db
def test_last_place_ranks_a_whole_town_and_needs_a_difference(tree):
    """Branches under a village 党委 rank with the rest of their town; equal totals everywhere
    name nobody."""
    town = tree["town_a"]
    village = make_org(town, org_type="党委", sector="农村", name="东湖村党委")
    deep = [make_org(village, sector="农村") for _ in range(2)]
    campaign = make_campaign(tree["root"])
    add_result(campaign, tree["branch_a"], "80")
    add_result(campaign, deep[0], "79")
    add_result(campaign, deep[1], "66")
    found = weak_candidates(tree["admin"], campaign=campaign, life_min_missed=10_000)
    last = {c.org.code for c in found if "last_place" in c.codes}
    assert last == {deep[1].code}
    flat = make_campaign(tree["root"], name="2024 年度星级评定")
    for org in (tree["branch_a"], *deep):
        add_result(flat, org, "75")
    found = weak_candidates(tree["admin"], campaign=flat, life_min_missed=10_000)
    assert not [c for c in found if "last_place" in c.codes]


@pytest.mark.django_db
def test_weak_parameters_are_local(tree, settings):
    town = tree["town_a"]
    others = [make_org(town, sector="农村") for _ in range(2)]
    campaign = make_campaign(tree["root"])
    for org, total in zip([tree["branch_a"], *others], ["61", "80", "90"], strict=True):
        add_result(campaign, org, total)

    def last_places():
        found = weak_candidates(tree["admin"], campaign=campaign, life_min_missed=10_000)
        return {c.org.code for c in found if "last_place" in c.codes}

    assert last_places() == {"BA001"}
    settings.DANGJIAN_RULES = {"ASSESS-WEAK": {"last_place_min_peers": 4}}
    assert last_places() == set()
    settings.DANGJIAN_RULES = {"ASSESS-WEAK": {"last_place_peers": 4}}
    with pytest.raises(ValueError, match="ASSESS-WEAK 的本地配置含未知参数：last_place_peers"):
        last_places()
    settings.DANGJIAN_RULES = {"ASSESS-WEAK": {"satisfaction_min": 60}}
    with pytest.raises(ValueError, match="satisfaction_min 无效"):
        last_places()


@pytest.mark.django_db
def test_low_satisfaction_only_when_reliable(tree, settings):
    survey_services = pytest.importorskip("dangjian.survey.services")
    settings.DANGJIAN_SURVEY_MIN_ANSWERS = 30
    today = timezone.localdate()
    campaign = make_campaign(tree["root"])
    key = f"campaign:{campaign.pk}"
    surveys = survey_services.open_surveys(
        SYSTEM,
        orgs=[tree["branch_a"], tree["branch_b"]],
        key=key,
        title="群众满意度测评",
        opens_on=today,
        closes_on=today + dt.timedelta(days=10),
    )
    rng = random.Random(7)
    survey_services.seed_responses(surveys[0], rng, 60, satisfaction=0.3)
    survey_services.seed_responses(surveys[1], rng, 10, satisfaction=0.1)  # too few answers
    found = _by_code(
        weak_candidates(tree["admin"], at=today, campaign=campaign, life_min_missed=10_000)
    )
    assert found["BA001"].codes == ["low_satisfaction"]
    evidence = found["BA001"].conditions[0]["evidence"]
    assert evidence["answers"] == 60 and evidence["satisfaction"] < 0.6
    assert "BB001" not in found


@pytest.mark.django_db
def test_query_count_does_not_grow_with_orgs(tree, django_assert_max_num_queries):
    at = timezone.localdate()
    for _ in range(15):
        make_member(make_org(tree["town_a"], sector="农村"))
    with django_assert_max_num_queries(40) as ctx:
        many = weak_candidates(tree["admin"], at=at)
    assert len(many) >= 17
    n_many = len(ctx.captured_queries)
    for _ in range(15):
        make_member(make_org(tree["town_b"], sector="社区"))
    with django_assert_max_num_queries(n_many):
        assert len(weak_candidates(tree["admin"], at=at)) >= 32


@pytest.mark.django_db
def test_village_without_development_candidate(tree):
    from dangjian.accounts.scope import SYSTEM as operator
    from dangjian.recruit.models import RecruitStep
    from dangjian.recruit.services import CaseInput, open_case
    from tests.factories import make_id_number

    at = timezone.localdate()
    recent = make_org(tree["town_a"], sector="农村", name="新近发展村党支部")
    make_member(recent, member_type="预备党员", joined_on=at - dt.timedelta(days=100))
    candidate = make_org(tree["town_a"], sector="农村", name="有发展对象村党支部")
    make_member(candidate)
    case = open_case(
        actor=operator,
        data=CaseInput(
            org=candidate,
            name="申请人",
            id_number=make_id_number(dt.date(2000, 1, 1)),
            applied_on=at - dt.timedelta(days=700),
        ),
    )
    RecruitStep.objects.create(case=case, number=7, done_on=at - dt.timedelta(days=30))
    young = make_org(tree["town_a"], sector="农村", founded_on=at - dt.timedelta(days=200))
    found = _by_code(
        weak_candidates(tree["admin"], at=at, life_min_missed=10_000), keep_no_candidate=True
    )
    a = found["BA001"]
    assert a.codes == ["no_candidate"]
    assert a.conditions[0]["evidence"]["last_admitted"] == "2010-07-01"
    assert a.conditions[0]["evidence"]["last_candidate"] is None
    assert recent.code not in found and candidate.code not in found
    assert young.code not in found  # founded less than two years ago
    assert "BB001" not in found  # a community, not a village
    only = weak_candidates(tree["admin"], at=at, org_code=recent.code, life_min_missed=10_000)
    assert only == []


@pytest.mark.django_db
def test_a_village_with_several_branches_is_judged_as_one(tree):
    """A retired members' branch of a village whose first branch recruits is not a lead; a
    village whose branches all stopped recruiting is one lead, on the village's 党总支."""
    at = timezone.localdate()
    town = tree["town_a"]
    founded = dt.date(2005, 3, 1)

    def village(name: str, code: str):
        top = make_org(
            town,
            org_type="党总支",
            sector="农村",
            name=f"中共{name}总支部委员会",
            region_code=code,
            founded_on=founded,
        )
        branches = [
            make_org(
                top, sector="农村", name=f"{name}第{n}党支部", region_code=code, founded_on=founded
            )
            for n in ("一", "二")
        ]
        for b in branches:
            make_member(b, joined_on=dt.date(1995, 7, 1))
        return top, branches

    recruiting, (first, second) = village("东湖村", "120113001210")
    make_member(first, member_type="预备党员", joined_on=at - dt.timedelta(days=200))
    idle, _ = village("西湖村", "120113001211")
    found = _by_code(
        weak_candidates(tree["admin"], at=at, life_min_missed=10_000), keep_no_candidate=True
    )
    assert recruiting.code not in found and second.code not in found
    assert idle.code in found and found[idle.code].codes == ["no_candidate"]
    lead = found[idle.code].conditions[0]
    assert lead["evidence"]["village_branches"] == 2
    assert "全村 2 个党支部没有确定发展对象" in lead["message"]
    assert not any("西湖村第" in c.org.name for c in found.values())  # not each branch again
