"""Recruitment cases for the demo district: every stage, plans with priority quotas, and a few
cases with procedural findings.

:func:`seed_demo_recruit` does nothing when cases exist. Otherwise it picks branches of the
demo tree (deterministically for a ``seed``) and walks each case through the real services
(validated, audited) up to its target stage as of ``today``: applicants, activists, development
candidates, admissions waiting for approval, probationary members (some close to the end of
probation, some overdue for conversion), full members, and closed cases. A few cases carry one
procedural mistake each (a late talk, too short as an activist, a vote without a majority,
too little training, a short notice, a late approval, a probationary introducer, a late
archive, no pre-review) so every page shows real findings. The annual plans of the committees
under the district (and the district's own) are set for this year with priority-group quotas;
one is exceeded on purpose. The branch of the demo's branch secretary account gets an applicant
and an activist of its own, so that account can work a case from the start.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError

from dangjian.accounts.scope import SYSTEM
from dangjian.core import idnumber
from dangjian.core.dates import add_months, add_years
from dangjian.members.choices import MemberType
from dangjian.members.models import Member
from dangjian.orgs.choices import BRANCH_TYPES, OrgType, Sector
from dangjian.orgs.models import Organization
from dangjian.recruit import services
from dangjian.recruit.authority import eligible_approvers
from dangjian.recruit.calendar import CalendarRangeError, workdays_between
from dangjian.recruit.models import PriorityGroup, RecruitCase, RecruitStep
from dangjian.recruit.rules import notice_before, params_in_force
from dangjian.recruit.services import CaseInput, CaseUpdate, StepInput, VoteInput

from . import names
from .accounts import demo_nodes
from .seed import home_pool

#: target stage → how many cases (scaled down for a small tree)
STAGE_MIX: list[tuple[str, int]] = [
    ("applicant", 14),
    ("activist", 16),
    ("candidate", 10),
    ("voted", 6),
    ("approval_overdue", 1),
    ("probationary", 12),
    ("probation_ending", 4),
    ("conversion_due", 3),
    ("conversion_voted", 3),
    ("full", 10),
    ("withdrawn", 2),
    ("not_admitted", 2),
]
DEFECTS = [
    "late_talk",
    "short_activist",
    "weak_vote",
    "short_training",
    "short_notice",
    "late_approval",
    "probationary_introducer",
    "late_archive",
    "no_prereview",
]
_GROUP_BY_SECTOR = {
    Sector.RURAL: PriorityGroup.FARMER,
    Sector.PRIVATE_ENTERPRISE: PriorityGroup.NON_PUBLIC,
    Sector.SOCIAL_ORG: PriorityGroup.NON_PUBLIC,
    Sector.STATE_ENTERPRISE: PriorityGroup.WORKER,
    Sector.UNIVERSITY: PriorityGroup.HIGH_KNOWLEDGE,
    Sector.HOSPITAL: PriorityGroup.HIGH_KNOWLEDGE,
    Sector.SCHOOL: PriorityGroup.HIGH_KNOWLEDGE,
}
_SURNAMES = [s for s, _ in names.SURNAMES[:60]]
_DAY = dt.timedelta(days=1)


def case_dates(applied: dt.date, defects: set[str]) -> dict[int, dt.date]:
    """step → date of a demo case applied on ``applied``, with the procedural ``defects``
    (also used by ``benchmarks/run_recruit.py``)."""
    d: dict[int, dt.date] = {1: applied}
    d[2] = applied + dt.timedelta(days=45 if "late_talk" in defects else 20)
    d[3] = add_months(applied, 6) + dt.timedelta(days=10)
    d[4] = d[3] + dt.timedelta(days=7)
    d[5] = d[3] + dt.timedelta(days=7)
    d[6] = d[3] + dt.timedelta(days=14)
    d[7] = add_months(d[3], 10) if "short_activist" in defects else add_years(d[3], 1) + 15 * _DAY
    for n, days in ((8, 7), (9, 10), (10, 20), (11, 30), (12, 45), (13, 50), (14, 55), (15, 70)):
        d[n] = d[7] + dt.timedelta(days=days)
    d[16] = d[15] + dt.timedelta(days=15)
    d[17] = add_months(d[15], 4) if "late_approval" in defects else d[15] + 40 * _DAY
    d[18] = d[17] + dt.timedelta(days=5)
    d[19] = d[17] + dt.timedelta(days=10)
    d[20] = d[17] + dt.timedelta(days=20)
    d[21] = d[17] + dt.timedelta(days=30)
    ends = add_years(d[15], 1)
    d[22] = ends - dt.timedelta(days=20)
    d[23] = ends + dt.timedelta(days=5)
    d[24] = d[23] + dt.timedelta(days=30)
    d[25] = d[24] + dt.timedelta(days=20 if "late_archive" in defects else 5)
    if "no_prereview" in defects:
        del d[13]
    return d


#: target stage → last step recorded
_LAST: dict[str, int] = {
    "applicant": 2,
    "activist": 6,
    "candidate": 14,
    "voted": 16,
    "approval_overdue": 16,
    "probationary": 21,
    "probation_ending": 21,
    "conversion_due": 22,
    "conversion_voted": 23,
    "full": 25,
    "withdrawn": 6,
    "not_admitted": 17,
}


def _applied_on(stage: str, today: dt.date, rng: random.Random, defects: set[str]) -> dt.date:
    """An application date that puts the case at ``stage`` on ``today``: one step of the
    clean timeline is placed a random number of days before (or after) today."""
    days = dt.timedelta
    anchors: dict[str, tuple[int, dt.date]] = {
        "applicant": (1, today - days(rng.randint(5, 150))),
        "activist": (3, today - days(rng.randint(5, 330))),
        "candidate": (7, today - days(rng.randint(1, 65))),
        "voted": (15, today - days(rng.randint(1, 35))),
        "approval_overdue": (15, today - days(rng.randint(95, 130))),
        "probationary": (17, today - days(rng.randint(35, 250))),
        # probation (1 year from the vote) ends in the next 5–55 days, or ended 5–60 days ago
        "probation_ending": (15, add_years(today + days(rng.randint(5, 55)), -1)),
        "conversion_due": (15, add_years(today - days(rng.randint(5, 60)), -1)),
        "conversion_voted": (23, today - days(rng.randint(1, 25))),
        "full": (25, today - days(rng.randint(1, 400))),
        "withdrawn": (3, today - days(rng.randint(30, 300))),
        "not_admitted": (17, today - days(rng.randint(5, 200))),
    }
    step, when = anchors[stage]
    probe = case_dates(when, defects)
    return when - (probe[step] - probe[1])


def _notice(decision: dt.date, short: bool) -> tuple[dt.date, dt.date]:
    """A notice window ending the day before ``decision``: 5+ official working days (or 3)."""
    last = decision - _DAY
    first = last
    need = 3 if short else 6
    try:
        while workdays_between(first, last) < need:
            first -= _DAY
    except CalendarRangeError:
        first = last - dt.timedelta(days=8)
    return first, last


def _person(rng: random.Random, regions: tuple[str, ...]) -> tuple[str, str, dt.date]:
    female = rng.random() < 0.4
    born = dt.date(rng.randint(1986, 2003), 1, 1) + dt.timedelta(days=rng.randrange(365))
    pool = names.GIVEN_YOUNG_FEMALE if female else names.GIVEN_YOUNG_MALE
    if born.year < 1992:
        pool = names.GIVEN_MID_FEMALE if female else names.GIVEN_MID_MALE
    name = (
        rng.choice(_SURNAMES) + rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.6 else "")
    )
    serial = rng.randrange(500) * 2 + (0 if female else 1)
    return name, idnumber.compose_id(rng.choice(regions), born, serial), born


def _regions() -> tuple[str, ...]:
    return home_pool() or ("120113",)


def seed_demo_recruit(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo's recruitment cases and plans; Chinese lines to print. Nothing if cases
    exist or the tree has no branch with full members."""
    if RecruitCase.objects.exists():
        return []
    started = time.monotonic()
    rng = random.Random(f"recruit-{seed}")
    full_by_branch: dict[int, list[Member]] = defaultdict(list)
    probationary_by_branch: dict[int, list[Member]] = defaultdict(list)
    for m in Member.objects.filter(org__org_type__in=BRANCH_TYPES).order_by("org_id", "pk"):
        (full_by_branch if m.member_type == MemberType.FULL else probationary_by_branch)[
            m.org_id
        ].append(m)
    branches = list(
        Organization.objects.filter(
            org_type__in=BRANCH_TYPES, pk__in=[k for k, v in full_by_branch.items() if len(v) >= 3]
        )
        .exclude(org_type=OrgType.TEMP_BRANCH)  # a 临时党支部 does not recruit
        .order_by("path")
    )
    if not branches:
        return []
    total = sum(n for _s, n in STAGE_MIX)
    scale = min(1.0, len(branches) / total)
    stages = [s for s, n in STAGE_MIX for _ in range(max(1, round(n * scale)))]
    chosen = rng.sample(branches, min(len(branches), len(stages)))
    stages = stages[: len(chosen)]
    defect_for: dict[int, str] = {}
    for defect in DEFECTS:
        wanted = ("full",) if defect == "late_archive" else ("full", "probationary")
        free = [i for i, s in enumerate(stages) if s in wanted and i not in defect_for]
        if free:
            defect_for[rng.choice(free)] = defect
    regions = _regions()
    counts: dict[str, int] = defaultdict(int)
    for index, (branch, stage) in enumerate(zip(chosen, stages, strict=True)):
        defects = {defect_for[index]} if index in defect_for else set()
        made = _walk(
            branch,
            stage,
            defects,
            today,
            rng,
            regions,
            full_by_branch[branch.pk],
            probationary_by_branch.get(branch.pk, []),
        )
        if made:
            counts[stage] += 1
    # the demo's branch secretary (a small branch, left out above for its few full members)
    # gets an applicant and, with two full members for the contacts, an activist of her own
    own = _demo_branch()
    if own is not None and own not in chosen:
        own_rng = random.Random(f"recruit-own-{seed}")
        own_full = full_by_branch.get(own.pk, [])
        for stage in ("applicant", "activist") if len(own_full) >= 2 else ("applicant",):
            made = _walk(
                own,
                stage,
                set(),
                today,
                own_rng,
                regions,
                own_full,
                probationary_by_branch.get(own.pk, []),
            )
            if made:
                counts[stage] += 1
    plans = _seed_plans(today, rng)
    seconds = time.monotonic() - started
    labels = {
        "applicant": "入党申请人",
        "activist": "积极分子",
        "candidate": "发展对象",
        "voted": "待审批",
        "approval_overdue": "审批逾期",
        "probationary": "预备党员",
        "probation_ending": "预备期将满",
        "conversion_due": "待转正",
        "conversion_voted": "转正待审批",
        "full": "已转正",
        "withdrawn": "已终止",
        "not_admitted": "未接收",
    }
    detail = "、".join(f"{labels[s]} {counts[s]}" for s, _n in STAGE_MIX if counts.get(s))
    return [
        f"已生成发展党员案例 {sum(counts.values())} 个（{detail}；"
        f"其中 {len(defect_for)} 个含程序问题），年度发展计划 {plans} 个，"
        f"用时 {seconds:.1f} 秒。"
    ]


