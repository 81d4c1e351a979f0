"""The automatic indicators of an assessment (:mod:`dangjian.assess.indicators`) over a
snapshot, in the per-organization columnar form, on any engine of :mod:`dangjian.batch.engines`.

The indicators that rest on the SETUP and LIFE frequency rules are computed here from the same
rule SQL as the findings (:mod:`dangjian.batch.sql`): the SETUP findings at the end of the
window counted per organization, and the LIFE checker's compliance tally (per organization,
rule and period over, whether it was met) summed per organization — one query on the engine,
one row per organization. The values equal the row path's ``IndicatorValue.value``; the
display text and the evidence stay with the row path (the assessment pages).

Left out, with the reason (:data:`NOT_COVERED`): the indicators that read single records
(attendance, members absent six months) or the recruitment cases, which the snapshot does not
hold.
"""

# ruff: noqa: S608  (the rules' own SQL of dangjian.batch.sql and names of ours)

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dangjian.assess.indicators import REGISTRY, IndicatorContext
from dangjian.rules.runner import resolve_rules

from .engines import Engine
from .run import MAX_DEPTH, snapshot_date, with_subjects
from .sql import PERIODS_SCHEMA, in_list, lit, plan

#: indicator → the SETUP rule whose finding makes it 0 (``None``: any severity, else errors)
SETUP_FLAGS: dict[str, tuple[str, str | None]] = {
    "term_in_force": ("SETUP-TERM-EXPIRED", None),
    "secretary_in_post": ("SETUP-SECRETARY-VACANT", None),
    "committee_in_place": ("SETUP-COMMITTEE-REQUIRED", "error"),
    "full_members_enough": ("SETUP-BRANCH-MIN-FULL", "error"),
}
#: yearly LIFE indicators → their rule
LIFE_YEARLY = {
    "life_org_life_meeting": "LIFE-ORG-LIFE-MEETING-YEARLY",
    "life_democratic_review": "LIFE-DEMOCRATIC-REVIEW-YEARLY",
}
COVERED = ("life_compliance_rate", *LIFE_YEARLY, "setup_errors", *SETUP_FLAGS)
NOT_COVERED = {
    "life_absent_members": "按每名党员每次会议的出勤判断，快照不含逐条出勤记录",
    "attendance_rate": "按每次会议的应到、实到人数计算，快照不含逐条会议记录",
    "recruit_cases_correct_rate": "按每个发展党员案例的程序判断，快照不含发展党员案例",
    "recruit_procedure_errors": "按每个发展党员案例的程序判断，快照不含发展党员案例",
    "recruit_candidate_2_years": "按发展对象的确定日期和村的范围判断，快照不含发展党员案例",
    "service_response_rate": "按每件服务工单的时限和状态计算，快照不含服务工单",
    "service_resolution_rate": "按每件服务工单的时限和状态计算，快照不含服务工单",
    "service_satisfaction_rate": "按每件服务工单的评价计算，快照不含服务工单",
}


@dataclass
class IndicatorResult:
    """Per scored organization (``org_id``, ``subject``), a float column per indicator
    computed (null: no data, as the row path's ``None``)."""

    end: dt.date
    engine: str
    values: pa.Table
    covered: list[str] = field(default_factory=list)
    #: indicator → why the batch engine leaves it to the row path
    not_covered: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, dict[int, float | None]]:
        """Indicator → organization id → value."""
        ids = self.values.column("org_id").to_pylist()
        return {
            name: dict(zip(ids, self.values.column(name).to_pylist(), strict=True))
            for name in self.covered
        }


def _not_in(column: str, rules: Iterable[str]) -> str:
    rules = sorted(set(rules))
    return f"{column} NOT IN {in_list(rules)}" if rules else "1 = 1"


def _count(condition: str, value: str = "1") -> str:
    return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"


def _union(queries: Sequence[str]) -> str:
    return " UNION ALL ".join(f"SELECT * FROM ({q}) q{i}" for i, q in enumerate(queries))


