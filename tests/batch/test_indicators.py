"""The automatic indicators of an assessment computed by the batch engine (one query over the
snapshot, one row per organization) equal the row path's values (``IndicatorContext``) on the
demo's data, for the shipped standards' indicator sets (so the "counted elsewhere" rule is
exercised) and for the aggregate indicators alone; on DuckDB and the ``sql`` engine."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from dangjian.assess.indicators import IndicatorContext, compute_all
from dangjian.assess.standard import get_standard
from dangjian.batch.engines import DuckDBEngine, make_engine
from dangjian.batch.indicators import COVERED, NOT_COVERED, run_indicators
from dangjian.batch.snapshot import export_snapshot
from dangjian.orgs.models import Organization


def _row_path(names, start, end, at, org_ids):
    ctx = IndicatorContext(org_ids=org_ids, prefix="", start=start, end=end, at=at)
    computed = compute_all(ctx, names)
    return {n: {pk: v.value for pk, v in computed[n].items()} for n in names if n in COVERED}


def _same(batch, rows) -> int:
    compared = 0
    for name, expected in rows.items():
        got = batch[name]
        assert set(got) == set(expected), name
        for pk, value in expected.items():
            if value is None:
                assert got[pk] is None, (name, pk)
            else:
                assert got[pk] is not None and math.isclose(got[pk], value), (name, pk, got[pk])
            compared += 1
    return compared


@pytest.mark.parametrize("key", ["zhiliang", "wuhao", "aggregates"])
def test_duckdb_indicators_equal_the_row_path_on_the_demo(demo, today, tmp_path, key):
    names = (
        {"setup_errors", "life_compliance_rate"}
        if key == "aggregates"
        else set(get_standard(key).indicators())
    )
    start = dt.date(today.year - 1, 1, 1)
    org_ids = list(Organization.objects.values_list("pk", flat=True))
    export_snapshot(tmp_path, today)
    with DuckDBEngine() as engine:
        result = run_indicators(engine, tmp_path, names, start=start, at=today)
    assert set(result.not_covered) == names - set(COVERED)
    assert set(result.not_covered) <= set(NOT_COVERED)
    rows = _row_path(names, start, today, today, org_ids)
    assert _same(result.as_dict(), rows) > 100
    got = result.as_dict()
    # not all alike: some organizations fall short, some have no data
    flags = [v for n in ("term_in_force", "secretary_in_post") for v in got.get(n, {}).values()]
    assert any(v for v in got["setup_errors"].values()) or 0.0 in flags
    rates = list(got["life_compliance_rate"].values())
    assert None in rates and any(v is not None and v < 1 for v in rates)


def test_a_closed_campaign_is_scored_on_a_snapshot_of_its_end(demo, today, tmp_path):
    """The window ended before the scoring day: the snapshot is taken at its end, and a
    period counts once it is over on the scoring day; a part of the organizations scored."""
    names = set(get_standard("zhiliang").indicators())
    start, end = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    org_ids = list(Organization.objects.order_by("path").values_list("pk", flat=True)[::2])
    export_snapshot(tmp_path, end)
    with make_engine("sql") as engine:
        result = run_indicators(engine, tmp_path, names, start=start, at=today, org_ids=org_ids)
    assert result.engine == "sql"
    assert _same(result.as_dict(), _row_path(names, start, end, today, org_ids)) > 50


def test_a_snapshot_after_the_scoring_day_is_refused(demo, today, tmp_path):
    export_snapshot(tmp_path, today)
    with DuckDBEngine() as engine, pytest.raises(ValueError, match="晚于评分日期"):
        run_indicators(
            engine, tmp_path, ["setup_errors"], start=today, at=today - dt.timedelta(days=1)
        )