def _demo_branch() -> Organization | None:
    """The branch the demo's branch secretary account is bound to, if it is a branch."""
    try:
        node = demo_nodes().get("weak_branch")
    except RuntimeError:
        return None
    return node if node is not None and node.org_type in BRANCH_TYPES else None


def _walk(
    branch: Organization,
    stage: str,
    defects: set[str],
    today: dt.date,
    rng: random.Random,
    regions: tuple[str, ...],
    full: list[Member],
    probationary: list[Member],
) -> RecruitCase | None:
    applied = _applied_on(stage, today, rng, defects)
    dates = case_dates(applied, defects)
    last = _LAST[stage]
    group = _GROUP_BY_SECTOR.get(branch.sector, PriorityGroup.YOUTH)
    for _attempt in range(5):
        name, number, born = _person(rng, regions)
        if add_years(born, services.minimum_age(applied)) > applied:
            continue
        if stage in ("activist", "applicant") and rng.random() < 0.3:
            group = PriorityGroup.YOUTH
        try:
            case = services.open_case(
                actor=SYSTEM,
                data=CaseInput(
                    org=branch,
                    name=name,
                    id_number=number,
                    applied_on=applied,
                    priority_group=group,
                ),
                today=today,
            )
            break
        except ValidationError:
            continue
    else:
        return None
    approver = eligible_approvers(branch)
    if approver:
        services.set_approver(actor=SYSTEM, case=case, approver=approver[0])
    short = "short_notice" in defects
    # which step each notice must end before (a parameter: by default the admission and
    # conversion notices end before the branch votes, steps 15 and 23)
    precede = notice_before(params_in_force("RECRUIT-PUBLICITY-5-WORKDAYS", today))

    def reached(n: int) -> bool:
        """Whether step ``n`` of this case was done by ``today`` (and the case got that far)."""
        return n in dates and dates[n] <= today and n <= last

    def record(n: int, **kw: Any) -> None:
        if reached(n):
            services.record_step(
                actor=SYSTEM,
                case=case,
                data=StepInput(number=n, done_on=dates[n], **kw),
                today=today,
            )

    def notice(kind: str) -> None:
        before = int(precede[kind])
        if reached(before):
            first, last_day = _notice(dates[before], short and kind == "admission")
            services.record_notice(
                actor=SYSTEM, case=case, kind=kind, first_day=first, last_day=last_day
            )

    def decide(n: int, decision: str = "approved") -> None:
        if reached(n):
            services.decide(
                actor=SYSTEM, case=case, step=n, decided_on=dates[n], decision=decision, today=today
            )

    contacts = rng.sample(full, min(2, len(full)))
    introducers = rng.sample(full, min(2, len(full)))
    if "probationary_introducer" in defects and probationary:
        introducers = [introducers[0], probationary[0]]
    record(2, talker=f"{rng.choice(full).name}（支部委员）")
    notice("activist")
    record(3)
    record(4)
    record(5, contacts=contacts)
    record(6)
    if reached(3):
        review = add_months(dates[3], 5)
        end = min(today, dates[7] if last >= 7 else today)
        while review <= end:
            services.record_review(
                actor=SYSTEM, case=case, reviewed_on=review, note="表现良好，继续培养", today=today
            )
            review = add_months(review, 5)
    if stage == "withdrawn":
        services.withdraw_case(
            actor=SYSTEM, case=case, on=today - 3 * _DAY, reason="本人工作调动", today=today
        )
        return case
    notice("candidate")
    record(7)
    record(8)
    record(9, introducers=introducers)
    record(10)
    if reached(10):
        services.update_case(
            actor=SYSTEM,
            case=case,
            data=CaseUpdate(
                political_review="pass",
                # five days after the talk with the candidate, and never after today
                political_review_on=min(dates[10] + 5 * _DAY, today),
                political_review_body="街道（乡镇）党（工）委组织办",
                training_hours=16 if "short_training" in defects else 24,
            ),
            today=today,
        )
    record(11)
    record(12)
    decide(13)
    record(14)
    weak = "weak_vote" in defects
    entitled = len(full)  # full members vote; probationary members do not
    present = entitled // 2 if weak else max(1, entitled - rng.randint(0, max(1, entitled // 5)))
    record(15, vote=VoteInput(entitled=entitled, present=present, yes=present))
    record(16, talker="上级党委组织委员")
    notice("admission")
    decide(17, "rejected" if stage == "not_admitted" else "approved")
    if stage == "not_admitted":
        return case
    for n in (18, 19, 20, 21, 22):
        record(n)
    record(23, vote=VoteInput(entitled=entitled, present=entitled, yes=entitled))
    notice("conversion")
    decide(24)
    record(25)
    return case