def _setup_part(names: set[str], end: dt.date, counted: Iterable[str]) -> str | None:
    """Per organization, the SETUP errors not counted elsewhere and one count per flag."""
    if not names & {"setup_errors", *SETUP_FLAGS}:
        return None
    queries = [q.sql for q in plan(resolve_rules("SETUP"), end).queries]
    errors = "severity = 'error' AND " + _not_in("rule_id", counted)
    cols = [f"{_count(errors)} AS setup_n"]
    for name, (rule_id, severity) in SETUP_FLAGS.items():
        cond = f"rule_id = {lit(rule_id)}"
        if severity:
            cond += f" AND severity = {lit(severity)}"
        cols.append(f"{_count(cond)} AS {name}_n")
    return f"SELECT org_id, {', '.join(cols)} FROM ({_union(queries)}) f GROUP BY org_id"


def _life_part(
    names: set[str], start: dt.date, end: dt.date, at: dt.date, counted: Iterable[str]
) -> tuple[str | None, list[dict[str, object]], dict[str, str]]:
    """Per organization, the tally of the LIFE frequency rules the wanted indicators need (the
    periods the assessment counts), the ``periods`` rows, and the indicators left out."""
    wanted = [n for n in ("life_compliance_rate", *LIFE_YEARLY) if n in names]
    rules = sorted({r for n in wanted for r in REGISTRY[n].rules})
    if not rules or start > end:
        return None, [], {}
    work = plan(resolve_rules("LIFE", rules), end, start, scored=(start, at))
    missing = {n.rule_id: n.reason for n in work.not_covered}
    left = {n: f"{r}：{missing[r]}" for n in wanted for r in REGISTRY[n].rules if r in missing}
    if not work.queries:
        return None, [], left
    outside = _not_in("rule_id", counted)
    cols = [f"{_count(outside)} AS life_checked", f"{_count(outside, 'met')} AS life_met"]
    for name, rule_id in LIFE_YEARLY.items():
        cols.append(f"{_count(f'rule_id = {lit(rule_id)}')} AS {name}_checked")
        cols.append(f"{_count(f'rule_id = {lit(rule_id)}', 'met')} AS {name}_met")
    sql = (
        f"SELECT org_id, {', '.join(cols)} FROM "
        f"({_union([q.sql for q in work.queries])}) t GROUP BY org_id"
    )
    return sql, work.periods, left


def _int(table: pa.Table, name: str) -> pa.Array:
    column = table.column(name) if name in table.column_names else pa.nulls(table.num_rows)
    return pc.fill_null(pc.cast(column, pa.int64()), 0)


def _flag(zero_when: pa.Array) -> pa.Array:
    """1.0, or 0.0 where ``zero_when`` counts a finding."""
    return pc.if_else(pc.greater(zero_when, 0), 0.0, 1.0)


def _share(met: pa.Array, checked: pa.Array) -> pa.Array:
    rate = pc.divide(pc.cast(met, pa.float64()), pc.cast(checked, pa.float64()))
    return pc.if_else(pc.greater(checked, 0), rate, pa.scalar(None, pa.float64()))


def _all_met(met: pa.Array, checked: pa.Array) -> pa.Array:
    value = pc.if_else(pc.equal(met, checked), 1.0, 0.0)
    return pc.if_else(pc.greater(checked, 0), value, pa.scalar(None, pa.float64()))


