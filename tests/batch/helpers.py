"""Shared pieces of the batch engine tests: the row path's findings reduced to what the batch
engine gives (rule, organization, severity, period), for the rules it covers."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

from dangjian.accounts.scope import SYSTEM
from dangjian.batch.engines import Engine
from dangjian.batch.run import BatchResult, run_batch
from dangjian.rules.runner import run_check

Key = tuple[str, str, str, str | None]


def row_keys(at: dt.date, families: str, covered: set[str]) -> Counter[Key]:
    result = run_check(SYSTEM, rules=families, at=at)
    return Counter(
        (f.rule, f.subject, f.severity, f.period) for f in result.findings if f.rule in covered
    )


def batch_keys(result: BatchResult) -> Counter[Key]:
    return Counter(result.rows())


def compare(engine: Engine, snapshot: Path, at: dt.date, families: str = "SETUP,LIFE") -> int:
    """Run the batch engine and the row path; assert identical findings for the covered rules;
    returns the number of findings compared."""
    result = run_batch(engine, snapshot, families=families, at=at)
    covered = set(result.covered)
    expected = row_keys(at, families, covered)
    got = batch_keys(result)
    missing = expected - got
    extra = got - expected
    assert not missing and not extra, (sorted(missing)[:20], sorted(extra)[:20])
    return sum(got.values())
