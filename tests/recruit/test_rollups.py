"""The recruitment rollups (:mod:`dangjian.recruit.rollups`): kept by every write of the
services, equal to a rebuild from the records after random write sequences, and the dashboard
and the queue read from them show what the records show."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.scope import SYSTEM
from dangjian.core import rollup
from dangjian.orgs.services import org_move
from dangjian.recruit import rollups, services
from dangjian.recruit.models import (
    CaseState,
    CaseStatus,
    CaseTally,
    CaseWaiting,
    PriorityGroup,
    RecruitCase,
    StageCount,
)
from dangjian.recruit.selectors import approval_queue, dashboard, queue_rows, with_cases
from dangjian.recruit.services import StepInput, VoteInput
from tests.recruit.helpers import unique_id

SEQUENCES = 25
WRITES = 10
SEED = 20261206


def _vote() -> VoteInput:
    return VoteInput(entitled=20, present=15, yes=11, written_opinions=0)


class World:
    def __init__(self, tree: dict[str, Any], rng: random.Random) -> None:
        self.tree, self.rng = tree, rng
        self.today = timezone.localdate()

    def branches(self) -> list[Any]:
        return [self.tree["branch_a"], self.tree["branch_b"]]

    def pick(self, *statuses: str) -> RecruitCase | None:
        found = list(RecruitCase.objects.filter(status__in=statuses).order_by("pk"))
        return self.rng.choice(found) if found else None


def open_one(w: World) -> str:
    applied = w.today - dt.timedelta(days=w.rng.randint(30, 1500))
    data = services.CaseInput(
        org=w.rng.choice(w.branches()),
        name="申请人",
        id_number=unique_id(dt.date(1995, 5, 5)),
        applied_on=applied,
        priority_group=w.rng.choice(PriorityGroup.values),
    )
    case = services.open_case(actor=SYSTEM, data=data)
    return f"新建案例 {case.case_no} {applied}"


def next_step(w: World) -> str:
    case = w.pick(CaseStatus.OPEN, CaseStatus.ADMITTED)
    if case is None:
        return "无进行中案例"
    done = dict(case.steps.filter(round=1).values_list("number", "done_on"))
    number = max(done) + 1 if w.rng.random() < 0.85 else w.rng.randint(2, 25)
    if number > 25:
        return "已完成全部步骤"
    last = max(done.values())
    day = min(w.today, last + dt.timedelta(days=w.rng.randint(1, 200)))
    kw: dict[str, Any] = {}
    if number in (15, 23):
        kw["vote"] = _vote()
    if number in (13, 17):
        kw["decision"] = "approved" if w.rng.random() < 0.85 else "rejected"
    if number == 24:
        kw["decision"] = w.rng.choice(["approved", "approved", "extended", "cancelled"])
        if kw["decision"] == "extended":
            kw["extension_months"] = 6
    if number == 9:
        kw["introducers"] = w.tree["members_a"][:2]
    services.record_step(actor=SYSTEM, case=case, data=StepInput(number=number, done_on=day, **kw))
    return f"{case.case_no} 第{number}步 {day}"


def withdraw(w: World) -> str:
    case = w.pick(CaseStatus.OPEN)
    if case is None:
        return "无可终止案例"
    services.withdraw_case(actor=SYSTEM, case=case, on=w.today - dt.timedelta(days=1))
    return f"终止 {case.case_no}"


def review(w: World) -> str:
    case = w.pick(CaseStatus.OPEN)
    if case is None:
        return "无案例"
    day = w.today - dt.timedelta(days=w.rng.randint(0, 300))
    services.record_review(actor=SYSTEM, case=case, reviewed_on=day)
    return f"考察 {case.case_no} {day}"


def notice(w: World) -> str:
    case = w.pick(CaseStatus.OPEN, CaseStatus.ADMITTED)
    if case is None:
        return "无案例"
    first = w.today - dt.timedelta(days=w.rng.randint(5, 400))
    kind = w.rng.choice(["activist", "candidate", "admission", "conversion"])
    services.record_notice(
        actor=SYSTEM, case=case, kind=kind, first_day=first, last_day=first + dt.timedelta(4)
    )
    return f"公示 {case.case_no} {kind}"


def extend(w: World) -> str:
    case = w.pick(CaseStatus.OPEN, CaseStatus.ADMITTED)
    if case is None:
        return "无案例"
    step = 17 if case.status == CaseStatus.OPEN else 24
    services.approval_extend(
        actor=SYSTEM,
        case=case,
        step=step,
        months=w.rng.choice([4, 6]),
        approved_on=w.today - dt.timedelta(days=w.rng.randint(0, 60)),
        approved_by="区委组织部",
        reason="特殊情况",
    )
    return f"延长审批 {case.case_no} 第{step}步"


def approver(w: World) -> str:
    case = w.pick(CaseStatus.OPEN)
    if case is None:
        return "无案例"
    town = w.tree["town_a"] if case.org.path.startswith(w.tree["town_a"].path) else None
    town = town or w.tree["town_b"]
    services.set_approver(actor=SYSTEM, case=case, approver=town)
    return f"审批党委 {case.case_no}"


def update(w: World) -> str:
    case = w.pick(CaseStatus.OPEN)
    if case is None:
        return "无案例"
    services.update_case(
        actor=SYSTEM,
        case=case,
        data=services.CaseUpdate(training_hours=w.rng.choice([8, 24, 40])),
    )
    return f"修改 {case.case_no}"


def plan(w: World) -> str:
    org = w.rng.choice([w.tree["root"], w.tree["town_a"], w.tree["town_b"], *w.branches()])
    org.refresh_from_db()
    year = w.rng.choice([w.today.year, w.today.year - 1])
    groups = w.rng.choice([{}, {"青年": 1}, {"一线工人": 2}])
    services.set_plan(
        actor=SYSTEM, org=org, year=year, quota=w.rng.randint(2, 6), group_quotas=groups
    )
    return f"计划 {org.code} {year}"


def move(w: World) -> str:
    branch = w.rng.choice(w.branches())
    branch.refresh_from_db()
    parent = w.rng.choice([w.tree["town_a"], w.tree["town_b"]])
    parent.refresh_from_db()
    org_move(actor=SYSTEM, org=branch, new_parent=parent)
    return f"移动 {branch.code} → {parent.code}"


ACTIONS = [open_one] * 3 + [next_step] * 8 + [withdraw, review, notice, extend, approver]
ACTIONS += [update, move, plan]


def board_contents(board: Any) -> dict[str, Any]:
    def rows(items: Any) -> list[tuple[Any, ...]]:
        return [tuple(vars(r).get(k) for k in sorted(vars(r)) if k != "_case") for r in items]

    return {
        "by_stage": board.by_stage,
        "overdue": rows(board.overdue_approvals),
        "ending": rows(board.probation_ending),
        "due": rows(board.conversions_due),
        "findings": rows(board.with_findings),
        "by_rule": board.findings_by_rule,
        "plans": [(p.org_code, p.quota, p.admitted) for p in board.plans],
        "admitted": (board.admitted_total, board.unplanned, board.admitted_by_group),
    }


def assert_counters_equal_a_recount(today: dt.date, what: str) -> None:
    """The subtree counters kept by the writes equal those counted again from the records
    (every case computed anew, each organization's subtree summed)."""
    recount = rollups.tallies_of((row, today) for row in rollups.expected(at=today).states.values())
    kept = rollup.stored_rows(CaseTally.objects.all(), rollups.TALLY_KEY, [rollups.SUB])
    assert kept == recount, what


def assert_same_as_records(tree: dict[str, Any], today: dt.date, what: str) -> None:
    assert rollups.differences() == [], what
    assert_counters_equal_a_recount(today, what)
    for user in ("admin", "admin_a", "admin_b"):
        for prefix in (None, tree["town_a"].path):
            for year in (today.year, today.year - 1):
                stored = board_contents(dashboard(tree[user], year, today, prefix))
                recorded = board_contents(dashboard(tree[user], year, today, prefix, records=True))
                assert stored == recorded, (what, user, prefix, year)
        stored_queue = approval_queue(tree[user], today)
        assert stored_queue == approval_queue(tree[user], today, records=True), what


@pytest.mark.django_db
def test_random_writes_keep_the_rows_equal_to_a_rebuild_and_the_pages_equal(tree):
    """The writes accumulate (cases go far along their steps); after every sequence the rows
    equal a rebuild and every dashboard and queue read from them equals the records'."""
    rng = random.Random(SEED)
    today = timezone.localdate()
    world = World(tree, rng)
    done: list[str] = []
    for n in range(SEQUENCES):
        for _ in range(WRITES):
            action = rng.choice(ACTIONS)
            try:
                with transaction.atomic():
                    done.append(action(world))
            except ValidationError as exc:
                done.append(f"{action.__name__} 拒绝：{list(exc.message_dict)}")
        for key in ("branch_a", "branch_b", "town_a", "town_b"):
            tree[key].refresh_from_db()
        assert rollups.usable(tree["root"].path, today) == (True, True)
        assert_same_as_records(tree, today, f"序列 {n}：{done[-WRITES:]}")
    stages = set(CaseState.objects.values_list("stage", flat=True))
    assert {"applicant", "probationary", "closed"} <= stages and len(stages) >= 4, stages
    assert CaseWaiting.objects.exists()
    assert CaseTally.objects.filter(kind="admit", sub_cases__gt=0).exists()
    assert CaseTally.objects.filter(kind="rule", sub_cases__gt=0).exists()


@pytest.mark.django_db
def test_the_counts_by_stage_per_branch_and_per_year(tree):
    rng = random.Random(7)
    world = World(tree, rng)
    for _ in range(40):
        try:
            with transaction.atomic():
                rng.choice([open_one, next_step, next_step, next_step, withdraw])(world)
        except ValidationError:
            pass
    counted: dict[tuple[int, int, str], int] = {
        (r.org_id, r.year, r.stage): r.n for r in StageCount.objects.all() if r.n
    }
    wanted: dict[tuple[int, int, str], int] = {}
    for state in CaseState.objects.all():
        years = {d.year for d in state.case.steps.values_list("done_on", flat=True)}
        for year in (0, *years):
            key = (state.org_id, year, state.stage)
            wanted[key] = wanted.get(key, 0) + 1
    assert counted == wanted and sum(n for (_o, y, _s), n in counted.items() if y == 0) == (
        RecruitCase.objects.count()
    )
    # a rebuild writes the same rows
    before = sorted(StageCount.objects.filter(n__gt=0).values_list("org_id", "year", "stage", "n"))
    rollups.rebuild()
    after = sorted(StageCount.objects.values_list("org_id", "year", "stage", "n"))
    assert before == after and rollups.differences() == []


@pytest.mark.django_db
def test_next_deadline_and_its_rule_come_from_the_timeline(tree):
    today = timezone.localdate()
    applied = today - dt.timedelta(days=10)
    data = services.CaseInput(
        org=tree["branch_a"],
        name="甲",
        id_number=unique_id(dt.date(1996, 1, 1)),
        applied_on=applied,
    )
    case = services.open_case(actor=SYSTEM, data=data)
    state = CaseState.objects.get(case=case)
    assert (state.stage, state.next_step, state.next_rule) == (
        "applicant",
        2,
        "RECRUIT-TALK-1-MONTH",
    )
    assert state.next_deadline is not None and state.next_deadline > applied
    services.record_step(
        actor=SYSTEM, case=case, data=StepInput(number=2, done_on=today, talker="书记")
    )
    state.refresh_from_db()
    assert state.next_deadline is None and state.next_rule == ""


@pytest.mark.django_db
def test_the_queue_page_reads_one_page_of_rows(tree, login, django_assert_max_num_queries):
    today = timezone.localdate()
    for i in range(3):
        data = services.CaseInput(
            org=tree["branch_a"],
            name=f"乙{i}",
            id_number=unique_id(dt.date(1996, 1, 1)),
            applied_on=today - dt.timedelta(days=900),
        )
        case = services.open_case(actor=SYSTEM, data=data)
        for number, back in ((3, 700), (7, 300), (15, 200)):
            kw = {"vote": _vote()} if number == 15 else {}
            services.record_step(
                actor=SYSTEM,
                case=case,
                data=StepInput(number=number, done_on=today - dt.timedelta(days=back), **kw),
            )
    assert CaseWaiting.objects.filter(step=17).count() == 3
    rows = queue_rows(tree["admin_a"], today)
    assert rows is not None and len(rows) == 3 and all(r.overdue for r in with_cases(rows[:3]))
    assert [(r.case_no, r.step) for r in rows] == [
        (r.case_no, r.step) for r in approval_queue(tree["admin_a"], today, records=True)
    ]
    board = dashboard(tree["admin"], today.year, today)
    assert board.by_stage["candidate"] == 3 and len(board.overdue_approvals) == 3
    client = login("admin_a")
    client.get("/recruit/queue/")
    with django_assert_max_num_queries(15):
        response = client.get("/recruit/queue/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_a_subtree_rebuild_mends_its_counters_and_keeps_those_above(tree):
    """``rebuild(org)`` of a town: the town's and its branches' counters are rebuilt, the root's
    keep the other town's cases and take the town's anew; the check then finds nothing."""
    world = World(tree, random.Random(SEED))
    for _ in range(12):
        try:
            with transaction.atomic():
                world.rng.choice([open_one, next_step, next_step, withdraw])(world)
        except ValidationError:
            pass
    town = tree["town_a"]
    town.refresh_from_db()
    stage = CaseTally.objects.filter(org=town, kind="stage", year=0, sub_cases__gt=0).first()
    assert stage is not None
    CaseTally.objects.filter(pk=stage.pk).update(sub_cases=stage.sub_cases + 5)
    root = CaseTally.objects.get(org=tree["root"], kind="stage", year=0, code=stage.code)
    found = [d for d in rollups.differences(town) if "含下级" in d.what]
    assert found and str(stage.sub_cases + 5) in str(found[0])
    rollups.rebuild(town)
    assert rollups.differences() == []
    assert CaseTally.objects.get(pk=root.pk).sub_cases == root.sub_cases


@pytest.mark.django_db
def test_the_rows_do_not_hold_while_the_newest_case_has_none(tree):
    """A case written around the services (no row yet): the pages read the records until the
    rows are rebuilt."""
    today = timezone.localdate()
    open_one(World(tree, random.Random(1)))
    assert rollups.usable("", today) == (True, True)
    CaseState.objects.filter(case=RecruitCase.objects.latest("pk")).delete()
    assert rollups.usable("", today) == (False, False)
    assert rollups.usable(tree["root"].path, today) == (False, False)
    rollups.rebuild()
    assert rollups.usable(tree["root"].path, today) == (True, True)
