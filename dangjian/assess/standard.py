"""Quality standards as data: the YAML format, its loader and its validator (ASSESS-SCORE-100).

A standard is one YAML file. The defaults ship in ``dangjian/assess/standards/``; a city adds its
own without code by putting files in a directory named by the ``DANGJIAN_STANDARDS_DIRS``
setting (a list of paths; a local file with the same ``key`` and ``version`` wins). Check a file
with ``dangjian standard validate FILE.yaml``.

Example (every key shown; keys not listed here are refused)::

    key: wuhao                     # stable identifier, letters, digits, - and _
    name: 五好党支部创建考核标准
    version: "2026.3"
    source: 闵行区“五好”系列创建百分考核细则（seed 001）   # optional
    description: …                 # optional
    sectors: [农村, 高校]          # sectors it applies to (所属领域 values)
    org_types: [党支部, 联合党支部]   # optional; default: the three branch types
    valid_from: 2026-01-01
    valid_to: 2030-12-31           # optional
    items:                         # common items: every sector (共性目标)
      - id: "1"
        title: 支部班子坚强
        points: 80
        criteria:                  # the criteria add up to the item's points
          - id: "1.1"
            text: 按期换届，班子任期未届满
            points: 5
            mode: automatic        # automatic | self | spot | survey
            indicator: term_in_force          # a name of dangjian.assess.indicators
            scoring:
              thresholds:          # first row met wins; below the last row 0 points
                - {at_least: 1, points: 5}
            missing: zero          # no value: zero | full | self | prorate (see below)
          - id: "1.2"
            text: 组织生活制度落实
            points: 10
            mode: automatic
            indicator: life_compliance_rate
            scoring:
              linear: {zero: 0.6, full: 1.0}  # 0 points at 0.6 or below, full at 1.0
          - id: "1.3"
            text: 发展党员程序规范
            points: 5
            mode: automatic
            indicator: recruit_cases_correct_rate
            scoring:
              linear: {zero: 0, full: 1}
            missing: prorate       # no case to judge: the organization's own rate elsewhere
          - id: "1.4"
            text: 班子团结，议事规则健全
            points: 60
            mode: spot             # judged by the inspector (听、查、评); self-checked too
            combine: override      # spot-check vs self-check: override | average | min
      - id: "5"
        title: 作用发挥明显
        points: 10
        criteria:
          - id: "5.1"
            text: 群众满意率
            points: 10
            mode: survey
            rate: satisfaction     # satisfaction | participation | awareness
            scoring:
              thresholds: [{at_least: 0.9, points: 10}, {at_least: 0.6, points: 5}]
            missing: self          # no reliable survey rate: use the self/spot score instead
    sector_sets:                   # optional: sector-specific item sets (个性目标)
      - id: rural                  # letters, digits, - and _
        title: 农村                # optional, shown with the organization's result
        sectors: [农村]            # each sector of the standard in at most one set
        items:                     # like items above, without their own ``sectors``
          - id: "6A"
            title: 个性目标（农村）：发展村集体经济
            points: 10
            criteria:
              - {id: "6A.1", text: 带领发展村级集体经济, points: 10, mode: spot}
      - id: campus
        title: 高校
        sectors: [高校]
        items:
          - id: "6F"
            title: 个性目标（高校）：立德树人
            points: 10
            criteria:
              - {id: "6F.1", text: 党支部建在教学科研一线, points: 10, mode: self}
    veto:                          # 高压线 (ASSESS-VETO): recorded events, see VetoEvent;
      - {id: disciplined, text: 有违纪违法党员}   # ids are shared by standards (same event)
    stars:
      thresholds: {5: 90, 4: 80, 3: 70}   # total at least → stars; below the lowest: 未评星
      quotas: {5: 0.10, 4: 0.40}          # optional ceilings, as shares of the scored orgs
      quota_per: campaign                 # campaign (default) | sector | region: share of what
      # quota_region_digits: 6            # only with region: 6 区县 | 9 乡镇街道 | 12 村社区
      veto_max: 0                         # stars an organization with a veto event can get
    tiers:                         # optional; default: by score, at the star thresholds
      by: score                    # score: advanced = total >= advanced, lagging = total < lagging
      advanced: 90                 # share: advanced = top share, lagging = bottom share — only
      lagging: 70                  #   when a city chooses it explicitly (e.g. 0.25 and 0.25)
      veto_max: middle             # best tier with a veto event: middle | lagging

For every sector of the standard, the common items that apply to it (an item may still name
``sectors`` of its own, the older way to write a sector-specific item) plus the items of the
sector's set add up to 100. Scoring takes the set by the organization's 所属领域; the result
names the set used.

Tiers are by score unless a standard says ``by: share``: without ``tiers``, 先进 starts at the
highest star threshold and 后进 is below the lowest (未评星). A fixed share of 后进 labels
organizations whatever they did, so it is never the default.

Modes:

- ``automatic``: the value of the named indicator for the organization over the campaign
  period, turned into points by ``scoring``: ``thresholds`` (rows of ``at_least`` — bounds
  strictly decreasing — or of ``at_most`` — strictly increasing — with non-increasing points) or
  ``linear`` (``zero`` and ``full``; ``zero > full`` means lower is better).
- ``self`` / ``spot``: scored by a person, 0 to ``points``. The organization self-checks every such
  criterion; when it is spot-checked and the inspector scored the criterion, ``combine`` says how
  the two give the points: ``override`` (the inspector's score), ``average`` or ``min``. A ``spot``
  criterion of an organization that was not spot-checked counts its self-check, marked as such.
- ``survey``: one of the three rates (满意率、参与率、知晓率) of the campaign's survey, turned into
  points by ``scoring`` like an indicator; ``missing`` (default ``self``) applies when there is no
  reliable rate.

``missing`` (automatic and survey criteria; default ``zero``, ``self`` for survey) says what a
criterion without a value scores, and the result shows 无数据 with the reason:

- ``zero``: 0 points. For what the organization itself should have recorded (attendance, the
  term): not recording must never score better than recording.
- ``self``: the self-check (and spot-check) score, as for a ``self`` criterion.
- ``prorate``: the criterion does not apply (e.g. no recruitment case to judge); it scores its
  points times the organization's own rate on the other criteria (their score ÷ their points),
  so neither having nor not having such a case moves the total by itself.
- ``full``: full points (only where no value means nothing to judge and the standard says so).

Errors are collected and reported together, each naming its place, e.g.
``第 3 项 组织生活：各条分值合计 12，项目分值 10``; a YAML syntax error names its line.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from dangjian.orgs.choices import BRANCH_TYPES, OrgType, Sector

MODES = {"automatic": "自动计算", "self": "自查评分", "spot": "抽查评分", "survey": "群众测评"}
COMBINES = {"override": "以抽查为准", "average": "取平均", "min": "取较低者"}
RATES = {"satisfaction": "群众满意率", "participation": "党员群众参与率", "awareness": "工作知晓率"}
MISSING = {
    "zero": "计 0 分",
    "full": "计满分",
    "self": "按自查（抽查）评分",
    "prorate": "不适用，按本组织其余条目的得分率折算",
}
TIER_VETO = {"middle": "中间", "lagging": "后进"}

DEFAULT_DIR = Path(__file__).resolve().parent / "standards"
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_EPS = 1e-6


class StandardError(ValueError):
    """A standard that cannot be used; ``errors`` lists every problem (Chinese, with its place)."""

    def __init__(self, errors: list[str], *, path: str = "") -> None:
        self.errors = errors
        self.path = path
        head = f"{path}：" if path else ""
        super().__init__(head + "\n".join(errors))


@dataclass(frozen=True)
class Scoring:
    """How a value (indicator or survey rate) becomes points.

    ``kind`` is ``"thresholds"`` (``rows`` of (bound, points), ``direction`` ``at_least`` or
    ``at_most``) or ``"linear"`` (``zero``, ``full``).
    """

    kind: str
    rows: tuple[tuple[float, float], ...] = ()
    direction: str = "at_least"
    zero: float = 0.0
    full: float = 1.0

    def points(self, value: float, maximum: float) -> float:
        if self.kind == "linear":
            share = (value - self.zero) / (self.full - self.zero)
            return round(maximum * min(1.0, max(0.0, share)), 2)
        for bound, pts in self.rows:
            met = value >= bound - _EPS if self.direction == "at_least" else value <= bound + _EPS
            if met:
                return float(pts)
        return 0.0

    def describe(self) -> str:
        if self.kind == "linear":
            return f"线性：{_num(self.zero)} 计 0 分，{_num(self.full)} 计满分"
        sign = "≥" if self.direction == "at_least" else "≤"
        rows = "；".join(f"{sign}{_num(b)} 计 {_num(p)} 分" for b, p in self.rows)
        return f"分档：{rows}；其余计 0 分"


@dataclass(frozen=True)
class Criterion:
    id: str
    text: str
    points: float
    mode: str
    indicator: str = ""
    rate: str = ""
    scoring: Scoring | None = None
    combine: str = "override"
    missing: str = "zero"

    @property
    def checked_by_person(self) -> bool:
        """Whether a person scores it: self/spot criteria, and automatic or survey criteria whose
        missing value falls back to the self/spot score (``missing: self``)."""
        return self.mode in ("self", "spot") or self.missing == "self"


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    points: float
    criteria: tuple[Criterion, ...]
    sectors: tuple[str, ...] = ()

    def applies_to(self, sector: str) -> bool:
        return not self.sectors or sector in self.sectors


@dataclass(frozen=True)
class SectorSet:
    """Sector-specific items (个性目标) of a standard: the items of the organizations whose
    所属领域 is one of ``sectors`` (each item carries the set's sectors)."""

    id: str
    title: str
    sectors: tuple[str, ...]
    items: tuple[Item, ...]


@dataclass(frozen=True)
class VetoLine:
    id: str
    text: str


@dataclass(frozen=True)
class Stars:
    #: stars → lowest total, highest stars first
    thresholds: tuple[tuple[int, float], ...]
    quotas: dict[int, float] = field(default_factory=dict)
    veto_max: int = 0
    #: what a quota is a share of: the whole campaign, each sector, or each region
    quota_per: str = "campaign"
    #: with ``quota_per: region``, the leading digits of the region code that make a region
    quota_region_digits: int = 6


@dataclass(frozen=True)
class Tiers:
    by: str  # "score" | "share"
    advanced: float
    lagging: float
    veto_max: str = "middle"


@dataclass(frozen=True)
class Standard:
    key: str
    name: str
    version: str
    sectors: tuple[str, ...]
    org_types: tuple[str, ...]
    valid_from: dt.date
    valid_to: dt.date | None
    items: tuple[Item, ...]
    veto: tuple[VetoLine, ...]
    stars: Stars
    tiers: Tiers
    source: str = ""
    description: str = ""
    #: the YAML text it was read from (snapshotted by a campaign)
    text: str = ""
    #: sector-specific item sets; ``items`` holds the common items
    sector_sets: tuple[SectorSet, ...] = ()

    def set_for(self, sector: str) -> SectorSet | None:
        """The sector-specific item set of ``sector`` (``None`` when it has none)."""
        return next((s for s in self.sector_sets if sector in s.sectors), None)

    def all_items(self) -> list[Item]:
        """Common items, then the items of every sector set."""
        return [*self.items, *(i for s in self.sector_sets for i in s.items)]

    def items_for(self, sector: str) -> list[Item]:
        """The items an organization of ``sector`` is scored on: the common ones that apply,
        then its sector set's."""
        own = self.set_for(sector)
        return [i for i in self.items if i.applies_to(sector)] + list(own.items if own else ())

    def criteria(self) -> list[Criterion]:
        return [c for i in self.all_items() for c in i.criteria]

    def criterion(self, criterion_id: str) -> Criterion | None:
        for c in self.criteria():
            if c.id == criterion_id:
                return c
        return None

    def item_of(self, criterion_id: str) -> Item | None:
        for i in self.all_items():
            if any(c.id == criterion_id for c in i.criteria):
                return i
        return None

    def veto_line(self, line_id: str) -> VetoLine | None:
        return next((v for v in self.veto if v.id == line_id), None)

    def indicators(self) -> list[str]:
        return sorted({c.indicator for c in self.criteria() if c.mode == "automatic"})

    def applies_to(self, sector: str, org_type: str) -> bool:
        return sector in self.sectors and org_type in self.org_types


def _num(value: float) -> str:
    return f"{value:g}"


# --- parsing ----------------------------------------------------------------------------------


class _Checker:
    """Collects the problems of one file while building its objects."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, place: str, message: str) -> None:
        self.errors.append(f"{place}：{message}" if place else message)

    def mapping(
        self, value: Any, place: str, allowed: set[str], required: set[str]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.error(place, "应为键值对（映射）")
            return {}
        keys = {str(k) for k in value}
        unknown = sorted(keys - allowed)
        if unknown:
            self.error(
                place, f"未知的键 {'、'.join(unknown)}（可用：{'、'.join(sorted(allowed))}）"
            )
        missing = sorted(required - keys)
        if missing:
            self.error(place, f"缺少必填项 {'、'.join(missing)}")
        return {str(k): v for k, v in value.items()}

    def text(self, data: dict[str, Any], key: str, place: str, *, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.error(place, f"{key} 应为文字")
            return ""
        text = str(value).strip()
        if required and not text:
            self.error(place, f"{key} 不能为空")
        return text

    def number(self, value: Any, place: str, what: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(place, f"{what} 应为数字，实为“{value}”")
            return None
        return float(value)

    def date(self, value: Any, place: str, what: str) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.error(place, f"{what} 应为日期 YYYY-MM-DD，实为“{value}”")
            return None

    def str_list(self, value: Any, place: str, what: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(place, f"{what} 应为列表")
            return []
        return [str(v).strip() for v in value]


def _parse_scoring(ck: _Checker, value: Any, place: str, maximum: float) -> Scoring | None:
    data = ck.mapping(value, f"{place} → scoring", {"thresholds", "linear"}, set())
    if not data:
        return None
    if len(data) != 1:
        ck.error(f"{place} → scoring", "thresholds 与 linear 只能选一种")
        return None
    where = f"{place} → scoring"
    if "linear" in data:
        lin = ck.mapping(data["linear"], f"{where} → linear", {"zero", "full"}, {"zero", "full"})
        zero = ck.number(lin.get("zero"), where, "linear.zero") if "zero" in lin else None
        full = ck.number(lin.get("full"), where, "linear.full") if "full" in lin else None
        if zero is None or full is None:
            return None
        if abs(zero - full) < _EPS:
            ck.error(where, f"linear 的 zero 与 full 不能相同（均为 {_num(zero)}）")
            return None
        return Scoring("linear", zero=zero, full=full)
    rows_in = data["thresholds"]
    if not isinstance(rows_in, list) or not rows_in:
        ck.error(where, "thresholds 应为非空列表，如 [{at_least: 0.9, points: 5}]")
        return None
    rows: list[tuple[float, float]] = []
    directions: set[str] = set()
    for n, row in enumerate(rows_in, 1):
        rplace = f"{where} → 第 {n} 档"
        r = ck.mapping(row, rplace, {"at_least", "at_most", "points"}, {"points"})
        bounds = [k for k in ("at_least", "at_most") if k in r]
        if len(bounds) != 1:
            ck.error(rplace, "应有且只有一个 at_least 或 at_most")
            continue
        directions.add(bounds[0])
        bound = ck.number(r[bounds[0]], rplace, bounds[0])
        pts = ck.number(r.get("points"), rplace, "points") if "points" in r else None
        if bound is None or pts is None:
            continue
        if pts < 0 or pts > maximum + _EPS:
            ck.error(rplace, f"分值 {_num(pts)} 应在 0 到本条分值 {_num(maximum)} 之间")
        rows.append((bound, pts))
    if len(directions) > 1:
        ck.error(where, "各档应统一使用 at_least 或 at_most")
        return None
    if len(rows) != len(rows_in):
        return None
    direction = directions.pop()
    for (b1, p1), (b2, p2) in itertools.pairwise(rows):
        if direction == "at_least" and not b2 < b1:
            ck.error(where, f"at_least 各档应从高到低排列（{_num(b1)} 之后是 {_num(b2)}）")
        if direction == "at_most" and not b2 > b1:
            ck.error(where, f"at_most 各档应从低到高排列（{_num(b1)} 之后是 {_num(b2)}）")
        if p2 > p1 + _EPS:
            ck.error(where, f"越往后的档分值不应更高（{_num(p1)} 之后是 {_num(p2)}）")
    return Scoring("thresholds", rows=tuple(rows), direction=direction)


_CRITERION_KEYS = {
    "id",
    "text",
    "points",
    "mode",
    "indicator",
    "rate",
    "scoring",
    "combine",
    "missing",
}


def _parse_criterion(
    ck: _Checker, value: Any, place: str, indicators: set[str] | None
) -> Criterion | None:
    if isinstance(value, dict) and str(value.get("id") or "").strip():
        place = f"{place}（{str(value['id']).strip()}）"
    data = ck.mapping(value, place, _CRITERION_KEYS, {"id", "text", "points", "mode"})
    if not data:
        return None
    cid = ck.text(data, "id", place)
    text = ck.text(data, "text", place)
    points = ck.number(data.get("points"), place, "points") if "points" in data else None
    if points is not None and points <= 0:
        ck.error(place, f"分值应大于 0，实为 {_num(points)}")
    mode = str(data.get("mode", "")).strip()
    if mode and mode not in MODES:
        ck.error(place, f"未知的评分方式“{mode}”（可用：{'、'.join(MODES)}）")
        return None
    combine = str(data.get("combine", "override")).strip()
    if combine not in COMBINES:
        ck.error(place, f"未知的合成方式“{combine}”（可用：{'、'.join(COMBINES)}）")
    missing = str(data.get("missing", "self" if mode == "survey" else "zero")).strip()
    if missing not in MISSING:
        ck.error(place, f"未知的缺数处理“{missing}”（可用：{'、'.join(MISSING)}）")
    indicator = str(data.get("indicator", "") or "").strip()
    rate = str(data.get("rate", "") or "").strip()
    scoring = None
    if mode == "automatic":
        if not indicator:
            ck.error(place, "自动计算的评分标准须指定 indicator")
        elif indicators is not None and indicator not in indicators:
            ck.error(place, f"指标“{indicator}”不存在（可用：{'、'.join(sorted(indicators))}）")
        if rate:
            ck.error(place, "rate 只用于 survey 方式")
    elif mode == "survey":
        if rate not in RATES:
            ck.error(place, f"survey 方式须指定 rate：{'、'.join(RATES)}，实为“{rate}”")
        if indicator:
            ck.error(place, "indicator 只用于 automatic 方式")
    elif mode in ("self", "spot"):
        for key in ("indicator", "rate", "scoring"):
            if key in data:
                ck.error(place, f"{key} 不用于 {mode} 方式（由人工评分）")
        if "missing" in data:
            ck.error(place, f"missing 不用于 {mode} 方式")
    if mode in ("automatic", "survey"):
        if "scoring" not in data:
            ck.error(place, "须指定 scoring（thresholds 或 linear）")
        elif points is not None:
            scoring = _parse_scoring(ck, data["scoring"], place, points)
    if not (cid and text and points is not None and mode):
        return None
    return Criterion(
        id=cid,
        text=text,
        points=points,
        mode=mode,
        indicator=indicator,
        rate=rate,
        scoring=scoring,
        combine=combine,
        missing=missing,
    )


def _parse_item(
    ck: _Checker,
    value: Any,
    n: int,
    sectors: set[str],
    indicators: set[str] | None,
    *,
    in_set: tuple[str, tuple[str, ...]] | None = None,
) -> Item | None:
    """One item; ``in_set`` is (the set's place, its sectors) for an item of a sector set."""
    prefix = f"{in_set[0]} → " if in_set else ""
    place = f"{prefix}第 {n} 项"
    if isinstance(value, dict) and str(value.get("title") or "").strip():
        place = f"{prefix}第 {n} 项 {str(value['title']).strip()}"
    data = ck.mapping(
        value, place, {"id", "title", "points", "sectors", "criteria"}, {"id", "title", "points"}
    )
    if not data:
        return None
    title = ck.text(data, "title", place)
    iid = ck.text(data, "id", place)
    points = ck.number(data.get("points"), place, "points") if "points" in data else None
    item_sectors = ck.str_list(data.get("sectors"), place, "sectors")
    if in_set is not None and "sectors" in data:
        ck.error(place, "条目组内的项目不再单独填写 sectors，适用领域由条目组的 sectors 决定")
    for s in item_sectors:
        if s not in sectors:
            ck.error(place, f"领域“{s}”不在本标准适用领域（{'、'.join(sorted(sectors))}）之内")
    if in_set is not None:
        item_sectors = list(in_set[1])
    crit_in = data.get("criteria")
    if not isinstance(crit_in, list) or not crit_in:
        ck.error(place, "须列出评分标准 criteria（非空列表）")
        return None
    criteria = []
    for m, c in enumerate(crit_in, 1):
        parsed = _parse_criterion(ck, c, f"{place} → 第 {m} 条", indicators)
        if parsed is not None:
            criteria.append(parsed)
    if len(criteria) == len(crit_in) and points is not None:
        total = sum(c.points for c in criteria)
        if abs(total - points) > _EPS:
            ck.error(place, f"各条分值合计 {_num(total)}，项目分值 {_num(points)}")
    if not (iid and title and points is not None):
        return None
    return Item(iid, title, points, tuple(criteria), tuple(item_sectors))


#: what a star quota is a share of
QUOTA_PER = {
    "campaign": "整个考核范围",
    "sector": "每个领域",
    "region": "每个地区",
}


def _parse_stars(ck: _Checker, value: Any) -> Stars | None:
    place = "stars"
    data = ck.mapping(
        value,
        place,
        {"thresholds", "quotas", "veto_max", "quota_per", "quota_region_digits"},
        {"thresholds"},
    )
    th = data.get("thresholds")
    if not isinstance(th, dict) or not th:
        ck.error(place, "thresholds 应为“星级: 最低总分”的映射，如 {5: 90, 4: 80, 3: 70}")
        return None
    rows: list[tuple[int, float]] = []
    for k, v in th.items():
        try:
            stars = int(k)
        except (TypeError, ValueError):
            ck.error(place, f"星级“{k}”应为 1 到 5 的整数")
            continue
        if not 1 <= stars <= 5:
            ck.error(place, f"星级 {stars} 应在 1 到 5 之间")
        low = ck.number(v, place, f"{stars} 星的最低总分")
        if low is not None and not 0 <= low <= 100:
            ck.error(place, f"{stars} 星的最低总分 {_num(low)} 应在 0 到 100 之间")
        if low is not None:
            rows.append((stars, low))
    rows.sort(reverse=True)
    for (s1, t1), (s2, t2) in itertools.pairwise(rows):
        if not t2 < t1:
            ck.error(place, f"星级门槛应随星级降低而降低：{s1} 星 {_num(t1)}，{s2} 星 {_num(t2)}")
    quotas: dict[int, float] = {}
    qin = data.get("quotas") or {}
    if not isinstance(qin, dict):
        ck.error(place, "quotas 应为“星级: 比例”的映射，如 {5: 0.1}")
        qin = {}
    for k, v in qin.items():
        try:
            stars = int(k)
        except (TypeError, ValueError):
            ck.error(place, f"名额的星级“{k}”应为整数")
            continue
        if stars not in dict(rows):
            ck.error(place, f"{stars} 星没有门槛，不能设名额")
        share = ck.number(v, place, f"{stars} 星的名额比例")
        if share is not None and not 0 < share <= 1:
            ck.error(place, f"{stars} 星的名额比例 {_num(share)} 应大于 0 且不超过 1")
        if share is not None:
            quotas[stars] = share
    if sum(quotas.values()) > 1 + _EPS:
        ck.error(place, f"各星级名额比例合计 {_num(sum(quotas.values()))}，超过 1")
    veto_max = data.get("veto_max", 0)
    if isinstance(veto_max, bool) or not isinstance(veto_max, int) or not 0 <= veto_max <= 5:
        ck.error(place, f"veto_max 应为 0 到 5 的整数，实为“{veto_max}”")
        veto_max = 0
    quota_per = str(data.get("quota_per", "campaign")).strip()
    if quota_per not in QUOTA_PER:
        ck.error(
            place,
            f"quota_per 应为 {'、'.join(QUOTA_PER)} 之一（{'；'.join(QUOTA_PER.values())}），"
            f"实为“{quota_per}”",
        )
        quota_per = "campaign"
    digits = data.get("quota_region_digits", 6)
    if digits not in (6, 9, 12) or isinstance(digits, bool):
        ck.error(place, f"quota_region_digits 应为 6、9 或 12（行政区划代码位数），实为“{digits}”")
        digits = 6
    elif "quota_region_digits" in data and quota_per != "region":
        ck.error(place, "quota_region_digits 只用于 quota_per: region")
    return Stars(tuple(rows), quotas, veto_max, quota_per, digits)


def _parse_sector_sets(
    ck: _Checker, value: Any, sectors: set[str], indicators: set[str] | None
) -> tuple[list[SectorSet], bool]:
    """The ``sector_sets`` list; the flag says whether every set and item parsed."""
    if not isinstance(value, list) or not value:
        ck.error("sector_sets", "应为非空列表，如 [{id: rural, sectors: [农村], items: [...]}]")
        return [], False
    out: list[SectorSet] = []
    complete = True
    owner: dict[str, str] = {}
    for n, raw in enumerate(value, 1):
        place = f"个性条目组第 {n} 组"
        if isinstance(raw, dict) and str(raw.get("id") or "").strip():
            place = f"个性条目组第 {n} 组（{str(raw['id']).strip()}）"
        data = ck.mapping(
            raw, place, {"id", "title", "sectors", "items"}, {"id", "sectors", "items"}
        )
        if not data:
            complete = False
            continue
        sid = ck.text(data, "id", place)
        if sid and not _KEY_RE.match(sid):
            ck.error(place, f"编号“{sid}”只能由字母、数字、- 和 _ 组成")
        if sid and any(s.id == sid for s in out):
            ck.error(place, f"条目组编号“{sid}”重复")
        title = ck.text(data, "title", place, required=False) or sid
        set_sectors = ck.str_list(data.get("sectors"), place, "sectors")
        if "sectors" in data and not set_sectors:
            ck.error(place, "至少列出一个适用领域")
        for s in set_sectors:
            if s not in sectors:
                ck.error(place, f"领域“{s}”不在本标准适用领域（{'、'.join(sorted(sectors))}）之内")
            elif s in owner:
                ck.error(
                    place,
                    f"领域“{s}”已在条目组“{owner[s]}”中；每个领域只能适用一个个性条目组",
                )
            else:
                owner[s] = sid or str(n)
        items_in = data.get("items")
        if not isinstance(items_in, list) or not items_in:
            if "items" in data:
                ck.error(place, "items 应为非空列表")
            complete = False
            continue
        items: list[Item] = []
        for m, item_raw in enumerate(items_in, 1):
            item = _parse_item(
                ck, item_raw, m, sectors, indicators, in_set=(place, tuple(set_sectors))
            )
            if item is not None:
                items.append(item)
        if len(items) != len(items_in):
            complete = False
        out.append(SectorSet(sid, title, tuple(set_sectors), tuple(items)))
    return out, complete


def _parse_tiers(ck: _Checker, value: Any) -> Tiers | None:
    place = "tiers"
    data = ck.mapping(
        value, place, {"by", "advanced", "lagging", "veto_max"}, {"by", "advanced", "lagging"}
    )
    if not data:
        return None
    by = str(data.get("by", ""))
    adv = ck.number(data.get("advanced"), place, "advanced") if "advanced" in data else None
    lag = ck.number(data.get("lagging"), place, "lagging") if "lagging" in data else None
    veto_max = str(data.get("veto_max", "middle"))
    if veto_max not in TIER_VETO:
        ck.error(place, f"veto_max 应为 {'、'.join(TIER_VETO)}，实为“{veto_max}”")
    if by not in ("score", "share"):
        ck.error(place, f"by 应为 score（按分数）或 share（按比例），实为“{by}”")
        return None
    if adv is None or lag is None:
        return None
    if by == "score":
        if not (0 <= lag < adv <= 100):
            ck.error(
                place,
                f"按分数划档时应满足 0 ≤ lagging < advanced ≤ 100"
                f"（实为 lagging {_num(lag)}，advanced {_num(adv)}）",
            )
    else:
        if not (0 <= adv <= 1 and 0 <= lag <= 1) or adv + lag > 1 + _EPS:
            ck.error(
                place,
                f"按比例划档时 advanced、lagging 应在 0 到 1 之间且合计不超过 1"
                f"（实为 {_num(adv)}、{_num(lag)}）",
            )
    return Tiers(by, adv, lag, veto_max)


_TOP_KEYS = {
    "key",
    "name",
    "version",
    "source",
    "description",
    "sectors",
    "org_types",
    "valid_from",
    "valid_to",
    "items",
    "sector_sets",
    "veto",
    "stars",
    "tiers",
}


def parse_standard(text: str, *, path: str = "", check_indicators: bool = True) -> Standard:
    """Parse and validate a standard's YAML text; raises :class:`StandardError`."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark is not None else ""
        raise StandardError([f"YAML 语法错误{where}：{problem}"], path=path) from exc
    ck = _Checker()
    data = ck.mapping(
        raw, "", _TOP_KEYS, {"key", "name", "version", "sectors", "valid_from", "items"}
    )
    if not data:
        raise StandardError(ck.errors or ["文件为空"], path=path)
    indicators: set[str] | None = None
    if check_indicators:
        from .indicators import REGISTRY

        indicators = set(REGISTRY)

    key = ck.text(data, "key", "key")
    if key and not _KEY_RE.match(key):
        ck.error("key", f"“{key}”只能由字母、数字、- 和 _ 组成，最长 64 位")
    name = ck.text(data, "name", "name")
    version = ck.text(data, "version", "version")
    sectors = ck.str_list(data.get("sectors"), "sectors", "sectors")
    for s in sectors:
        if s not in Sector.values:
            ck.error("sectors", f"未知领域“{s}”（可用：{'、'.join(Sector.values)}）")
    if "sectors" in data and not sectors:
        ck.error("sectors", "至少列出一个适用领域")
    org_types = ck.str_list(data.get("org_types"), "org_types", "org_types") or sorted(BRANCH_TYPES)
    for t in org_types:
        if t not in OrgType.values:
            ck.error("org_types", f"未知组织类别“{t}”（可用：{'、'.join(OrgType.values)}）")
    valid_from = ck.date(data.get("valid_from"), "valid_from", "valid_from")
    valid_to = ck.date(data.get("valid_to"), "valid_to", "valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        ck.error("valid_to", f"有效期结束 {valid_to} 早于开始 {valid_from}")

    items: list[Item] = []
    items_in = data.get("items")
    if not isinstance(items_in, list) or not items_in:
        if "items" in data:
            ck.error("items", "应为非空列表")
        items_in = []
    for n, value in enumerate(items_in, 1):
        item = _parse_item(ck, value, n, set(sectors), indicators)
        if item is not None:
            items.append(item)
    sector_sets: list[SectorSet] = []
    sets_complete = True
    if "sector_sets" in data:
        sector_sets, sets_complete = _parse_sector_sets(
            ck, data["sector_sets"], set(sectors), indicators
        )
    ids: dict[str, str] = {}
    for item in [*items, *(i for s in sector_sets for i in s.items)]:
        for what, the_id in [("项目", item.id)] + [("评分标准", c.id) for c in item.criteria]:
            if the_id in ids:
                ck.error(f"项目 {item.title}", f"编号“{the_id}”重复")
            ids[the_id] = what
    if len(items) == len(items_in) and sets_complete and sectors:
        for s in sectors:
            own = next((x for x in sector_sets if s in x.sectors), None)
            total = sum(i.points for i in items if i.applies_to(s))
            total += sum(i.points for i in own.items) if own else 0
            if abs(total - 100) > _EPS:
                where = f"（含个性条目组“{own.id}”）" if own else "（没有适用的个性条目组）"
                if not sector_sets:
                    where = ""
                ck.error("items", f"{s}领域适用的各项分值合计 {_num(total)}{where}，应为 100")

    veto: list[VetoLine] = []
    veto_in = data.get("veto") or []
    if not isinstance(veto_in, list):
        ck.error("veto", "应为列表，如 [{id: V1, text: 有违纪违法党员}]")
        veto_in = []
    for n, value in enumerate(veto_in, 1):
        place = f"高压线第 {n} 条"
        v = ck.mapping(value, place, {"id", "text"}, {"id", "text"})
        vid, vtext = ck.text(v, "id", place), ck.text(v, "text", place)
        if vid in {x.id for x in veto}:
            ck.error(place, f"编号“{vid}”重复")
        if vid and vtext:
            veto.append(VetoLine(vid, vtext))

    stars = (
        _parse_stars(ck, data["stars"]) if "stars" in data else Stars(((5, 90), (4, 80), (3, 70)))
    )
    tiers = _parse_tiers(ck, data["tiers"]) if "tiers" in data else _default_tiers(stars)
    if ck.errors or stars is None or tiers is None or valid_from is None:
        raise StandardError(ck.errors or ["标准不完整"], path=path)
    return Standard(
        key=key,
        name=name,
        version=version,
        sectors=tuple(sectors),
        org_types=tuple(org_types),
        valid_from=valid_from,
        valid_to=valid_to,
        items=tuple(items),
        sector_sets=tuple(sector_sets),
        veto=tuple(veto),
        stars=stars,
        tiers=tiers,
        source=ck.text(data, "source", "source", required=False),
        description=ck.text(data, "description", "description", required=False),
        text=text,
    )


def _default_tiers(stars: Stars | None) -> Tiers:
    """Tiers when a standard names none: by score, 先进 from the highest star threshold, 后进
    below the lowest (未评星) — never a fixed share (see the module docstring)."""
    if stars is None or not stars.thresholds:
        return Tiers("score", 90, 70)
    return Tiers("score", stars.thresholds[0][1], stars.thresholds[-1][1])


def load_file(path: str | Path) -> Standard:
    """Read and validate one standard file; raises :class:`StandardError` (also when unreadable)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise StandardError([f"无法读取文件：{exc}"], path=str(path)) from exc
    return parse_standard(text, path=str(path))


def standard_dirs() -> list[Path]:
    """Where standards are found: the shipped defaults, then ``DANGJIAN_STANDARDS_DIRS``."""
    extra = getattr(settings, "DANGJIAN_STANDARDS_DIRS", None) or []
    if isinstance(extra, (str, Path)):
        extra = [extra]
    return [DEFAULT_DIR, *(Path(p) for p in extra)]


def available_standards() -> dict[tuple[str, str], Standard]:
    """Every valid standard found, keyed by (key, version); local files override defaults."""
    found: dict[tuple[str, str], Standard] = {}
    for directory in standard_dirs():
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.y*ml")):
            std = load_file(path)
            found[(std.key, std.version)] = std
    return found


def get_standard(key: str, version: str | None = None) -> Standard:
    """The standard ``key`` (its latest version when ``version`` is None); ``KeyError`` if none."""
    matches = [s for (k, _v), s in available_standards().items() if k == key]
    if version is not None:
        matches = [s for s in matches if s.version == version]
    if not matches:
        raise KeyError(f"没有找到标准“{key}”{f'（版本 {version}）' if version else ''}")
    return max(matches, key=lambda s: (s.valid_from, s.version))