def _seed_plans(today: dt.date, rng: random.Random) -> int:
    """Plans of this year for the district and the committees directly under it, with quotas
    per priority group; one committee's plan is exceeded on purpose."""
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return 0
    children = Organization.objects.filter(path__startswith=root.path, depth=root.depth + 1)
    committees = [
        root,
        *children.filter(org_type__in=["党委", "党工委"]).order_by("path"),
    ]
    admitted: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for path, group in RecruitStep.objects.filter(
        number=17, round=1, done_on__year=today.year, details__decision="approved"
    ).values_list("case__org__path", "case__priority_group"):
        for org in committees:
            if path.startswith(org.path):
                admitted[org.path][group] += 1
                admitted[org.path][""] += 1
    over_done = False
    count = 0
    for org in committees:
        got = admitted.get(org.path, {})
        total = got.get("", 0)
        if total >= 2 and not over_done and org is not root:
            quota = total - 1
            over_done = True
        else:
            quota = total + rng.randint(1, 4)
        groups: dict[str, int] = {
            str(g): max(1, got.get(g, 0)) for g in (PriorityGroup.WORKER, PriorityGroup.YOUTH)
        }
        groups = {g: min(v, quota) for g, v in groups.items()}
        services.set_plan(actor=SYSTEM, org=org, year=today.year, quota=quota, group_quotas=groups)
        count += 1
    return count
