"""The standard format: shipped defaults are valid; every kind of mistake gives a placed message."""

from __future__ import annotations

import subprocess
import sys

import pytest

from dangjian.assess.standard import (
    DEFAULT_DIR,
    Scoring,
    StandardError,
    available_standards,
    get_standard,
    load_file,
    parse_standard,
)
from dangjian.orgs.choices import Sector

MINIMAL = """\
key: mini
name: 测试标准
version: "1"
sectors: [农村, 社区]
valid_from: 2026-01-01
items:
  - id: "1"
    title: 组织生活
    points: 60
    criteria:
      - id: "1.1"
        text: 落实率
        points: 40
        mode: automatic
        indicator: life_compliance_rate
        scoring:
          linear: {zero: 0.6, full: 1.0}
      - id: "1.2"
        text: 班子团结
        points: 20
        mode: spot
        combine: average
  - id: "2"
    title: 农村个性目标
    points: 40
    sectors: [农村]
    criteria:
      - id: "2.1"
        text: 集体经济
        points: 40
        mode: self
  - id: "3"
    title: 社区个性目标
    points: 40
    sectors: [社区]
    criteria:
      - id: "3.1"
        text: 满意率
        points: 40
        mode: survey
        rate: satisfaction
        scoring:
          thresholds:
            - {at_least: 0.9, points: 40}
            - {at_least: 0.6, points: 20}
veto:
  - {id: disciplined, text: 有违纪违法党员}
stars:
  thresholds: {5: 90, 4: 80, 3: 70}
  quotas: {5: 0.1}
tiers: {by: score, advanced: 85, lagging: 60}
"""


def errors_of(text: str) -> list[str]:
    with pytest.raises(StandardError) as exc:
        parse_standard(text)
    return exc.value.errors


def test_minimal_standard_parses():
    std = parse_standard(MINIMAL)
    assert std.key == "mini"
    assert [i.id for i in std.items_for("农村")] == ["1", "2"]
    assert [i.id for i in std.items_for("社区")] == ["1", "3"]
    assert std.criterion("1.2").combine == "average"
    assert std.criterion("2.1").combine == "override"  # the default
    assert std.criterion("3.1").missing == "self"  # survey default
    assert std.stars.thresholds == ((5, 90.0), (4, 80.0), (3, 70.0))
    assert std.tiers.by == "score"
    assert std.indicators() == ["life_compliance_rate"]


