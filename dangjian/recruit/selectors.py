"""Reads of recruitment records, always restricted to the acting user's scope.

Stable interface (the web pages build on it; changes are additive only):

- :func:`cases_for` (actor, perm) → queryset of the cases at branches in the actor's subtree;
  :func:`case_get` → one case or ``Http404``.
- :func:`case_findings` (case, at) → :class:`dangjian.recruit.rules.CheckReport` from the same
  rules the JSON command uses, with the configured parameters (:mod:`dangjian.recruit.config`).
- :func:`case_timeline` (case, at) → :class:`Timeline`: the stage, a summary in Chinese, and the
  next step(s) with their earliest date and deadline, each computed by the rule that sets it
  (the helpers of :mod:`dangjian.recruit.rules`) ("入党积极分子（自 2025-03-10 起）；可于
  2026-03-10 起确定为发展对象", "上级党委审批应于 2026-07-02 前完成").
- :func:`approval_queue` (actor, at, prefix) → :class:`QueueItem` list: pre-reviews (step 13),
  admission approvals (17) and conversion approvals (24) waiting for the upper committee,
  oldest first. Its items, and the dashboard's lists, are :class:`CaseRef` rows (a case's id and
  number); :func:`with_cases` reads the cases of the rows a page shows in one query.
- :func:`plan_rows` (actor, year, at, prefix) → :class:`PlanRow` list: each plan in scope against
  the admissions of its subtree, in total and per priority group, with RECRUIT-PLAN findings.
- :func:`dashboard` (actor, year, at, prefix) → :class:`Dashboard`: cases by stage, overdue
  approvals, probation ending soon (RECRUIT-PROBATION-1-YEAR ``due_days``), conversions due,
  cases with findings, plans vs admissions by organization and by priority group.

``prefix`` (an organization path, optional) narrows a read to that organization's subtree; it
only ever narrows the actor's scope, never widens it (the caller resolves it with
:func:`dangjian.orgs.selectors.org_get`, which refuses organizations outside the scope).
- :func:`attachment_get` (actor, case id, attachment id, perm) → one document of a case in
  scope (its data deferred until read) or ``Http404``.
- :func:`recruit_check` — the RECRUIT family for ``dangjian check --rules RECRUIT``.

Every function reads a constant number of queries, whatever the number of organizations.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.rules.registry import Finding

from . import config, rules
from .adapter import (
    Loaded,
    current_steps,
    extensions_in_force,
    load,
    load_records,
    loaded_to_cases,
    prefetched,
    to_case,
    to_cases,
)
from .case import STEPS, ApprovalExtension, earliest_after, open_steps
from .models import (
    CaseState,
    CaseStatus,
    CaseWaiting,
    Decision,
    PriorityGroup,
    RecruitAttachment,
    RecruitCase,
    RecruitPlan,
    RecruitStep,
)
from .rollups import STAGE_LABELS, RowSeq, admitted_under, tallies, usable
from .rules import CheckReport, approval_deadline, plan_findings

#: stage code → Chinese label (the five stages of rules.md §3, plus closed cases)
STAGES: dict[str, str] = STAGE_LABELS


def cases_for(actor: Actor, perm: Perm = Perm.RECRUIT_VIEW) -> QuerySet[RecruitCase]:
    """Cases at branches in the actor's subtree for ``perm`` (none without it)."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return RecruitCase.objects.none()
    qs = RecruitCase.objects.all()
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs


def case_get(actor: Actor, pk: int | str, perm: Perm = Perm.RECRUIT_VIEW) -> RecruitCase:
    """One case with its records prefetched; ``Http404`` when absent or outside the scope."""
    try:
        return prefetched(cases_for(actor, perm)).get(pk=int(pk))
    except (RecruitCase.DoesNotExist, ValueError, TypeError):
        raise Http404("发展党员案例不存在或不在您的管辖范围内") from None


