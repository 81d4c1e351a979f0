"""Where each case stands (:class:`~dangjian.recruit.models.CaseState`), the decisions it
waits for (:class:`~dangjian.recruit.models.CaseWaiting`) and the cases of each branch by
stage (:class:`~dangjian.recruit.models.StageCount`) and the subtree counters of every
organization (:class:`~dangjian.recruit.models.CaseTally`), kept by every write of the services
(:func:`case_changed`, at the end of the write's transaction) and rebuilt from the records by
``dangjian rollups rebuild``.

Nothing here judges a case: the stage, the deadlines and the findings come from the functions
the pages used on the records (:func:`dangjian.recruit.selectors.stage_of`,
:func:`~dangjian.recruit.selectors.case_timeline`, the checker), run on the day of the write.
So a row is what the records give *on* ``computed_on``: the dashboard's findings use it only on
that day; the stage, the queue and the probation dates hold on later days as long as the
rules' parameters in force stay the same (:func:`usable`).

Lock order: a write of a case holds the case's row (``select_for_update``) and so its state
and waiting rows; the stage counters of its branch and the subtree counters of the
organizations above are added to after the write's audit entries (the audit chain head is
taken first by every writer of these counters, and nothing takes them in the other order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from django.db import transaction
from django.db.models import Max, Min, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from dangjian.core import rollup
from dangjian.members.rollups import org_labels
from dangjian.orgs.models import Organization
from dangjian.orgs.rollups import ancestor_paths, ids_by_path

from . import config, rules
from .adapter import DETAIL_STEPS, Loaded, StepRow, _in_force, extensions_in_force, prefetched
from .models import (
    CaseState,
    CaseStatus,
    CaseTally,
    CaseWaiting,
    Decision,
    RecruitCase,
    StageCount,
)

#: the fields of a state row compared by the check (``computed_on`` is the day they hold for)
STATE_FIELDS = (
    "org_id",
    "org_path",
    "case_no",
    "status",
    "stage",
    "years",
    "next_deadline",
    "next_step",
    "next_rule",
    "probation_ends",
    "probation_due_from",
    "conversion_vote_due",
    "findings",
    "admitted_year",
    "admitted_group",
)
#: the fields by name, for the list of differences
FIELD_LABELS = {
    "org_id": "所在党支部",
    "org_path": "组织路径",
    "case_no": "案例编号",
    "status": "状态",
    "stage": "阶段",
    "years": "步骤年度",
    "next_deadline": "下一期限",
    "next_step": "期限步骤",
    "next_rule": "期限依据规则",
    "probation_ends": "预备期满日期",
    "probation_due_from": "预备期满提醒起始日期",
    "conversion_vote_due": "讨论转正截止日期",
    "findings": "问题规则",
    "admitted_year": "接收预备党员批准年度",
    "admitted_group": "接收时重点群体",
}
WAITING_FIELDS = ("org_path", "case_no", "waiting_since", "deadline")
COUNT_KEY = ["org_id", "year", "stage"]
TALLY_KEY = ["org_id", "kind", "year", "code"]
#: the column of :class:`CaseTally`: a subtree total (``sub_*``: the findings store re-evaluates
#: the organization of a changed own count, not every organization above a write)
SUB = "sub_cases"
#: the stages counted by the year of their steps (the others whatever the year)
YEARLY_STAGES = ("full", "closed")
#: the statuses whose findings count whatever the year
ACTIVE = (CaseStatus.OPEN, CaseStatus.ADMITTED)
#: the kinds of :class:`CaseTally` by name, for the list of differences
KIND_LABELS = {
    "stage": "阶段案例数",
    "flag": "有问题案例数",
    "rule": "问题数",
    "admit": "批准接收数",
    "day": "汇总计算日期案例数",
}
#: stage code → Chinese label (the five stages of rules.md §3, plus closed cases; also
#: ``selectors.STAGES``)
STAGE_LABELS = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "probationary": "预备党员",
    "full": "正式党员",
    "closed": "已结束",
}
#: cases computed together in a rebuild
CHUNK = 2000


@dataclass
class Computed:
    """The rows of some cases as the records make them on ``at``."""

    at: dt.date
    states: dict[int, dict[str, Any]] = field(default_factory=dict)
    waiting: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)


def _years(text: str) -> list[int]:
    return [int(y) for y in text.split(",") if y]


def count_keys(org_id: int, stage: str, years: str) -> list[tuple[int, int, str]]:
    """The stage counters a case adds one to: every case (year 0), and each year of its steps."""
    return [(org_id, 0, stage), *((org_id, y, stage) for y in _years(years))]


def tally_keys(row: dict[str, Any], computed_on: dt.date) -> list[tuple[str, int, str]]:
    """The subtree counters (kind, year, code) a case with the state ``row`` adds one to (a
    rule once per finding), as :class:`~dangjian.recruit.models.CaseTally` describes them."""
    stage, years = row["stage"], _years(row["years"])
    keys = [("stage", 0, stage), ("day", 0, computed_on.isoformat())]
    if stage in YEARLY_STAGES:
        keys += [("stage", y, stage) for y in years]
    found = [r for r in row["findings"].split(",") if r]
    if found:
        for y in [0] if row["status"] in ACTIVE else years:
            keys.append(("flag", y, ""))
            keys += [("rule", y, r) for r in found]
    if row["admitted_year"]:
        keys.append(("admit", row["admitted_year"], row["admitted_group"]))
    return keys


def _spread(
    into: rollup.Deltas,
    rows: Iterable[tuple[dict[str, Any], dt.date]],
    change: int,
    ids: dict[str, int] | None = None,
) -> None:
    """Add ``change`` to the subtree counters of every ``(row, computed_on)`` in the rows of
    its branch and of every organization above (``ids``: path → id, read when not given)."""
    rows = list(rows)
    if ids is None:
        ids = ids_by_path(p for row, _on in rows for p in ancestor_paths(row["org_path"]))
    for row, on in rows:
        keys = tally_keys(row, on)
        for path in ancestor_paths(row["org_path"]):
            org_id = ids.get(path)
            if org_id is not None:
                for kind, year, code in keys:
                    rollup.merge(into, (org_id, kind, year, code), SUB, change)


def _loaded(case: RecruitCase) -> Loaded[RecruitCase]:
    """A prefetched case as :func:`dangjian.recruit.adapter.load` reads it (the same rows: the
    details only of the steps whose details are read), without reading it again."""
    rows = [
        StepRow(s.number, s.round, s.done_on, s.details if s.number in DETAIL_STEPS else {})
        for s in case.steps.all()
    ]
    in_force = _in_force(sorted(rows, key=lambda s: (s.number, s.round)))
    return Loaded(
        case,
        in_force,
        {n.kind: (n.first_day, n.last_day) for n in case.notices.all()},
        sorted(r.reviewed_on for r in case.reviews.all()),
        extensions_in_force(case.extensions.all(), in_force),
    )


def compute(qs: QuerySet[RecruitCase], at: dt.date) -> Computed:
    """The state and waiting rows of the cases of ``qs`` on ``at`` (the cases and their
    records read once, prefetched: 5 queries, and the approvers' places for the checker)."""
    from .selectors import _waiting, case_timeline, findings_by_loaded, stage_of

    out = Computed(at)
    cases = list(prefetched(qs.order_by("case_no")).select_related("member"))
    if not cases:
        return out
    loaded = [_loaded(c) for c in cases]
    cfg = rules.rules_in_force(at)
    probation = cfg["RECRUIT-PROBATION-1-YEAR"]
    findings = findings_by_loaded(loaded, at)
    places = {c.pk: (c.org_id, c.org.path) for c in cases}
    years = {c.pk: {s.done_on.year for s in c.steps.all()} for c in cases}
    models = {c.pk: c for c in cases}
    for item in loaded:
        case = item.case
        done = item.done(at)
        org_id, path = places[case.pk]
        row: dict[str, Any] = {
            "org_id": org_id,
            "org_path": path,
            "case_no": case.case_no,
            "status": case.status,
            "stage": stage_of(case, done),
            "years": "".join(f",{y}" for y in sorted(years.get(case.pk, ()))) + ","
            if years.get(case.pk)
            else "",
            "next_deadline": None,
            "next_step": None,
            "next_rule": "",
            "probation_ends": None,
            "probation_due_from": None,
            "conversion_vote_due": None,
            "admitted_year": None,
            "admitted_group": "",
        }
        for s in case.steps.all():
            if s.number == 17 and s.round == 1 and s.details.get("decision") == Decision.APPROVED:
                row["admitted_year"], row["admitted_group"] = s.done_on.year, case.priority_group
        # as the dashboard judges the probation (selectors.dashboard)
        if case.status == CaseStatus.ADMITTED and 15 in done and 23 not in done:
            ends = rules.probation_end(done[15], case.probation_extension_months, probation)
            row["probation_ends"] = ends
            row["probation_due_from"] = rules.probation_due_from(ends, probation)
            row["conversion_vote_due"] = rules.conversion_vote_due(ends, probation)
        timeline = case_timeline(models[case.pk], at)
        due = [n for n in timeline.next_steps if n.deadline is not None]
        if due:
            first = min(due, key=lambda n: (n.deadline or at, n.number))
            row["next_deadline"], row["next_step"], row["next_rule"] = (
                first.deadline,
                first.number,
                first.rule,
            )
        serious = [
            f.rule for f in findings.get(case.case_no, []) if f.severity in ("error", "warning")
        ]
        row["findings"] = ",".join(sorted(serious))
        out.states[case.pk] = row
    for w in _waiting(loaded, at, cfg):
        out.waiting[(w.case_id, w.step)] = {
            "org_path": places[w.case_id][1],
            "case_no": w.case_no,
            "waiting_since": w.waiting_since,
            "deadline": w.deadline,
        }
    return out


# --- upkeep ------------------------------------------------------------------------------------


def case_changed(case_id: int, at: dt.date | None = None) -> None:
    """Bring the rows of case ``case_id`` up to date after a write, in the write's transaction
    (the case row is locked by the write)."""
    at = at or timezone.localdate()
    computed = compute(RecruitCase.objects.filter(pk=case_id), at)
    old = CaseState.objects.filter(case_id=case_id).values("computed_on", *STATE_FIELDS).first()
    deltas: rollup.Deltas = {}
    tallies: rollup.Deltas = {}
    if old is not None:
        for key in count_keys(old["org_id"], old["stage"], old["years"]):
            rollup.merge(deltas, key, "n", -1)
    new = computed.states.get(case_id)
    paths = {row["org_path"] for row in (old, new) if row is not None}
    ids = ids_by_path(p for path in paths for p in ancestor_paths(path))
    if old is not None:
        _spread(tallies, [(old, old["computed_on"])], -1, ids)
    if new is not None:
        _spread(tallies, [(new, at)], 1, ids)
    if new is None:
        CaseState.objects.filter(case_id=case_id).delete()
    else:
        for key in count_keys(new["org_id"], new["stage"], new["years"]):
            rollup.merge(deltas, key, "n", 1)
        if not CaseState.objects.filter(case_id=case_id).update(**new, computed_on=at):
            CaseState.objects.create(case_id=case_id, computed_on=at, **new)
    waiting = [
        CaseWaiting(case_id=cid, step=step, **row)
        for (cid, step), row in sorted(computed.waiting.items())
    ]
    had = list(
        CaseWaiting.objects.filter(case_id=case_id)
        .order_by("step")
        .values_list("step", *WAITING_FIELDS)
    )
    wanted = [(w.step, *(getattr(w, f) for f in WAITING_FIELDS)) for w in waiting]
    if had != wanted:
        CaseWaiting.objects.filter(case_id=case_id).delete()
        CaseWaiting.objects.bulk_create(waiting)
    rollup.add_to_rows(StageCount, COUNT_KEY, deltas)
    rollup.add_to_rows(CaseTally, TALLY_KEY, tallies)


def org_moved(org_id: int, old_path: str, new_path: str) -> None:
    """An organization moved with its subtree: the stored paths follow it (one statement per
    table; the cases' rows keep their order within the subtree), and its subtree counters leave
    the organizations above the old place for those above the new one."""
    old, new = ancestor_paths(old_path)[:-1], ancestor_paths(new_path)[:-1]
    ids = ids_by_path(old + new)
    deltas: rollup.Deltas = {}
    moved = CaseTally.objects.select_for_update().filter(org_id=org_id, sub_cases__gt=0)
    moved = moved.order_by("pk")
    for kind, year, code, n in moved.values_list("kind", "year", "code", SUB):
        for paths, sign in ((old, -1), (new, 1)):
            for path in paths:
                if path in ids:
                    rollup.merge(deltas, (ids[path], kind, year, code), SUB, sign * n)
    rollup.add_to_rows(CaseTally, TALLY_KEY, deltas)
    cut = len(old_path) + 1
    for model in (CaseState, CaseWaiting):
        model.objects.filter(org_path__startswith=old_path).update(
            org_path=Concat(Value(new_path), Substr("org_path", cut))
        )


# --- reads --------------------------------------------------------------------------------------


def _at(prefix: str) -> Q:
    """The subtree counters of the organization at ``prefix`` (``""``: of the top
    organizations, whose subtrees make everything)."""
    return Q(org__depth=1) if prefix == "" else Q(org__path=prefix)


def usable(prefix: str, at: dt.date) -> tuple[bool, bool]:
    """Whether the rows under ``prefix`` (an organization's path, or ``""``) hold on ``at``:
    ``(dates, findings)``. The stage, the queue and the probation dates hold when every row was
    computed on or before ``at`` under the rules' parameters in force on ``at``; the findings
    only when every row was computed on ``at`` itself (a later day can bring a deadline past).
    Neither while the newest case has no row (cases loaded around the services, as the
    generator does, before ``dangjian rollups rebuild``). One query of a few rows whatever the
    number of cases: the first and last days of the rows from the subtree counters of the
    organization (``day``), and the newest case's row by the primary keys."""
    newest = RecruitCase.objects.order_by("-pk").values("pk")[:1]
    unrowed = RecruitCase.objects.filter(pk=Subquery(newest), state__isnull=True)
    found = CaseTally.objects.filter(_at(prefix), kind="day", sub_cases__gt=0).aggregate(
        first=Min("code"),
        last=Max("code"),
        # the newest case without a row, asked in the same statement (evaluated once)
        missing=Max(Subquery(unrowed.values("pk")[:1])),
    )
    if found["first"] is None:
        # no case under the organization; or ``prefix`` is no organization's path (no
        # counters, only the rows tell): read the records
        rowed = CaseState.objects.filter(org_path__startswith=prefix).exists()
        return (False, False) if rowed or unrowed.exists() else (True, True)
    if found["missing"] is not None:
        return False, False  # cases loaded around the services: rebuild the rows first
    first, last = dt.date.fromisoformat(found["first"]), dt.date.fromisoformat(found["last"])
    if last > at:
        return False, False
    chain = config.versions()
    dates = config.version_index(first, chain) == config.version_index(at, chain)
    return dates, dates and first == at


def tallies(prefix: str, year: int) -> dict[tuple[str, int, str], int]:
    """The subtree counters of the organization at ``prefix`` (``""``: everything) of every
    year and of ``year``: (kind, year, code) → cases (one query, a few rows)."""
    rows = CaseTally.objects.filter(_at(prefix), year__in=(0, year), sub_cases__gt=0).order_by()
    out: dict[tuple[str, int, str], int] = {}
    for kind, y, code, n in rows.values_list("kind", "year", "code", SUB):
        out[(kind, y, code)] = out.get((kind, y, code), 0) + n
    return out


def admitted_under(org_ids: Iterable[int], year: int) -> dict[int, dict[str, int]]:
    """organization id → priority group → the admissions approved in ``year`` in its subtree
    (from the subtree counters; one query)."""
    out: dict[int, dict[str, int]] = {}
    rows = CaseTally.objects.filter(org_id__in=list(org_ids), kind="admit", year=year)
    rows = rows.filter(sub_cases__gt=0)
    for org_id, code, n in rows.order_by().values_list("org_id", "code", SUB):
        out.setdefault(org_id, {})[code] = n
    return out


T = TypeVar("T")


class RowSeq(Sequence[T]):
    """A long list read page by page from the database: ``len`` is one ``COUNT``, a slice one
    ``LIMIT … OFFSET`` query whose rows ``make`` turns into the list's items (the paginator
    reads only the page it shows). Iterating reads everything."""

    def __init__(
        self, qs: QuerySet[Any], make: Callable[[Any], T], *, length: int | None = None
    ) -> None:
        self.qs, self.make = qs, make
        self._len: int | None = length  # when the caller counted already

    def __len__(self) -> int:
        if self._len is None:
            self._len = self.qs.count()
        return self._len

    def count(self, value: Any = None) -> int:  # type: ignore[override]
        """The number of rows (what the paginator asks)."""
        return len(self)

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            if self._len == 0:
                return []
            return [self.make(r) for r in self.qs[index]]
        return self.make(self.qs[index])

    def __iter__(self) -> Iterator[T]:
        return (self.make(r) for r in self.qs.iterator(chunk_size=2000))

    def __bool__(self) -> bool:
        return len(self) > 0

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RowSeq | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


# --- rebuild and check --------------------------------------------------------------------------


def _cases(org: Organization | None) -> QuerySet[RecruitCase]:
    qs = RecruitCase.objects.order_by()
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    return qs


def _chunks(qs: QuerySet[RecruitCase]) -> Iterable[QuerySet[RecruitCase]]:
    ids = list(qs.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield RecruitCase.objects.filter(pk__in=ids[start : start + CHUNK])


def expected(org: Organization | None = None, at: dt.date | None = None) -> Computed:
    """The rows of the cases of the subtree of ``org`` (all when ``None``) on ``at``."""
    at = at or timezone.localdate()
    out = Computed(at)
    for chunk in _chunks(_cases(org)):
        part = compute(chunk, at)
        out.states.update(part.states)
        out.waiting.update(part.waiting)
    return out


def tallies_of(rows: Iterable[tuple[dict[str, Any], dt.date]]) -> rollup.Deltas:
    """The subtree counters the state rows (each with the day it was computed on) make."""
    out: rollup.Deltas = {}
    _spread(out, rows, 1)
    return rollup.nonzero(out)


def counts_of(states: Iterable[dict[str, Any]]) -> rollup.Deltas:
    out: rollup.Deltas = {}
    for row in states:
        for key in count_keys(row["org_id"], row["stage"], row["years"]):
            rollup.merge(out, key, "n", 1)
    return rollup.nonzero(out)


def _scoped(model: Any, org: Organization | None) -> QuerySet[Any]:
    rows = model.objects.all()
    if org is not None:
        rows = rows.filter(org__path__startswith=org.path)
    return rows


def _state_scope(org: Organization | None) -> QuerySet[CaseState]:
    rows = CaseState.objects.all()
    if org is not None:
        rows = rows.filter(case__org__path__startswith=org.path)
    return rows


@dataclass
class Difference:
    """A stored row that differs from the records."""

    label: str
    what: str
    stored: Any
    wanted: Any

    def __str__(self) -> str:
        return f"{self.label}：{self.what} 汇总为 {self.stored}，按记录应为 {self.wanted}"


def _show(value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def differences(org: Organization | None = None) -> list[Difference]:
    """Where the stored rows of the subtree of ``org`` differ from the records. Each case is
    computed again on the day its row was computed (a row of an earlier day is not wrong for
    being of that day); a case without a row is computed on today."""
    today = timezone.localdate()
    stored = {
        r["case_id"]: r for r in _state_scope(org).values("case_id", "computed_on", *STATE_FIELDS)
    }
    ids = list(_cases(org).values_list("pk", flat=True))
    by_day: dict[dt.date, list[int]] = {}
    for pk in ids:
        day = stored[pk]["computed_on"] if pk in stored else today
        by_day.setdefault(day, []).append(pk)
    want_states: dict[int, dict[str, Any]] = {}
    want_waiting: dict[tuple[int, int], dict[str, Any]] = {}
    for day, day_ids in sorted(by_day.items()):
        for start in range(0, len(day_ids), CHUNK):
            part = compute(RecruitCase.objects.filter(pk__in=day_ids[start : start + CHUNK]), day)
            want_states.update(part.states)
            want_waiting.update(part.waiting)
    names = dict(_cases(org).values_list("pk", "case_no"))
    found: list[Difference] = []
    for pk in sorted(set(stored) | set(want_states)):
        have, want = stored.get(pk), want_states.get(pk)
        label = f"发展党员案例 {names.get(pk, pk)}"
        if have is None or want is None:
            found.append(
                Difference(label, "汇总行", "有" if have else "无", "有" if want else "无")
            )
            continue
        for name in STATE_FIELDS:
            if have[name] != want[name]:
                what = FIELD_LABELS[name]
                found.append(Difference(label, what, _show(have[name]), _show(want[name])))
    waiting_rows = CaseWaiting.objects.all()
    if org is not None:
        waiting_rows = waiting_rows.filter(case__org__path__startswith=org.path)
    have_waiting = {
        (r["case_id"], r["step"]): {f: r[f] for f in WAITING_FIELDS}
        for r in waiting_rows.values("case_id", "step", *WAITING_FIELDS)
    }
    for key in sorted(set(have_waiting) | set(want_waiting)):
        a, b = have_waiting.get(key), want_waiting.get(key)
        if a != b:
            label = f"发展党员案例 {names.get(key[0], key[0])} 第 {key[1]} 步待审批"
            found.append(Difference(label, "待审批", _show(a and str(a)), _show(b and str(b))))
    counts = rollup.differences(
        rollup.stored_rows(_scoped(StageCount, org), COUNT_KEY, ["n"]),
        counts_of(want_states.values()),
        ["n"],
    )
    days = {pk: day for day, day_ids in by_day.items() for pk in day_ids}
    want_tallies = tallies_of((row, days[pk]) for pk, row in want_states.items())
    if org is not None:
        inside = set(_subtree_ids(org))
        want_tallies = {key: row for key, row in want_tallies.items() if key[0] in inside}
    tallied = rollup.differences(
        rollup.stored_rows(_scoped(CaseTally, org), TALLY_KEY, [SUB]), want_tallies, [SUB]
    )
    labels = org_labels([ckey[0] for ckey, *_ in counts] + [tkey[0] for tkey, *_ in tallied])
    for ckey, _column, stored_n, wanted_n in counts:
        year = "全部" if ckey[1] == 0 else f"{ckey[1]}年有步骤的"
        what = f"{year}{STAGE_LABELS.get(ckey[2], ckey[2])}阶段案例数"
        found.append(Difference(labels.get(ckey[0], str(ckey[0])), what, stored_n, wanted_n))
    for (org_id, kind, year_n, code), _column, stored_n, wanted_n in tallied:
        year = "" if year_n == 0 else f"{year_n}年"
        shown = STAGE_LABELS.get(code, code) if kind == "stage" else code
        what = f"含下级{year}{KIND_LABELS.get(kind, kind)}（{shown or '合计'}）"
        found.append(Difference(labels.get(org_id, str(org_id)), what, stored_n, wanted_n))
    return found


def _subtree_ids(org: Organization) -> list[int]:
    return list(Organization.objects.filter(path__startswith=org.path).values_list("pk", flat=True))


@transaction.atomic
def rebuild(org: Organization | None = None, at: dt.date | None = None) -> int:
    """Rebuild the rows of the cases of the subtree of ``org`` (all when ``None``) from the
    records on ``at`` (today); returns the cases written. The counters are locked before the
    records are read, as the other rebuilds do. The cases are computed and written
    :data:`CHUNK` at a time (memory bounded by a chunk, whatever the number of cases); the
    counters are added to chunk by chunk from zero."""
    at = at or timezone.localdate()
    counters = _scoped(StageCount, org)
    list(counters.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
    subtree = _scoped(CaseTally, org)
    list(subtree.select_for_update(of=("self",)).order_by("pk").values_list("pk"))
    if org is not None:
        # the organizations above keep the counts of the rest of their subtrees: take off what
        # the rows of this subtree added to them (the rows rebuilt add their counts again)
        inside = set(_subtree_ids(org))
        old = _state_scope(org).values("computed_on", *STATE_FIELDS)
        above: rollup.Deltas = {}
        _spread(above, [(row, row["computed_on"]) for row in old], -1)
        above = {key: row for key, row in above.items() if key[0] not in inside}
        rollup.add_to_rows(CaseTally, TALLY_KEY, above)
    subtree.delete()
    _state_scope(org).delete()
    waiting = CaseWaiting.objects.all()
    if org is not None:
        waiting = waiting.filter(case__org__path__startswith=org.path)
    waiting.delete()
    counters.delete()
    written = 0
    for chunk in _chunks(_cases(org)):
        part = compute(chunk, at)
        CaseState.objects.bulk_create(
            [
                CaseState(case_id=pk, computed_on=at, **row)
                for pk, row in sorted(part.states.items())
            ],
            batch_size=1000,
        )
        CaseWaiting.objects.bulk_create(
            [
                CaseWaiting(case_id=cid, step=step, **row)
                for (cid, step), row in sorted(part.waiting.items())
            ],
            batch_size=1000,
        )
        rollup.add_to_rows(StageCount, COUNT_KEY, counts_of(part.states.values()))
        rows = [(row, at) for row in part.states.values()]
        rollup.add_to_rows(CaseTally, TALLY_KEY, tallies_of(rows))
        written += len(part.states)
    return written


__all__ = [
    "CaseState",
    "CaseTally",
    "Computed",
    "RowSeq",
    "admitted_under",
    "case_changed",
    "compute",
    "differences",
    "expected",
    "org_moved",
    "rebuild",
    "tallies",
    "usable",
]
