"""Star quotas per sector or per region (``stars.quota_per``), at the boundaries."""

from __future__ import annotations

import dataclasses

import pytest

from dangjian.assess.scoring import assign_stars, quota_groups
from dangjian.assess.standard import StandardError, parse_standard
from tests.assess.test_scoring import TEST_STANDARD, _scores, _std, stars_of


def _per(per: str, quotas: str = "{5: 0.1}", digits: int | None = None):
    std = _std(quotas)
    extra = f"\n  quota_per: {per}" + (f"\n  quota_region_digits: {digits}" if digits else "")
    text = TEST_STANDARD.replace(
        "  thresholds: {5: 90, 4: 80, 3: 70}\n",
        f"  thresholds: {{5: 90, 4: 80, 3: 70}}\n  quotas: {quotas}{extra}\n",
    )
    parsed = parse_standard(text)
    assert parsed.stars.quotas == std.stars.quotas
    return parsed


def _with(scores, attr, values):
    return [dataclasses.replace(s, **{attr: v}) for s, v in zip(scores, values, strict=True)]


def test_default_quota_is_over_the_whole_campaign():
    std = _std("{5: 0.1}")
    assert std.stars.quota_per == "campaign"
    # 10 organizations, 5 sectors: one five-star place in all
    scores = _with(_scores(95, 94, *([60] * 8)), "sector", ["农村", "社区"] * 5)
    assign_stars(scores, std)
    assert stars_of(scores)[:2] == [5, 4]


def test_quota_per_sector_at_the_boundary():
    std = _per("sector")
    # 农村 10 organizations → 1 place; 社区 9 → floor(0.9) = 0 places
    rural = _scores(95, 94, *([60] * 8))
    urban = [
        dataclasses.replace(s, org_id=100 + s.org_id, sector="社区")
        for s in _scores(96, *([60] * 8))
    ]
    scores = rural + urban
    assign_stars(scores, std)
    assert [s.stars for s in rural[:2]] == [5, 4]
    assert urban[0].stars == 4
    note = urban[0].breakdown["stars"]["notes"][0]
    assert "社区领域参评组织" in note and "9 个中 0 个" in note
    assert rural[1].breakdown["stars"]["quota_per"] == "sector"
    # one more 社区 organization: 10 → one place
    urban.append(dataclasses.replace(urban[-1], org_id=200, path="9999"))
    scores = rural + urban
    for s in scores:
        s.stars = 0
        s.breakdown = {}
    assign_stars(scores, std)
    assert urban[0].stars == 5


def test_quota_per_region_uses_the_leading_digits():
    std = _per("region", digits=9)
    a = _with(_scores(95, 94, *([60] * 8)), "region", ["310112001001"] * 5 + ["310112001999"] * 5)
    b = [
        dataclasses.replace(s, org_id=100 + s.org_id, region="310112002001")
        for s in _scores(93, 92, *([60] * 8))
    ]
    scores = a + b
    groups = quota_groups(scores, std)
    assert sorted(groups) == ["地区 310112001", "地区 310112002"]
    assign_stars(scores, std)
    assert [s.stars for s in a[:2]] == [5, 4] and [s.stars for s in b[:2]] == [5, 4]
    # at 6 digits both towns are one region: one place out of 20 → two
    std6 = _per("region")
    for s in scores:
        s.stars = 0
    assign_stars(scores, std6)
    assert sorted(s.org_id for s in scores if s.stars == 5) == [0, 1]


def test_unregistered_region_is_its_own_group():
    std = _per("region")
    scores = _with(_scores(95, 94), "region", ["", "310112"])
    assert sorted(quota_groups(scores, std)) == ["地区 310112", "未登记地区"]


@pytest.mark.parametrize(
    "extra,message",
    [
        ("quota_per: town", "quota_per 应为 campaign、sector、region 之一"),
        ("quota_per: region\n  quota_region_digits: 7", "quota_region_digits 应为 6、9 或 12"),
        ("quota_per: sector\n  quota_region_digits: 9", "只用于 quota_per: region"),
    ],
)
def test_bad_quota_scope_is_refused_clearly(extra, message):
    text = TEST_STANDARD.replace(
        "  thresholds: {5: 90, 4: 80, 3: 70}\n",
        f"  thresholds: {{5: 90, 4: 80, 3: 70}}\n  quotas: {{5: 0.1}}\n  {extra}\n",
    )
    with pytest.raises(StandardError) as exc:
        parse_standard(text)
    assert message in str(exc.value)
