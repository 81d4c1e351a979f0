"""The batch command's refusals: Chinese messages, exit status 2."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.batch.nation import generate_nation
from dangjian.orgs.models import Organization


def _refused(*args: str) -> str:
    with pytest.raises(CommandError) as info:
        call_command("batch", *args)
    assert info.value.returncode == 2
    return str(info.value)


def test_bad_arguments_are_refused_in_chinese(tmp_path):
    assert "未知引擎" in _refused("run", "--engine", "oracle")
    assert "未知输出格式" in _refused("run", "--format", "xml")
    assert "--out" in _refused("run", "--format", "parquet")
    assert "快照目录" in _refused("export")
    assert "meta.json" in _refused("run", "--snapshot", str(tmp_path))


def test_a_snapshot_is_checked_on_its_own_date(tmp_path, capsys):
    generate_nation(tmp_path, at=dt.date(2026, 11, 23), scale=0.001)
    assert "不能按 2026-01-01 检查" in _refused(
        "run", "--snapshot", str(tmp_path), "--at", "2026-01-01"
    )
    call_command("batch", "run", "--snapshot", str(tmp_path), "--rules", "SETUP")
    out = capsys.readouterr().out
    assert "2026-11-23，引擎 duckdb" in out and "党支部正式党员不少于 3 名" in out


def test_indicators_of_a_standard_are_counted_per_indicator(demo, today, capsys):
    call_command("batch", "run", "--indicators", "zhiliang", "--engine", "duckdb")
    out = capsys.readouterr().out
    assert "标准“" in out and "引擎 duckdb" in out
    assert "组织设置问题数" in out and "组织生活制度落实率" in out
    assert "不在批量引擎中：党员参加组织生活比例" in out
    assert "没有找到考核或考核标准" in _refused("run", "--indicators", "nope")


def test_indicators_of_a_campaign_in_json(demo, today, capsys):
    """Last year's campaign of the demo, scored today on the sql engine: its participants, the
    values the row path gives them (the scoring's own context)."""
    from dangjian.assess.indicators import IndicatorContext, compute_all
    from dangjian.assess.models import Campaign, CampaignOrg
    from dangjian.demo.assess import seed_demo_assess

    seed_demo_assess(today)
    campaign = Campaign.objects.filter(period_end__lt=today).get()
    call_command(
        "batch", "run", "--indicators", str(campaign.pk), "--engine", "sql", "--format", "json"
    )
    data = json.loads(capsys.readouterr().out)
    ids = list(CampaignOrg.objects.filter(campaign=campaign).values_list("org_id", flat=True))
    assert data["window"] == [campaign.period_start.isoformat(), campaign.period_end.isoformat()]
    assert len(data["values"]) == len(ids) > 10
    assert {n["indicator"] for n in data["not_covered"]} >= {"attendance_rate"}
    ctx = IndicatorContext(
        org_ids=ids, prefix="", start=campaign.period_start, end=campaign.period_end, at=today
    )
    names = [n for n in data["values"][0] if n != "subject"]
    expected = compute_all(ctx, [n for n in names] + [n["indicator"] for n in data["not_covered"]])
    codes = dict(Organization.objects.filter(pk__in=ids).values_list("code", "pk"))
    for row in data["values"]:
        for name in names:
            assert row[name] == expected[name][codes[row["subject"]]].value, (name, row)
