"""A batch run: the rules of the asked families over a snapshot, on one engine.

:func:`run_batch` plans the rule SQL with the parameters in force on the snapshot's date
(:mod:`dangjian.batch.sql`), loads the snapshot's Parquet files and the small ``periods`` and
``levels`` tables into the engine, runs the rules' queries as one query and returns the findings
as an Arrow table ``(rule_id, org_id, severity, period, subject)``, sorted like the row path's
findings (subject, then rule) unless asked not to, with the rules left out
(:data:`dangjian.batch.sql.NOT_IN_BATCH`) and their reasons.
"""

# ruff: noqa: S608  (the rules' own SQL of dangjian.batch.sql)

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from dangjian.rules.runner import resolve_rules

from .engines import Engine
from .snapshot import read_meta
from .sql import PERIODS_SCHEMA, RESULT_COLUMNS, NotCovered, plan

RESULT_SCHEMA = pa.schema(
    [
        ("rule_id", pa.string()),
        ("org_id", pa.int64()),
        ("severity", pa.string()),
        ("period", pa.string()),
    ]
)
#: the columns of a finding as the row path gives them
KEY_COLUMNS = ("rule_id", "subject", "severity", "period")
#: the deepest path the ``levels`` table covers (treebeard paths of 4 characters a level)
MAX_DEPTH = 64


@dataclass
class BatchResult:
    at: dt.date
    engine: str
    findings: pa.Table
    #: the rules evaluated (switched on and covered), in the order of the run
    covered: list[str] = field(default_factory=list)
    not_covered: list[NotCovered] = field(default_factory=list)
    seconds: float = 0.0

    def rows(self) -> list[tuple[str, str, str, str | None]]:
        """(rule, subject, severity, period) of every finding, in order."""
        cols = [self.findings.column(name).to_pylist() for name in KEY_COLUMNS]
        return list(zip(*cols, strict=True))


def with_subjects(findings: pa.Table, snapshot: Path) -> pa.Table:
    """``findings`` with the ``subject`` (the organization's code) of each ``org_id``: the
    queries carry the numeric id (cheaper to read, join and hand back than the code), the codes
    are looked up once at the end, in Arrow."""
    orgs = pq.read_table(snapshot / "orgs.parquet", columns=["org_id", "code"])
    where = pc.index_in(findings.column("org_id"), value_set=orgs.column("org_id"))
    return findings.append_column("subject", orgs.column("code").take(where))


def snapshot_date(snapshot: Path) -> dt.date:
    return dt.date.fromisoformat(read_meta(snapshot)["at"])


def run_batch(
    engine: Engine,
    snapshot: Path,
    *,
    families: str | Sequence[str] = "SETUP,LIFE",
    at: dt.date | None = None,
    since: dt.date | None = None,
    ordered: bool = True,
) -> BatchResult:
    """Run the rules of ``families`` over ``snapshot`` in one query (the rules' queries joined
    by ``UNION ALL``, so the engine runs them in parallel); the findings (``rule_id``,
    ``org_id``, ``severity``, ``period`` and the organization's code ``subject``) ordered by
    subject, rule and period unless ``ordered`` is false. The snapshot counts the rolls as of
    its date: ``at``, when given, must be that date (``ValueError`` otherwise, in Chinese)."""
    taken = snapshot_date(snapshot)
    if at is not None and at != taken:
        raise ValueError(
            f"快照按 {taken.isoformat()} 导出，不能按 {at.isoformat()} 检查；"
            "请按该日期重新导出（batch export --at）或不指定 --at"
        )
    work = plan(resolve_rules(families), taken, since)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="dangjian-batch-") as tmp:
        periods = pa.Table.from_pylist(work.periods, schema=PERIODS_SCHEMA)
        pq.write_table(periods, Path(tmp) / "periods.parquet")
        levels = pa.table({"k": pa.array(range(1, MAX_DEPTH + 1), type=pa.int32())})
        pq.write_table(levels, Path(tmp) / "levels.parquet")
        for name in ("orgs", "months", "lectures"):
            engine.load(name, snapshot / f"{name}.parquet")
        engine.load("periods", Path(tmp) / "periods.parquet")
        engine.load("levels", Path(tmp) / "levels.parquet")
        if work.queries:
            sql = " UNION ALL ".join(
                f"SELECT * FROM ({q.sql}) q{i}" for i, q in enumerate(work.queries)
            )
            findings = engine.query(sql).select(list(RESULT_COLUMNS)).cast(RESULT_SCHEMA)
        else:
            findings = RESULT_SCHEMA.empty_table()
    findings = with_subjects(findings, snapshot)
    if ordered and findings.num_rows:
        findings = findings.sort_by(
            [("subject", "ascending"), ("rule_id", "ascending"), ("period", "ascending")]
        )
    return BatchResult(
        taken,
        engine.name,
        findings,
        [q.rule_id for q in work.queries],
        work.not_covered,
        time.perf_counter() - started,
    )