@pytest.mark.parametrize("path", sorted(DEFAULT_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_standards_are_valid_and_add_up_per_sector(path):
    std = load_file(path)
    for sector in std.sectors:
        assert sum(i.points for i in std.items_for(sector)) == pytest.approx(100)
    assert std.veto, "a default standard carries the veto lines"
    assert any(c.mode == "automatic" for c in std.criteria())


def test_wuhao_has_the_five_goals_and_a_variant_per_sector():
    std = get_standard("wuhao")
    titles = [i.title for i in std.items if not i.sectors]
    assert titles == [
        "支部班子坚强",
        "干部作风扎实",
        "党员队伍过硬",
        "思想工作有效",
        "作用发挥明显",
    ]
    for sector in ["农村", "社区", "非公有制企业", "社会组织", "机关", "事业单位"]:
        specific = [i for i in std.items_for(sector) if i.sectors]
        assert len(specific) == 1, sector


@pytest.mark.parametrize("key", ["wuhao", "zhiliang"])
def test_shipped_standards_cover_every_sector_the_platform_knows(key):
    """高校, 中小学, 医院, 国有企业 … (orgs/choices.py Sector): none is skipped (issue 9)."""
    std = get_standard(key)
    assert set(std.sectors) == set(Sector.values)
    for sector in Sector.values:
        assert sum(i.points for i in std.items_for(sector)) == pytest.approx(100), sector


def test_wuhao_has_one_sector_set_per_sector():
    std = get_standard("wuhao")
    assert [i.title for i in std.items] == [
        "支部班子坚强",
        "干部作风扎实",
        "党员队伍过硬",
        "思想工作有效",
        "作用发挥明显",
    ]
    owners = {sector: std.set_for(sector) for sector in Sector.values}
    assert all(owners.values())
    assert owners["非公有制企业"] is owners["社会组织"]  # 两新组织 share one set
    titles = {sector: std.items_for(sector)[-1].title for sector in ("高校", "中小学", "医院")}
    assert titles["高校"].startswith("个性目标（高校）")
    assert "校长负责制" in titles["中小学"]
    assert "院长负责制" in titles["医院"]
    assert std.set_for("国有企业").items[0].id == "6F"


def test_shipped_tiers_are_by_score_not_by_share():
    """A fixed share of 后进 labelled a quarter of the branches every year (issue 9)."""
    for key in ("wuhao", "zhiliang"):
        assert get_standard(key).tiers.by == "score", key
    wuhao = get_standard("wuhao").tiers
    assert (wuhao.advanced, wuhao.lagging) == (90, 70)  # 五星 threshold; below 三星


def test_tiers_default_to_the_star_thresholds():
    std = parse_standard(MINIMAL.replace("tiers: {by: score, advanced: 85, lagging: 60}\n", ""))
    assert (std.tiers.by, std.tiers.advanced, std.tiers.lagging) == ("score", 90, 70)
    share = parse_standard(
        MINIMAL.replace(
            "{by: score, advanced: 85, lagging: 60}", "{by: share, advanced: 0.2, lagging: 0.1}"
        )
    )
    assert share.tiers.by == "share"  # still possible when a standard says so


def test_the_docstring_example_is_a_valid_standard():
    import textwrap

    from dangjian.assess import standard

    doc = standard.__doc__ or ""
    block = doc.split("refused)::\n\n", 1)[1].split("\n\nFor every sector", 1)[0]
    std = parse_standard(textwrap.dedent(block))
    assert [i.id for i in std.items_for("高校")] == ["1", "5", "6F"]
    assert std.set_for("农村").title == "农村"
    assert std.criterion("1.3").missing == "prorate"


SETS = """\
key: sets
name: 分领域测试标准
version: "1"
sectors: [农村, 社区, 高校]
valid_from: 2026-01-01
items:
  - id: "1"
    title: 共性目标
    points: 80
    criteria:
      - {id: "1.1", text: 组织生活, points: 80, mode: self}
sector_sets:
  - id: rural
    title: 农村
    sectors: [农村, 社区]
    items:
      - id: "2"
        title: 个性目标（农村社区）
        points: 20
        criteria:
          - {id: "2.1", text: 集体经济, points: 20, mode: spot}
  - id: campus
    sectors: [高校]
    items:
      - id: "3"
        title: 个性目标（高校）
        points: 10
        criteria:
          - {id: "3.1", text: 立德树人, points: 10, mode: spot}
      - id: "4"
        title: 个性目标（高校）二
        points: 10
        criteria:
          - {id: "4.1", text: 双带头人, points: 10, mode: self}
"""


def test_sector_sets_are_picked_by_sector():
    std = parse_standard(SETS)
    assert [i.id for i in std.items_for("农村")] == ["1", "2"]
    assert [i.id for i in std.items_for("社区")] == ["1", "2"]
    assert [i.id for i in std.items_for("高校")] == ["1", "3", "4"]
    assert std.set_for("高校").title == "campus"  # the id when no title is given
    assert std.criterion("4.1").mode == "self" and std.item_of("3.1").id == "3"
    assert std.set_for("机关") is None


def test_sector_set_mistakes_are_named_in_chinese():
    text = SETS.replace("    sectors: [高校]\n", "    sectors: [高校, 社区, 医院]\n").replace(
        '      - id: "4"\n', '      - id: "4"\n        sectors: [高校]\n'
    )
    text = text.replace('{id: "4.1"', '{id: "2.1"')
    errs = errors_of(text)
    place = "个性条目组第 2 组（campus）"
    assert f"{place}：领域“社区”已在条目组“rural”中；每个领域只能适用一个个性条目组" in errs
    assert any(e.startswith(f"{place}：领域“医院”不在本标准适用领域") for e in errs)
    assert (
        f"{place} → 第 2 项 个性目标（高校）二：条目组内的项目不再单独填写 sectors，"
        "适用领域由条目组的 sectors 决定"
    ) in errs
    assert any("编号“2.1”重复" in e for e in errs)


def test_a_sector_without_its_set_does_not_add_up():
    errs = errors_of(
        SETS.replace("sectors: [农村, 社区, 高校]", "sectors: [农村, 社区, 高校, 机关]")
    )
    assert errs == ["items：机关领域适用的各项分值合计 80（没有适用的个性条目组），应为 100"]
    errs = errors_of(
        SETS.replace(
            'points: 10\n        criteria:\n          - {id: "4.1"',
            'points: 5\n        criteria:\n          - {id: "4.1"',
        )
    )
    assert any("高校领域适用的各项分值合计 95（含个性条目组“campus”），应为 100" in e for e in errs)


def test_sector_set_keys_are_checked():
    errs = errors_of(SETS.replace("  - id: campus\n", "  - id: campus\n    weight: 1\n"))
    assert any(e.startswith("个性条目组第 2 组（campus）：未知的键 weight") for e in errs)
    errs = errors_of(SETS.replace("  - id: campus\n", "  - id: 校园\n"))
    assert any("编号“校园”只能由字母、数字、- 和 _ 组成" in e for e in errs)


def test_zhiliang_has_ten_items_of_ten_points():
    std = get_standard("zhiliang")
    assert len(std.items) == 10
    assert {i.points for i in std.items} == {10}
    assert [i.title for i in std.items][:3] == ["政治建设", "组织设置", "班子建设"]


def test_both_defaults_are_available():
    assert {k for k, _v in available_standards()} >= {"wuhao", "zhiliang"}


def test_criteria_not_adding_up_to_the_item_name_the_item():
    text = MINIMAL.replace(
        "        points: 20\n        mode: spot", "        points: 22\n        mode: spot"
    )
    errs = errors_of(text)
    assert "第 1 项 组织生活：各条分值合计 62，项目分值 60" in errs


def test_items_not_adding_up_to_100_per_sector():
    text = MINIMAL.replace(
        "    points: 40\n    sectors: [社区]", "    points: 30\n    sectors: [社区]"
    )
    text = text.replace(
        "        points: 40\n        mode: survey", "        points: 30\n        mode: survey"
    )
    text = text.replace("{at_least: 0.9, points: 40}", "{at_least: 0.9, points: 30}")
    errs = errors_of(text)
    assert errs == ["items：社区领域适用的各项分值合计 90，应为 100"]


def test_unknown_keys_are_refused_at_every_level():
    text = MINIMAL.replace("key: mini\n", "key: mini\nauthor: x\n").replace(
        "        mode: self\n", "        mode: self\n        weight: 2\n"
    )
    errs = errors_of(text)
    assert any(e.startswith("未知的键 author") for e in errs)
    assert any("第 2 项 农村个性目标 → 第 1 条（2.1）：未知的键 weight" in e for e in errs)


def test_unknown_indicator_is_named():
    errs = errors_of(MINIMAL.replace("indicator: life_compliance_rate", "indicator: no_such"))
    assert len(errs) == 1
    assert errs[0].startswith("第 1 项 组织生活 → 第 1 条（1.1）：指标“no_such”不存在")


def test_thresholds_must_be_ordered():
    text = MINIMAL.replace(
        "- {at_least: 0.9, points: 40}\n            - {at_least: 0.6, points: 20}",
        "- {at_least: 0.6, points: 20}\n            - {at_least: 0.9, points: 40}",
    )
    errs = errors_of(text)
    assert any("at_least 各档应从高到低排列（0.6 之后是 0.9）" in e for e in errs)
    assert any("越往后的档分值不应更高" in e for e in errs)


def test_threshold_points_above_the_criterion_are_refused():
    errs = errors_of(MINIMAL.replace("{at_least: 0.9, points: 40}", "{at_least: 0.9, points: 45}"))
    assert any("分值 45 应在 0 到本条分值 40 之间" in e for e in errs)


def test_yaml_syntax_error_names_the_line():
    errs = errors_of("key: a\nitems:\n  - id: [1\n")
    assert len(errs) == 1
    assert errs[0].startswith("YAML 语法错误第 4 行")


def test_mode_specific_checks():
    text = MINIMAL.replace("        rate: satisfaction\n", "").replace(
        "        mode: self\n", "        mode: self\n        indicator: setup_errors\n"
    )
    errs = errors_of(text)
    assert any("survey 方式须指定 rate" in e for e in errs)
    assert any("indicator 不用于 self 方式" in e for e in errs)
    errs = errors_of(MINIMAL.replace("mode: spot", "mode: guess"))
    assert any("未知的评分方式“guess”" in e for e in errs)


def test_stars_and_tiers_are_checked():
    text = MINIMAL.replace("{5: 90, 4: 80, 3: 70}", "{5: 80, 4: 85, 3: 70}").replace(
        "quotas: {5: 0.1}", "quotas: {5: 0.7, 4: 0.6}"
    )
    text = text.replace("advanced: 85, lagging: 60", "advanced: 50, lagging: 60")
    errs = errors_of(text)
    assert any("星级门槛应随星级降低而降低" in e for e in errs)
    assert any("名额比例合计 1.3，超过 1" in e for e in errs)
    assert any(e.startswith("tiers：按分数划档时应满足") for e in errs)


def test_unknown_sector_and_duplicate_ids():
    text = MINIMAL.replace("sectors: [农村, 社区]", "sectors: [农村, 社区, 月球]").replace(
        'id: "3.1"', 'id: "2.1"'
    )
    errs = errors_of(text)
    assert any("未知领域“月球”" in e for e in errs)
    assert any("编号“2.1”重复" in e for e in errs)


def test_scoring_functions_at_their_boundaries():
    th = Scoring("thresholds", rows=((0.9, 5.0), (0.6, 2.0)))
    assert th.points(0.9, 5) == 5
    assert th.points(0.8999, 5) == 2
    assert th.points(0.6, 5) == 2
    assert th.points(0.59, 5) == 0
    low = Scoring("thresholds", rows=((0, 4.0), (1, 2.0)), direction="at_most")
    assert [low.points(v, 4) for v in (0, 1, 2)] == [4, 2, 0]
    lin = Scoring("linear", zero=0.6, full=1.0)
    assert [lin.points(v, 10) for v in (0.5, 0.6, 0.8, 1.0, 1.2)] == [0, 0, 5, 10, 10]
    down = Scoring("linear", zero=5, full=0)  # lower is better
    assert down.points(1, 10) == 8


def test_cli_validate_exit_status_and_stderr(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(MINIMAL, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("points: 60", "points: 61"), encoding="utf-8")
    env = {"DJANGO_SETTINGS_MODULE": "dangjian.settings.test", "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "dangjian", "standard", "validate"]
    ok = subprocess.run([*cmd, str(good)], capture_output=True, text=True, env=env)
    assert ok.returncode == 0, ok.stderr
    assert "标准有效：测试标准" in ok.stdout
    failed = subprocess.run([*cmd, str(bad)], capture_output=True, text=True, env=env)
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert "第 1 项 组织生活：各条分值合计 60，项目分值 61" in failed.stderr