def attachment_get(
    actor: Actor, case_pk: int | str, pk: int | str, perm: Perm = Perm.RECRUIT_VIEW
) -> RecruitAttachment:
    """One document of a case in the actor's scope for ``perm``; ``Http404`` otherwise."""
    try:
        return RecruitAttachment.objects.select_related("case__org").get(
            pk=int(pk), case__in=cases_for(actor, perm).filter(pk=int(case_pk))
        )
    except (RecruitAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404("附件不存在或不在您的管辖范围内") from None


def _today(at: dt.date | None) -> dt.date:
    return at or timezone.localdate()


def case_findings(case: RecruitCase, at: dt.date | None = None) -> CheckReport:
    """The checker's findings for one case as of ``at`` (configured parameters in force)."""
    return config.check([to_case(case)], _today(at))


def findings_by_case(cases: Iterable[RecruitCase], at: dt.date) -> dict[str, list[Finding]]:
    """case_no → findings for many (prefetched) cases; ``due`` dropped for closed cases."""
    cases = list(cases)
    return _by_case(cases, to_cases(cases), at)


def findings_by_loaded(items: Iterable[Loaded[Any]], at: dt.date) -> dict[str, list[Finding]]:
    """Like :func:`findings_by_case`, for the bulk rows of :func:`dangjian.recruit.adapter.load`."""
    items = list(items)
    return _by_case([i.case for i in items], loaded_to_cases(items), at)


def _by_case(cases: list[Any], checked: list[Any], at: dt.date) -> dict[str, list[Finding]]:
    closed = {c.case_no for c in cases if _closed(c)}
    report = config.check(checked, at)
    result: dict[str, list[Finding]] = {c.case_no: [] for c in cases}
    for f in report.findings:
        if f.subject in closed and f.severity == "due":
            continue
        result.setdefault(f.subject, []).append(f)
    return result


#: the statuses of a closed case (stage ``closed``)
CLOSED = (CaseStatus.NOT_ADMITTED, CaseStatus.WITHDRAWN, CaseStatus.PROBATION_CANCELLED)


def _closed(case: Any) -> bool:
    return case.status in CLOSED


# --- a case in a long list ---------------------------------------------------------------------


@dataclass
class CaseRef:
    """A case in a list that may hold thousands: its id and number. The model is read only for
    the rows a page shows (:func:`with_cases`, one query); ``case`` alone reads it on first use."""

    case_id: int
    case_no: str
    _case: RecruitCase | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def case(self) -> RecruitCase:
        if self._case is None:
            self._case = RecruitCase.objects.select_related("org", "approver").get(pk=self.case_id)
        return self._case


R = TypeVar("R", bound=CaseRef)


def with_cases(rows: Iterable[R]) -> list[R]:
    """``rows`` with their cases (organization and approver) read in one query."""
    rows = list(rows)
    wanted = {r.case_id for r in rows if r._case is None}
    if wanted:
        found = RecruitCase.objects.select_related("org", "approver").in_bulk(wanted)
        for r in rows:
            if r._case is None:
                r._case = found[r.case_id]
    return rows


# --- timeline ----------------------------------------------------------------------------------


@dataclass
class NextStep:
    number: int
    name: str
    earliest: dt.date | None = None
    deadline: dt.date | None = None
    text: str = ""
    overdue: bool = False
    #: the rule whose parameters set ``deadline`` ("" without a deadline)
    rule: str = ""


@dataclass
class Timeline:
    stage: str
    stage_label: str
    status: str
    status_label: str
    since: dt.date | None
    summary: list[str] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    done: dict[int, dt.date] = field(default_factory=dict)
    probation_ends: dt.date | None = None


def stage_of(case: Any, done: dict[int, dt.date]) -> str:
    if _closed(case):
        return "closed"
    if case.status == CaseStatus.CONVERTED:
        return "full"
    if case.status == CaseStatus.ADMITTED:
        return "probationary"
    if 7 in done:
        return "candidate"
    if 3 in done:
        return "activist"
    return "applicant"


#: decision step → the rule whose period it is judged by
_APPROVAL_RULES = {17: "RECRUIT-APPROVAL-3-MONTHS", 24: "RECRUIT-CONVERSION-APPROVAL-3-MONTHS"}


def approval_limit(
    cfg: dict[str, dict[str, Any]],
    step: int,
    vote_on: dt.date,
    extension: ApprovalExtension | None,
) -> dt.date:
    """The deadline of approval ``step`` (17 or 24) after its vote, with an approved extension,
    under the parameters ``cfg`` (:func:`rules.rules_in_force`)."""
    return approval_deadline(vote_on, extension, cfg[_APPROVAL_RULES[step]])


def case_timeline(case: RecruitCase, at: dt.date | None = None) -> Timeline:
    """Where the case stands as of ``at`` and what comes next, by when (configured periods)."""
    at = _today(at)
    cfg = rules.rules_in_force(at)
    enabled = config.rule_config(at)
    done = {n: s.done_on for n, s in current_steps(case).items() if s.done_on <= at}
    stage = stage_of(case, done)
    since_step = {"applicant": 1, "activist": 3, "candidate": 7, "probationary": 15, "full": 24}
    since = done.get(since_step.get(stage, 0)) if stage != "closed" else None
    t = Timeline(
        stage=stage,
        stage_label=STAGES[stage],
        status=case.status,
        status_label=case.get_status_display(),
        since=since,
        done=done,
    )

    def nxt(
        number: int,
        earliest: dt.date | None = None,
        deadline: dt.date | None = None,
        text: str = "",
        rule: str = "",
    ) -> None:
        overdue = deadline is not None and at > deadline
        t.next_steps.append(
            NextStep(number, STEPS[number], earliest, deadline, text, overdue, rule)
        )

    def missing(numbers: Iterable[int]) -> None:
        """The steps among ``numbers`` that may be recorded now: not recorded, and every step
        they depend on recorded (rules.md §3 — in any order among themselves)."""
        for n in open_steps(done, numbers):
            if all(s.number != n for s in t.next_steps):
                after = earliest_after(n, done)
                text = f"尚未记录第 {n} 步“{STEPS[n]}”"
                if after is not None:
                    dep, day = after
                    text += f"（不早于第 {dep} 步“{STEPS[dep]}”的日期 {day.isoformat()}）"
                nxt(n, earliest=after[1] if after else None, text=text)

    extensions = extensions_in_force(case.extensions.all(), current_steps(case))
    if stage == "closed":
        ended = f"（{case.ended_on.isoformat()}）" if case.ended_on else ""
        t.summary.append(f"案例已结束：{case.get_status_display()}{ended}")
        return t
    if 15 in done:
        t.probation_ends = rules.probation_end(
            done[15], case.probation_extension_months, cfg["RECRUIT-PROBATION-1-YEAR"]
        )
    if stage == "applicant":
        applied = done.get(1)
        if applied is None:
            t.summary.append("尚未记录递交入党申请书的日期")
            return t
        t.summary.append(f"入党申请人（{applied.isoformat()} 递交入党申请书）")
        if 2 not in done:
            limit = rules.talk_due(applied, cfg["RECRUIT-TALK-1-MONTH"])
            nxt(
                2,
                deadline=limit,
                text=f"党组织派人谈话应于 {limit.isoformat()} 前完成",
                rule="RECRUIT-TALK-1-MONTH",
            )
        earliest = None
        if "RECRUIT-APPLICATION-6-MONTHS" in enabled:
            earliest = rules.activist_earliest(applied, enabled["RECRUIT-APPLICATION-6-MONTHS"])
        text = (
            f"可于 {earliest.isoformat()} 起确定为入党积极分子"
            if earliest
            else "可确定为入党积极分子"
        )
        nxt(3, earliest=earliest, text=text)
    elif stage == "activist":
        activist = done[3]
        earliest = rules.candidate_earliest(activist, cfg["RECRUIT-ACTIVIST-1-YEAR"])
        t.summary.append(
            f"入党积极分子（自 {activist.isoformat()} 起）；"
            f"可于 {earliest.isoformat()} 起确定为发展对象"
        )
        missing((4, 5, 6))
        if "RECRUIT-ACTIVIST-REVIEW-HALF-YEAR" in enabled:
            reviews = [r.reviewed_on for r in case.reviews.all() if activist <= r.reviewed_on <= at]
            anchor = max([activist, *reviews])
            review = enabled["RECRUIT-ACTIVIST-REVIEW-HALF-YEAR"]
            limit = rules.review_due(anchor, review)
            t.summary.append(f"下一次积极分子考察应于 {limit.isoformat()} 前进行")
            nxt(
                6,
                deadline=limit,
                text=f"培养教育考察：{rules.review_every(review).strip()}考察应于 "
                f"{limit.isoformat()} 前进行",
                rule="RECRUIT-ACTIVIST-REVIEW-HALF-YEAR",
            )
        nxt(7, earliest=earliest, text=f"可于 {earliest.isoformat()} 起确定为发展对象")
    elif stage == "candidate":
        t.summary.append(f"发展对象（自 {done[7].isoformat()} 起）")
        if 15 in done:
            extension = extensions.get(17)
            limit = approval_limit(cfg, 17, done[15], extension)
            missing((16,))
            extended = (
                "（已批准延长审批期限）" if limit != approval_limit(cfg, 17, done[15], None) else ""
            )
            t.summary.append(
                f"支部大会 {done[15].isoformat()} 讨论接收；"
                f"上级党委审批应于 {limit.isoformat()} 前完成{extended}"
            )
            nxt(
                17,
                deadline=limit,
                text=f"上级党委审批应于 {limit.isoformat()} 前完成{extended}",
                rule=_APPROVAL_RULES[17],
            )
        else:
            missing(range(8, 16))
    elif stage == "probationary":
        ends = t.probation_ends
        assert ends is not None or 15 not in done
        if ends is not None:
            t.summary.append(
                f"预备党员（自 {done[15].isoformat()} 起），预备期至 {ends.isoformat()}"
                + (
                    f"（延长 {case.probation_extension_months} 个月）"
                    if case.probation_extension_months
                    else ""
                )
            )
        missing((18, 19, 20))
        if 23 in done:
            limit = approval_limit(cfg, 24, done[23], extensions.get(24))
            extended = "（已批准延长审批期限）" if 24 in extensions else ""
            nxt(
                24,
                deadline=limit,
                text=f"上级党委审批转正应于 {limit.isoformat()} 前完成{extended}",
                rule=_APPROVAL_RULES[24],
            )
        elif ends is not None:
            missing((22,))
            vote_by = rules.conversion_vote_due(ends, cfg["RECRUIT-PROBATION-1-YEAR"])
            text = f"预备期满（{ends.isoformat()}）后支部大会讨论转正"
            if vote_by is not None:
                text += f"，应于 {vote_by.isoformat()} 前讨论"
            rule = "RECRUIT-PROBATION-1-YEAR" if vote_by is not None else ""
            nxt(23, earliest=ends, deadline=vote_by, text=text, rule=rule)
    elif stage == "full":
        approved = done.get(24)
        confirmed = case.member.confirmed_on if case.member else None
        t.summary.append(
            "正式党员" + (f"（转正日期 {confirmed.isoformat()}）" if confirmed else "")
        )
        if approved is not None and 25 not in done and "RECRUIT-ARCHIVE" in enabled:
            limit = rules.archive_due(approved, enabled["RECRUIT-ARCHIVE"])
            nxt(
                25,
                deadline=limit,
                text=f"材料应于 {limit.isoformat()} 前归档",
                rule="RECRUIT-ARCHIVE",
            )
    return t


# --- approval queue ------------------------------------------------------------------------------


@dataclass
class QueueItem(CaseRef):
    step: int
    step_name: str
    waiting_since: dt.date
    deadline: dt.date | None
    overdue: bool


#: decision step → the branch step it waits on
WAITS_ON = {13: 12, 17: 15, 24: 23}


def approval_queue(
    actor: Actor,
    at: dt.date | None = None,
    prefix: str | None = None,
    *,
    records: bool = False,
) -> list[QueueItem]:
    """Pre-reviews (13), admission approvals (17) and conversion approvals (24) waiting for the
    upper committee in the actor's scope (``Perm.RECRUIT_APPROVE``), oldest first: from the
    stored rows where they hold on ``at``, else (or with ``records``) from the records."""
    at = _today(at)
    rows = None if records else queue_rows(actor, at, prefix)
    if rows is not None:
        return list(rows)
    cfg = rules.rules_in_force(at)
    waiting = Exists(
        RecruitStep.objects.filter(case=OuterRef("pk"), number__in=list(WAITS_ON.values()))
    )
    qs = cases_for(actor, Perm.RECRUIT_APPROVE).filter(
        status__in=[CaseStatus.OPEN, CaseStatus.ADMITTED]
    )
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    # the steps the decisions wait on and their outcomes (22–24: which round is in force)
    numbers = {*WAITS_ON, *WAITS_ON.values(), 14, 22}
    return _waiting(load_records(qs.filter(waiting), steps=numbers), at, cfg)


def _under(rows: QuerySet[Any], scope: str | None, prefix: str | None) -> QuerySet[Any]:
    """``rows`` (with an ``org_path``) under the scope prefix and under ``prefix``."""
    if scope is None:
        return rows.none()
    if scope:
        rows = rows.filter(org_path__startswith=scope)
    if prefix:
        rows = rows.filter(org_path__startswith=prefix)
    return rows


def _queue_item(at: dt.date) -> Any:
    def make(row: CaseWaiting) -> QueueItem:
        item = QueueItem(
            case_id=row.case_id,
            case_no=row.case_no,
            step=row.step,
            step_name=STEPS[row.step],
            waiting_since=row.waiting_since,
            deadline=row.deadline,
            overdue=row.deadline is not None and at > row.deadline,
        )
        return _with_case(item, row)

    return make


def queue_rows(
    actor: Actor,
    at: dt.date,
    prefix: str | None = None,
    *,
    overdue: bool = False,
    checked: bool = False,
) -> RowSeq[QueueItem] | None:
    """:func:`approval_queue` read from the stored rows (:mod:`dangjian.recruit.rollups`) and
    paged in the database (``None`` when the rows do not hold on ``at``: read the records).
    With ``overdue`` only the decisions past their deadline (the dashboard's list); ``checked``:
    the caller knows the rows hold."""
    scope = scope_prefix(actor, Perm.RECRUIT_APPROVE if not overdue else Perm.RECRUIT_VIEW)
    if scope is not None and not checked and not usable(prefix or scope, at)[0]:
        return None
    rows = _under(CaseWaiting.objects.all(), scope, prefix)
    if overdue:
        rows = rows.filter(deadline__lt=at)
    rows = rows.order_by("waiting_since", "case_no", "step").select_related(*_CASE_JOINS)
    return RowSeq(rows, _queue_item(at))


def _waiting(
    loaded: Iterable[Loaded[Any]], at: dt.date, cfg: dict[str, dict[str, Any]]
) -> list[QueueItem]:
    """The decisions the cases of ``loaded`` wait for, oldest first."""
    items: list[QueueItem] = []
    for item in loaded:
        if item.case.status not in (CaseStatus.OPEN, CaseStatus.ADMITTED):
            continue
        case, steps = item.case, item.steps
        for decision_step, branch_step in WAITS_ON.items():
            branch = steps.get(branch_step)
            if branch is None or decision_step in steps or branch.done_on > at:
                continue
            wanted = CaseStatus.ADMITTED if decision_step == 24 else CaseStatus.OPEN
            if case.status != wanted:
                continue
            if decision_step == 13 and 14 in steps:
                continue
            deadline = None
            if decision_step in _APPROVAL_RULES:
                deadline = approval_limit(
                    cfg, decision_step, branch.done_on, item.extensions.get(decision_step)
                )
            items.append(
                QueueItem(
                    case_id=case.pk,
                    case_no=case.case_no,
                    step=decision_step,
                    step_name=STEPS[decision_step],
                    waiting_since=branch.done_on,
                    deadline=deadline,
                    overdue=deadline is not None and at > deadline,
                )
            )
    items.sort(key=lambda i: (i.waiting_since, i.case_no, i.step))
    return items


# --- plans ---------------------------------------------------------------------------------------


@dataclass
class GroupRow:
    group: str
    quota: int | None
    admitted: int


@dataclass
class PlanRow:
    org_code: str
    org_name: str
    org_path: str
    year: int
    quota: int
    admitted: int
    groups: list[GroupRow]
    findings: list[Finding] = field(default_factory=list)


def _admissions(prefix: str, year: int) -> list[tuple[str, str]]:
    """(branch path, priority group) of every admission approved in ``year`` under ``prefix``."""
    qs = RecruitStep.objects.filter(
        number=17, round=1, done_on__year=year, details__decision=Decision.APPROVED
    )
    if prefix:
        qs = qs.filter(case__org__path__startswith=prefix)
    return list(qs.values_list("case__org__path", "case__priority_group"))


def _counts_by_prefix(
    admissions: list[tuple[str, str]], wanted: Collection[str]
) -> dict[str, Counter[str]]:
    """path prefix among ``wanted`` (the plans' organizations) → Counter of priority groups (key
    ``""`` = total) over the admissions under it. Only the lengths of the wanted paths are
    tried: a pass over the admissions whatever the depth of the tree."""
    counts: dict[str, Counter[str]] = {p: Counter() for p in wanted}
    lengths = sorted({len(p) for p in wanted})
    if not lengths:
        return counts
    for path, group in admissions:
        for n in lengths:
            c = counts.get(path[:n])
            if c is not None:
                c[""] += 1
                c[group] += 1
    return counts


def _unplanned(admissions: list[tuple[str, str]], planned: Collection[str]) -> int:
    """The admissions under none of the ``planned`` paths."""
    wanted = set(planned)
    lengths = sorted({len(p) for p in wanted})
    return sum(1 for path, _g in admissions if not any(path[:n] in wanted for n in lengths))


def _narrow(actor: Actor, prefix: str | None) -> str | None:
    """The actor's RECRUIT_VIEW prefix, narrowed to ``prefix`` when that lies inside it
    (``None``: nothing to read)."""
    scope = scope_prefix(actor, Perm.RECRUIT_VIEW)
    if scope is None or not prefix:
        return scope
    return prefix if prefix.startswith(scope) else None


def plan_rows(
    actor: Actor, year: int, at: dt.date | None = None, prefix: str | None = None
) -> list[PlanRow]:
    """Each plan of ``year`` in the actor's scope (under ``prefix``) against its subtree's
    admissions (3 queries)."""
    narrowed = _narrow(actor, prefix)
    if narrowed is None:
        return []
    return _plan_rows(narrowed, year, _today(at), _admissions(narrowed, year))


def _plan_rows(
    prefix: str,
    year: int,
    at: dt.date,
    admissions: list[tuple[str, str]] | None,
) -> list[PlanRow]:
    """The plans of ``year`` under ``prefix`` against ``admissions`` (:func:`_admissions`), or,
    when ``None``, against the subtree counters of the plans' organizations
    (:func:`dangjian.recruit.rollups.admitted_under`, one query when there are plans): the
    plans with their separate quotas in one query (a row per quota, one for a plan without)."""
    found = RecruitPlan.objects.filter(year=year)
    if prefix:
        found = found.filter(org__path__startswith=prefix)
    plans: dict[int, tuple[tuple[str, str, str, int], dict[str, int]]] = {}
    org_ids: dict[str, int] = {}
    for pk, org_id, code, name, path, quota, group, group_quota in found.order_by(
        "org__path", "pk"
    ).values_list(
        "pk",
        "org_id",
        "org__code",
        "org__name",
        "org__path",
        "quota",
        "quotas__priority_group",
        "quotas__quota",
    ):
        _org, quotas = plans.setdefault(pk, ((code, name, path, quota), {}))
        org_ids[path] = org_id
        if group is not None:
            quotas[group] = group_quota
    if admissions is not None:
        counts = _counts_by_prefix(admissions, [org[2] for org, _quotas in plans.values()])
    else:
        under = admitted_under(org_ids.values(), year) if org_ids else {}
        counts = {}
        for path, org_id in org_ids.items():
            got = Counter(under.get(org_id, {}))
            got[""] = sum(got.values())
            counts[path] = got
    cfg = config.rule_config(at)
    rows: list[PlanRow] = []
    for (code, name, path, quota), quotas in plans.values():
        got = counts.get(path, Counter())
        groups = [
            GroupRow(g, quotas.get(g), got.get(g, 0))
            for g in PriorityGroup.values
            if g in quotas or got.get(g)
        ]
        row = PlanRow(code, name, path, year, quota, got.get("", 0), groups)
        if "RECRUIT-PLAN" in cfg:
            row.findings = plan_findings(
                code,
                year,
                quota,
                quotas,
                row.admitted,
                dict(got),
                at,
                cfg["RECRUIT-PLAN"],
            )
        rows.append(row)
    return rows


# --- dashboard -----------------------------------------------------------------------------------


@dataclass
class CaseRow(CaseRef):
    text: str
    date: dt.date | None = None


@dataclass
class Dashboard:
    """The lists may be :class:`RowSeq` (read page by page) or plain lists."""

    year: int
    at: dt.date
    by_stage: dict[str, int]
    overdue_approvals: Sequence[QueueItem]
    probation_ending: Sequence[CaseRow]
    conversions_due: Sequence[CaseRow]
    with_findings: Sequence[CaseRow]
    findings_by_rule: dict[str, int]
    plans: list[PlanRow]
    admitted_by_group: dict[str, int]
    admitted_total: int
    unplanned: int
    #: "probation ending soon": this many days ahead (RECRUIT-PROBATION-1-YEAR ``due_days``)
    probation_soon_days: int = 0


def _active_cases(actor: Actor, year: int, prefix: str | None = None) -> QuerySet[RecruitCase]:
    """Open and probationary cases, and any case with a step in ``year`` (under ``prefix``)."""
    in_year = RecruitStep.objects.filter(case=OuterRef("pk"), done_on__year=year)
    qs = cases_for(actor).filter(
        Q(status__in=[CaseStatus.OPEN, CaseStatus.ADMITTED]) | Q(Exists(in_year))
    )
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs


def _stage_counts(qs: QuerySet[RecruitCase], at: dt.date) -> dict[str, int]:
    """stage code → number of cases of ``qs`` (one aggregate query; as :func:`stage_of`)."""

    def done(number: int) -> Exists:
        # steps 3 and 7 are in force in their first round
        return Exists(
            RecruitStep.objects.filter(case=OuterRef("pk"), number=number, round=1, done_on__lte=at)
        )

    stage = SqlCase(
        When(status__in=CLOSED, then=Value("closed")),
        When(status=CaseStatus.CONVERTED, then=Value("full")),
        When(status=CaseStatus.ADMITTED, then=Value("probationary")),
        When(done(7), then=Value("candidate")),
        When(done(3), then=Value("activist")),
        default=Value("applicant"),
    )
    rows = qs.order_by().annotate(stage=stage).values("stage").annotate(n=Count("pk"))
    return {row["stage"]: row["n"] for row in rows}


def dashboard(
    actor: Actor,
    year: int,
    at: dt.date | None = None,
    prefix: str | None = None,
    *,
    records: bool = False,
) -> Dashboard:
    """The upper levels' overview of their subtree, or of the organization at ``prefix`` within
    it (constant number of queries).

    The counts by stage are one aggregate query; the lists (overdue approvals, probation
    ending, conversions due, cases with findings) are computed from plain rows
    (:func:`dangjian.recruit.adapter.load_records`) and hold :class:`CaseRef` rows: a page reads
    the cases it shows with :func:`with_cases`.

    Read from the stored rows (:mod:`dangjian.recruit.rollups`, the lists paged in the
    database) where they hold on ``at``; from the records otherwise, or with ``records``."""
    at = _today(at)
    where = _narrow(actor, prefix)
    if where is not None and not records:
        dates, fresh = usable(where, at)
        if dates:
            return _dashboard_from_rows(actor, year, at, where, fresh)
    active = _active_cases(actor, year, prefix)
    counted = _stage_counts(active, at)
    loaded = load_records(active.order_by("case_no"))
    cfg = rules.rules_in_force(at)
    probation = cfg["RECRUIT-PROBATION-1-YEAR"]
    probation_ending: list[CaseRow] = []
    conversions_due: list[CaseRow] = []
    for item in loaded:
        case = item.case
        if case.status != CaseStatus.ADMITTED:
            continue
        done = item.done(at)
        if 15 not in done or 23 in done:
            continue
        ends = rules.probation_end(done[15], case.probation_extension_months, probation)
        ref = (case.pk, case.case_no)
        if at <= ends and rules.probation_due_from(ends, probation) <= at:
            text = f"预备期于 {ends.isoformat()} 期满"
            probation_ending.append(CaseRow(*ref, text=text, date=ends))
        elif ends < at:
            text = _due_text(ends, rules.conversion_vote_due(ends, probation), at)
            conversions_due.append(CaseRow(*ref, text=text, date=ends))
    probation_ending.sort(key=lambda r: (r.date or at, r.case_no))
    conversions_due.sort(key=lambda r: (r.date or at, r.case_no))
    with_findings, by_rule = _flagged(loaded, at)
    # from the cases read above (the viewer's subtree), not a second read of the database
    queue = [i for i in _waiting(loaded, at, cfg) if i.overdue]
    return _board(
        _narrow(actor, prefix),
        year,
        at,
        probation,
        by_stage=counted,
        overdue_approvals=queue,
        probation_ending=probation_ending,
        conversions_due=conversions_due,
        with_findings=with_findings,
        by_rule=by_rule,
    )


def _board(
    narrowed: str | None,
    year: int,
    at: dt.date,
    probation: dict[str, Any],
    *,
    by_stage: dict[str, int],
    by_rule: dict[str, int],
    admitted: dict[str, int] | None = None,
    **lists: Any,
) -> Dashboard:
    """The dashboard of these counts and lists, with the plans of ``year`` under ``narrowed``
    (against the admissions by priority group ``admitted`` of the subtree counters, or against
    the records' when ``None``)."""
    board = Dashboard(
        year=year,
        at=at,
        by_stage={code: by_stage.get(code, 0) for code in STAGES},
        findings_by_rule=dict(sorted(by_rule.items())),
        plans=[],
        admitted_by_group={},
        admitted_total=0,
        unplanned=0,
        probation_soon_days=int(probation["due_days"]),
        **lists,
    )
    if admitted is None or narrowed is None:
        _add_plans(board, narrowed, year, at)
    else:
        _add_counted_plans(board, narrowed, year, at, admitted)
    return board


def _add_plans(board: Dashboard, narrowed: str | None, year: int, at: dt.date) -> None:
    """The plans against the admissions of ``year`` under ``narrowed`` (2 queries)."""
    admissions = _admissions(narrowed, year) if narrowed is not None else []
    plans = _plan_rows(narrowed, year, at, admissions) if narrowed is not None else []
    planned = [p.org_path for p in plans]
    unplanned = _unplanned(admissions, planned)
    by_group = Counter(g for _p, g in admissions)
    board.plans = plans
    board.admitted_by_group = {g: by_group.get(g, 0) for g in PriorityGroup.values}
    board.admitted_total = len(admissions)
    board.unplanned = unplanned


def _add_counted_plans(
    board: Dashboard, narrowed: str, year: int, at: dt.date, admitted: dict[str, int]
) -> None:
    """:func:`_add_plans` from the subtree counters: ``admitted`` (priority group → the
    admissions of ``year`` under ``narrowed``) and those of the plans' organizations (a query
    for the plans, one for their counters when there are plans). The unplanned are those under
    none of the plans: all but those under the plans not nested in another plan's subtree."""
    plans = _plan_rows(narrowed, year, at, None)
    paths = {p.org_path: p.admitted for p in plans}
    lengths = sorted({len(p) for p in paths})
    outer = [p for p in paths if not any(n < len(p) and p[:n] in paths for n in lengths)]
    total = sum(admitted.values())
    board.plans = plans
    board.admitted_by_group = {g: admitted.get(g, 0) for g in PriorityGroup.values}
    board.admitted_total = total
    board.unplanned = total - sum(paths[p] for p in outer)


#: the stages of open and probationary cases: counted whatever the year
_OPEN_STAGES = ("applicant", "activist", "candidate", "probationary")


def _with_case(ref: R, row: Any) -> R:
    """``ref`` with the case its stored row was read with (``select_related``: no query)."""
    ref._case = row.case
    return ref


#: the case of a stored row as the lists show it (its organization and approver)
_CASE_JOINS = ("case__org", "case__approver")


def _due_text(ends: dt.date, limit: dt.date | None, at: dt.date) -> str:
    """The line of a case whose probation has ended, waiting for the conversion vote."""
    if limit is not None and at > limit:
        return f"预备期已于 {ends.isoformat()} 期满，应于 {limit.isoformat()} 前讨论转正，已逾期"
    text = f"预备期已于 {ends.isoformat()} 期满，待讨论转正"
    if limit is not None:
        text += f"（应于 {limit.isoformat()} 前讨论）"
    return text


def _findings_text(rule_ids: Iterable[str], titles: dict[str, str]) -> str:
    return "；".join(titles.get(r, "发展党员程序") for r in sorted(set(rule_ids)))


def _ending_row(row: CaseState) -> CaseRow:
    ends = row.probation_ends
    assert ends is not None
    ref = CaseRow(row.case_id, row.case_no, text=f"预备期于 {ends.isoformat()} 期满", date=ends)
    return _with_case(ref, row)


def _due_row(at: dt.date) -> Any:
    def make(row: CaseState) -> CaseRow:
        ends = row.probation_ends
        assert ends is not None
        text = _due_text(ends, row.conversion_vote_due, at)
        return _with_case(CaseRow(row.case_id, row.case_no, text=text, date=ends), row)

    return make


def _findings_row(titles: dict[str, str]) -> Any:
    def make(row: CaseState) -> CaseRow:
        text = _findings_text(row.findings.split(","), titles)
        return _with_case(CaseRow(row.case_id, row.case_no, text=text), row)

    return make


def _stored_counts(
    states: QuerySet[CaseState], waiting: QuerySet[CaseWaiting], at: dt.date
) -> dict[str, int]:
    """The counts that depend on the day, in one statement of counts over index ranges of the
    stored rows: the lengths of the two probation lists (the probationary cases whose probation
    ends from ``at`` on, or ended before it) and of the overdue approvals (``waiting``)."""
    admitted = states.filter(status=CaseStatus.ADMITTED, probation_ends__isnull=False)
    parts = {
        "ending": admitted.filter(probation_ends__gte=at, probation_due_from__lte=at),
        "due": admitted.filter(probation_ends__lt=at),
        "overdue": waiting,
    }
    out = dict.fromkeys(parts, 0)
    selects: list[str] = []
    params: list[Any] = []
    counted: list[str] = []
    for name, rows in parts.items():
        try:
            sql, args = (
                rows.order_by().values(n=Func(F("pk"), function="COUNT")).query.sql_with_params()
            )
        except EmptyResultSet:
            continue  # nothing to count (no scope)
        selects.append(f"({sql})")
        params.extend(args)
        counted.append(name)
    if selects:
        with connection.cursor() as cursor:
            # only the SQL Django compiled for these querysets is spliced in; values are bound
            cursor.execute("SELECT " + ", ".join(selects), params)
            found = cursor.fetchone()
        for name, value in zip(counted, found, strict=True):
            out[name] = int(value or 0)
    return out


def _dashboard_from_rows(
    actor: Actor, year: int, at: dt.date, where: str, fresh: bool
) -> Dashboard:
    """:func:`dashboard` from the stored rows (:mod:`dangjian.recruit.rollups`): the counts by
    stage, of findings and of admissions from the subtree counters of the organization at
    ``where`` (:func:`~dangjian.recruit.rollups.tallies`, a few rows), the lengths of the lists
    that depend on the day in one statement (:func:`_stored_counts`), the lists paged in the
    database (:class:`RowSeq`, each page one query that reads its cases with it); the cases
    with findings from the rows when they were computed on ``at`` (``fresh``), else by the
    checker over the active cases."""
    probation = rules.rules_in_force(at)["RECRUIT-PROBATION-1-YEAR"]
    states = CaseState.objects.all()
    if where:
        states = states.filter(org_path__startswith=where)
    overdue = queue_rows(actor, at, where, overdue=True, checked=True)
    waiting = overdue.qs if overdue is not None else CaseWaiting.objects.none()
    counts = _stored_counts(states, waiting, at)
    tally = tallies(where, year)
    listed = states.select_related(*_CASE_JOINS)
    admitted = listed.filter(status=CaseStatus.ADMITTED, probation_ends__isnull=False)
    ending = admitted.filter(probation_ends__gte=at, probation_due_from__lte=at)
    due = admitted.filter(probation_ends__lt=at)
    order = ("probation_ends", "case_no")
    by_rule: Counter[str] = Counter()
    with_findings: Sequence[CaseRow]
    by_stage = {
        code: tally.get(("stage", 0 if code in _OPEN_STAGES else year, code), 0) for code in STAGES
    }
    if fresh:
        for (kind, _year, code), n in tally.items():
            if kind == "rule":
                by_rule[code] += n
        titles = {s.id: s.title for s in rules.all_specs()}
        flagged = listed.filter(
            Q(status__in=[CaseStatus.OPEN, CaseStatus.ADMITTED]) | Q(years__contains=f",{year},")
        ).exclude(findings="")
        with_findings = RowSeq(
            flagged.order_by("case_no"),
            _findings_row(titles),
            length=tally.get(("flag", 0, ""), 0) + tally.get(("flag", year, ""), 0),
        )
    else:
        with_findings, by_rule = _checked(actor, year, at, where)
    if overdue is not None:
        overdue._len = counts["overdue"]
    return _board(
        where,
        year,
        at,
        probation,
        by_stage=by_stage,
        admitted={code: n for (kind, _y, code), n in tally.items() if kind == "admit"},
        overdue_approvals=overdue if overdue is not None else [],
        probation_ending=RowSeq(ending.order_by(*order), _ending_row, length=counts["ending"]),
        conversions_due=RowSeq(due.order_by(*order), _due_row(at), length=counts["due"]),
        with_findings=with_findings,
        by_rule=by_rule,
    )


def _flagged(loaded: list[Loaded[Any]], at: dt.date) -> tuple[list[CaseRow], Counter[str]]:
    """The cases of ``loaded`` with serious findings (by the checker) and the count by rule."""
    findings = findings_by_loaded(loaded, at)
    by_rule: Counter[str] = Counter()
    rows: list[CaseRow] = []
    pk_by_no = {i.case.case_no: i.case.pk for i in loaded}
    titles = {s.id: s.title for s in rules.all_specs()}
    for case_no, items in findings.items():
        serious = [f.rule for f in items if f.severity in ("error", "warning")]
        if serious:
            by_rule.update(serious)
            rows.append(CaseRow(pk_by_no[case_no], case_no, text=_findings_text(serious, titles)))
    return rows, by_rule


def _checked(
    actor: Actor, year: int, at: dt.date, where: str
) -> tuple[list[CaseRow], Counter[str]]:
    """The cases with findings among the active ones, by the checker (rows not of ``at``)."""
    return _flagged(load_records(_active_cases(actor, year, where or None).order_by("case_no")), at)


# --- the RECRUIT family for `dangjian check` ------------------------------------------------------


def recruit_check(
    actor: Actor,
    *,
    prefix: str | None,
    at: dt.date,
    rule_ids: Iterable[str] | None = None,
    sector: str | None = None,
    region: str | None = None,
    only: Iterable[str] | None = None,
) -> tuple[list[Finding], dict[str, str], int]:
    """RECRUIT findings over the cases (and plans) under ``prefix`` that the actor may view
    (``only``: of the organizations at these paths alone, a part of the findings store's
    refresh).

    Returns (findings sorted by subject then rule, subject → label, number of cases checked).
    ``due`` findings of closed cases are left out. Raises ``ValueError`` for unknown rule ids.
    """
    known = {s.id for s in rules.all_specs()}
    ids = {r.strip().upper() for r in rule_ids or [] if r and r.strip()}
    unknown = sorted(ids - known)
    if unknown:
        raise ValueError(f"未知或未实现的规则：{'、'.join(unknown)}")
    if prefix is None:
        return [], {}, 0
    qs = cases_for(actor)
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    if sector:
        qs = qs.filter(org__sector=sector)
    if region:
        qs = qs.filter(org__region_code__startswith=region)
    paths = None if only is None else set(only)
    if paths is not None:
        qs = qs.filter(org__path__in=sorted(paths))
    loaded = load(qs.order_by("case_no"))
    cases = [i.case for i in loaded]
    findings = [f for items in findings_by_loaded(loaded, at).values() for f in items]
    labels = {c.case_no: c.org.name for c in cases}
    if not sector and not region:
        for row in plan_rows_under(actor, prefix, at):
            if paths is not None and row.org_path not in paths:
                continue
            findings.extend(row.findings)
            labels[row.org_code] = row.org_name
    if ids:
        findings = [f for f in findings if f.rule in ids]
    findings.sort(key=lambda f: (f.subject, f.rule))
    return findings, labels, len(cases)


def plan_rows_under(actor: Actor, prefix: str, at: dt.date) -> list[PlanRow]:
    """The actor's plan rows of the year of ``at`` and the year before, under ``prefix``."""
    rows: list[PlanRow] = []
    for year in (at.year - 1, at.year):
        rows.extend(r for r in plan_rows(actor, year, at) if r.org_path.startswith(prefix))
    return rows