def run_indicators(
    engine: Engine,
    snapshot: Path,
    names: Iterable[str],
    *,
    start: dt.date,
    at: dt.date,
    org_ids: Iterable[int] | None = None,
) -> IndicatorResult:
    """The indicators ``names`` (those the batch engine covers; the others are listed in
    ``not_covered``) of the organizations ``org_ids`` (default: all of the snapshot) over the
    window ``start``..the snapshot's date, scored on ``at`` (a LIFE period counts once it is
    over by ``at``), as the row path's :class:`~dangjian.assess.indicators.IndicatorContext`
    with the same window and ``wanted`` indicators computes them. The snapshot must be taken
    at the end of the window (the campaign's end or ``at``, the earlier); ``ValueError``
    (Chinese) otherwise."""
    names = set(names)
    unknown = sorted(names - set(REGISTRY))
    if unknown:
        raise ValueError(f"未知指标：{'、'.join(unknown)}")
    end = snapshot_date(snapshot)
    if end > at:
        raise ValueError(f"快照日期 {end.isoformat()} 晚于评分日期 {at.isoformat()}")
    # which rules another indicator of the standard scores (one defect, one deduction)
    ctx = IndicatorContext(org_ids=(), prefix="", start=start, end=end, at=at, wanted=names)
    not_covered = {n: NOT_COVERED.get(n, "批量引擎尚未实现该指标") for n in names - set(COVERED)}
    started = time.perf_counter()
    setup = _setup_part(names, end, ctx.counted_elsewhere("setup_errors"))
    life, periods, left = _life_part(
        names, start, end, at, ctx.counted_elsewhere("life_compliance_rate")
    )
    not_covered.update(left)
    covered = [n for n in COVERED if n in names and n not in not_covered]
    with tempfile.TemporaryDirectory(prefix="dangjian-indicators-") as tmp:
        work = Path(tmp)
        pq.write_table(pa.Table.from_pylist(periods, schema=PERIODS_SCHEMA), work / "p.parquet")
        levels = pa.table({"k": pa.array(range(1, MAX_DEPTH + 1), type=pa.int32())})
        pq.write_table(levels, work / "levels.parquet")
        orgs = pq.read_table(snapshot / "orgs.parquet", columns=["org_id"]).column("org_id")
        scored = orgs if org_ids is None else pa.array(sorted(set(org_ids)), type=pa.int64())
        pq.write_table(pa.table({"org_id": scored}), work / "scored.parquet")
        for name in ("orgs", "months", "lectures"):
            engine.load(name, snapshot / f"{name}.parquet")
        engine.load("periods", work / "p.parquet")
        engine.load("levels", work / "levels.parquet")
        engine.load("scored", work / "scored.parquet")
        parts = ["o.org_id AS org_id", "CASE WHEN o.term_started_on IS NULL THEN 1 ELSE 0 END"]
        parts[1] += " AS no_term"
        joins = []
        if setup:
            parts += [f"s.{c}" for c in ("setup_n", *(f"{n}_n" for n in SETUP_FLAGS))]
            joins.append(f"LEFT JOIN ({setup}) s ON s.org_id = o.org_id")
        if life:
            life_cols = ["life_checked", "life_met"]
            life_cols += [f"{n}_{w}" for n in LIFE_YEARLY for w in ("checked", "met")]
            parts += [f"l.{c}" for c in life_cols]
            joins.append(f"LEFT JOIN ({life}) l ON l.org_id = o.org_id")
        rows = engine.query(
            f"SELECT {', '.join(parts)} FROM orgs o JOIN scored k ON k.org_id = o.org_id "
            f"{' '.join(joins)}"
        )
    ids = pc.cast(rows.column("org_id"), pa.int64())
    values: dict[str, pa.Array] = {"org_id": ids}
    for name in covered:
        if name == "setup_errors":
            values[name] = pc.cast(_int(rows, "setup_n"), pa.float64())
        elif name == "term_in_force":
            no_term = pc.greater(_int(rows, "no_term"), 0)
            flag = _flag(_int(rows, "term_in_force_n"))
            values[name] = pc.if_else(no_term, pa.scalar(None, pa.float64()), flag)
        elif name in SETUP_FLAGS:
            values[name] = _flag(_int(rows, f"{name}_n"))
        elif name == "life_compliance_rate":
            values[name] = _share(_int(rows, "life_met"), _int(rows, "life_checked"))
        else:
            values[name] = _all_met(_int(rows, f"{name}_met"), _int(rows, f"{name}_checked"))
    table = with_subjects(pa.table(values), snapshot).sort_by("org_id")
    return IndicatorResult(
        end, engine.name, table, covered, not_covered, time.perf_counter() - started
    )
