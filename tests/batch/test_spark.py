"""Spark (pyspark, ``local[1]``) runs the same rule SQL and finds exactly what the row path
finds. Skipped when Java or pyspark is missing. Few tests: a JVM start costs seconds."""

from __future__ import annotations

import datetime as dt
import random
import shutil

import pytest

from dangjian.assess.indicators import IndicatorContext, compute_all
from dangjian.assess.standard import get_standard
from dangjian.batch.indicators import run_indicators
from dangjian.batch.snapshot import export_snapshot
from dangjian.orgs.models import Organization
from tests.batch.helpers import compare
from tests.batch.test_random import SEED, build_world

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="Spark 需要 Java 17")
pytest.importorskip("pyspark")


@pytest.fixture(scope="module")
def spark():
    from dangjian.batch.engines import SparkEngine

    engine = SparkEngine(master="local[1]")
    yield engine
    engine.spark.stop()


def test_spark_equals_row_path_on_the_demo(spark, demo, today, tmp_path):
    export_snapshot(tmp_path, today)
    assert compare(spark, tmp_path, today) > 100


def test_spark_equals_row_path_on_random_data(spark, db, today, tmp_path):
    build_world(random.Random(SEED), today)
    export_snapshot(tmp_path, today)
    assert compare(spark, tmp_path, today) > 50


def test_spark_indicators_equal_the_row_path_on_the_demo(spark, demo, today, tmp_path):
    names = set(get_standard("zhiliang").indicators())
    start = dt.date(today.year - 1, 1, 1)
    export_snapshot(tmp_path, today)
    result = run_indicators(spark, tmp_path, names, start=start, at=today)
    org_ids = list(Organization.objects.values_list("pk", flat=True))
    ctx = IndicatorContext(org_ids=org_ids, prefix="", start=start, end=today, at=today)
    expected = compute_all(ctx, result.covered)
    got = result.as_dict()
    for name in result.covered:
        assert got[name] == {pk: v.value for pk, v in expected[name].items()}, name
