"""晾晒通报: a campaign's results per region and per sector, with the spread inside each group.

For each group (a region — the first ``region_digits`` digits of the organizations' 行政区划代码,
by default 9: the town or street — or a sector) the bulletin gives:

- the distribution of stars (五星 … 三星, 未评星) and tiers (先进 / 中间 / 后进), veto count;
- the spread of the totals: mean, population standard deviation, quartiles and the
  interquartile range, lowest and highest;
- 点好面差: ``showcase`` (organizations with at least :data:`SHOWCASE_STARS` stars) against
  ``weak`` (tier 后进, or an open 软弱涣散 rectification plan). A group is *flagged* when it has a
  showcase organization while at least :data:`UNEVEN_WEAK_SHARE` of its organizations are weak
  and the weak outnumber the showcase ones :data:`UNEVEN_RATIO` to one — a few model branches
  hiding a weak whole;
- rectification progress: plans (of this campaign, or opened since the campaign period began),
  their tasks, confirmed and overdue tasks.

Organization-level only. The ranking of organizations (:func:`campaign_ranking`) is for the
upper level (``Perm.ASSESS_MANAGE`` over the campaign's root) and is not part of the published
bulletin unless asked for; nobody is ranked as a person.

The bulletin reads the assessment's results and the rectification plans, so it lives with the
rectification (which builds on the assessment), not in ``assess``.

Set-based: one query for the results, one grouped query for the rectification tallies, one for
the region names — whatever the number of organizations.
"""

from __future__ import annotations

import datetime as dt
import io
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, covers, scope_prefix
from dangjian.assess.models import Campaign, Result, Tier
from dangjian.core.spreadsheet import append_row
from dangjian.orgs.models import Region
from dangjian.orgs.selectors import orgs_for

from .choices import ACTIVE_TASK, PlanReason, PlanStatus, TaskStatus
from .selectors import plans_for

#: stars that make an organization a showcase (示范) in the bulletin
SHOWCASE_STARS = 5
#: 点好面差: share of weak organizations in a group with a showcase one that flags it
UNEVEN_WEAK_SHARE = 0.3
#: 点好面差: weak organizations per showcase one that flags the group
UNEVEN_RATIO = 3
#: star columns of the bulletin (ASSESS-STARS: 5/4/3, below 3 unrated)
STAR_LEVELS = (5, 4, 3)
REGION_DIGITS = (6, 9, 12)
TIER_ORDER = (Tier.ADVANCED.value, Tier.MIDDLE.value, Tier.LAGGING.value)


@dataclass
class Rectification:
    plans: int = 0
    plans_done: int = 0
    tasks: int = 0
    confirmed: int = 0
    overdue: int = 0

    def add(self, other: Rectification) -> None:
        self.plans += other.plans
        self.plans_done += other.plans_done
        self.tasks += other.tasks
        self.confirmed += other.confirmed
        self.overdue += other.overdue

    @property
    def confirmed_share(self) -> float | None:
        return self.confirmed / self.tasks if self.tasks else None


@dataclass
class Group:
    """The figures of one region or sector (or of the whole campaign: ``key`` ``""``)."""

    key: str
    label: str
    totals: list[float] = field(default_factory=list, repr=False)
    stars: dict[int, int] = field(default_factory=lambda: dict.fromkeys((*STAR_LEVELS, 0), 0))
    tiers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TIER_ORDER, 0))
    veto: int = 0
    showcase: int = 0
    weak: int = 0
    rectification: Rectification = field(default_factory=Rectification)
    #: open findings (组织设置 and 组织生活 rules) of the group's organizations on the day
    findings: int = 0

    @property
    def n(self) -> int:
        return len(self.totals)

    def share(self, count: int) -> float | None:
        return count / self.n if self.n else None

    @property
    def advanced_share(self) -> float | None:
        return self.share(self.tiers[Tier.ADVANCED.value])

    @property
    def lagging_share(self) -> float | None:
        return self.share(self.tiers[Tier.LAGGING.value])

    @property
    def weak_share(self) -> float | None:
        return self.share(self.weak)

    @property
    def mean(self) -> float | None:
        return round(statistics.fmean(self.totals), 2) if self.totals else None

    @property
    def stdev(self) -> float | None:
        return round(statistics.pstdev(self.totals), 2) if self.totals else None

    def _quartiles(self) -> tuple[float, float, float] | None:
        if not self.totals:
            return None
        if len(self.totals) == 1:
            v = self.totals[0]
            return v, v, v
        q = statistics.quantiles(self.totals, n=4, method="inclusive")
        return round(q[0], 2), round(q[1], 2), round(q[2], 2)

    @property
    def median(self) -> float | None:
        q = self._quartiles()
        return q[1] if q else None

    @property
    def iqr(self) -> float | None:
        q = self._quartiles()
        return round(q[2] - q[0], 2) if q else None

    @property
    def low(self) -> float | None:
        return min(self.totals) if self.totals else None

    @property
    def high(self) -> float | None:
        return max(self.totals) if self.totals else None

    @property
    def uneven(self) -> bool:
        """点好面差: a showcase organization next to many weak ones (see the module docstring)."""
        share = self.weak_share
        return (
            self.showcase > 0
            and share is not None
            and share >= UNEVEN_WEAK_SHARE
            and self.weak >= UNEVEN_RATIO * self.showcase
        )

    @property
    def uneven_note(self) -> str:
        if not self.uneven:
            return ""
        return (
            f"点好面差：{self.showcase} 个{SHOWCASE_STARS}星示范组织，"
            f"{self.weak} 个后进或软弱涣散组织（占 {self.weak_share:.0%}）"
        )


@dataclass
class Bulletin:
    campaign: Campaign
    as_of: dt.date
    region_digits: int
    overall: Group
    regions: list[Group]
    sectors: list[Group]
    #: where the counts of findings come from: "store" (the findings store's rows),
    #: "records" (the check run over the records) or "" (not counted)
    findings_from: str = ""

    @property
    def flagged(self) -> list[Group]:
        return [g for g in self.regions if g.uneven]


def _results_in_scope(actor: Actor, campaign: Campaign) -> Any:
    prefix = scope_prefix(actor, Perm.ASSESS_VIEW)
    if prefix is None:
        raise PermissionDenied("没有查看考核结果的权限")
    qs = Result.objects.filter(campaign=campaign)
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs


def _rectification_by_org(
    actor: Actor, campaign: Campaign, today: dt.date
) -> tuple[dict[int, Rectification], set[int]]:
    """Per organization: its plans' tallies (one grouped query), and who has an open weak plan."""
    since = dt.datetime.combine(campaign.period_start, dt.time.min, tzinfo=dt.UTC)
    rows = (
        plans_for(actor)
        .filter(Q(campaign=campaign) | Q(campaign__isnull=True, created_at__gte=since))
        .values("org_id", "status", "reason")
        .annotate(
            n_tasks=Count("tasks"),
            n_confirmed=Count("tasks", filter=Q(tasks__status=TaskStatus.CONFIRMED)),
            n_overdue=Count(
                "tasks",
                filter=Q(tasks__deadline__lt=today, tasks__status__in=list(ACTIVE_TASK)),
            ),
        )
        .order_by()
    )
    tallies: dict[int, Rectification] = defaultdict(Rectification)
    weak_open: set[int] = set()
    for r in rows:
        t = tallies[r["org_id"]]
        t.plans += 1
        t.plans_done += r["status"] == PlanStatus.DONE
        t.tasks += r["n_tasks"]
        t.confirmed += r["n_confirmed"]
        t.overdue += r["n_overdue"] if r["status"] == PlanStatus.OPEN else 0
        if r["reason"] == PlanReason.WEAK and r["status"] == PlanStatus.OPEN:
            weak_open.add(r["org_id"])
    return tallies, weak_open


#: the rule families whose findings the bulletin counts (about organizations)
FINDING_FAMILIES = ("SETUP", "LIFE")


def _findings_by_org(
    actor: Actor, today: dt.date, *, records: bool = True
) -> tuple[dict[int, int], str]:
    """Open findings per organization in the actor's subtree (``Perm.ASSESS_VIEW``) on
    ``today``: one grouped query over the findings store when it answers for the subtree and
    the day, else from a check over the records (the same counts), or, without ``records``,
    none (``({}, "")``)."""
    from dangjian.accounts.scope import SYSTEM
    from dangjian.orgs.models import Organization
    from dangjian.rules import store
    from dangjian.rules.runner import run_check

    prefix = scope_prefix(actor, Perm.ASSESS_VIEW) or ""
    families = [f for f in FINDING_FAMILIES if f in store.stored_families()]
    if families == list(FINDING_FAMILIES) and store.evaluation(prefix, today) is not None:
        rows = (
            store.open_rows(prefix, families=families, labelled=False)
            .values("org_id")
            .annotate(n=Count("org_id"))
            .values_list("org_id", "n")
        )
        return {org_id: int(n) for org_id, n in rows}, "store"
    if not records:
        return {}, ""
    root = Organization.objects.filter(path=prefix).values_list("code", flat=True).first()
    result = run_check(SYSTEM, rules=list(FINDING_FAMILIES), org_code=root, at=today)
    by_code: dict[str, int] = defaultdict(int)
    for f in result.findings:
        by_code[f.subject] += 1
    ids = dict(Organization.objects.filter(code__in=list(by_code)).values_list("code", "pk"))
    return {ids[code]: n for code, n in by_code.items() if code in ids}, "records"


def _region_labels(actor: Actor, keys: Iterable[str]) -> dict[str, str]:
    """A name for each region key: from the Region table, else from the highest organization
    whose own code is that region's (a town's 党委 for its 9-digit key ``key + '000'``)."""
    lookup = {k: (k + "000" if len(k) == 9 else k) for k in keys if k}
    codes = set(lookup.values())
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    missing = codes - set(names)
    if missing:
        rows = (
            orgs_for(actor, Perm.ASSESS_VIEW)
            .filter(region_code__in=missing)
            .order_by("-depth", "-path")
            .values_list("region_code", "name")
        )
        names.update(dict(rows))  # the last row of a code, the highest organization, wins
    return {k: names.get(code, k) for k, code in lookup.items()}


def bulletin_build(
    actor: Actor,
    campaign: Campaign,
    *,
    region_digits: int = 9,
    today: dt.date | None = None,
    with_findings: bool = False,
    findings_from_records: bool = True,
) -> Bulletin:
    """The bulletin of ``campaign`` over the actor's subtree (``Perm.ASSESS_VIEW``); with
    ``with_findings``, the open findings of each group's organizations too (from the findings
    store when it answers, else from the records unless ``findings_from_records`` is false:
    then not counted, ``findings_from`` empty; :func:`_findings_by_org`)."""
    if region_digits not in REGION_DIGITS:
        raise ValueError(f"地区层级应为 {'、'.join(map(str, REGION_DIGITS))} 位行政区划代码")
    today = today or timezone.localdate()
    rows = list(
        _results_in_scope(actor, campaign).values_list(
            "org_id", "org__region_code", "org__sector", "total", "stars", "tier", "veto"
        )
    )
    tallies, weak_open = _rectification_by_org(actor, campaign, today)
    findings, findings_from = (
        _findings_by_org(actor, today, records=findings_from_records) if with_findings else ({}, "")
    )
    overall = Group("", "合计")
    regions: dict[str, Group] = {}
    sectors: dict[str, Group] = {}
    for org_id, region_code, sector, total, stars, tier, veto in rows:
        key = (region_code or "")[:region_digits] if len(region_code or "") >= 6 else ""
        region = regions.setdefault(key, Group(key, key or "（未填行政区划）"))
        by_sector = sectors.setdefault(sector, Group(sector, sector))
        value = float(Decimal(total))
        is_weak = tier == Tier.LAGGING or org_id in weak_open
        for g in (overall, region, by_sector):
            g.totals.append(value)
            g.stars[stars if stars in STAR_LEVELS else 0] += 1
            g.tiers[tier] = g.tiers.get(tier, 0) + 1
            g.veto += bool(veto)
            g.showcase += stars >= SHOWCASE_STARS
            g.weak += is_weak
            if org_id in tallies:
                g.rectification.add(tallies[org_id])
            g.findings += findings.get(org_id, 0)
    labels = _region_labels(actor, regions)
    for key, g in regions.items():
        if key in labels and labels[key] != key:
            g.label = f"{labels[key]}（{key}）"
    return Bulletin(
        campaign=campaign,
        as_of=today,
        region_digits=region_digits,
        overall=overall,
        regions=sorted(regions.values(), key=lambda g: (not g.uneven, g.key)),
        sectors=sorted(sectors.values(), key=lambda g: g.key),
        findings_from=findings_from,
    )


# --- ranking (upper level only) ----------------------------------------------------------------


#: further columns of the table by organization, each (header, values): ``values(campaign,
#: codes)`` gives the text of each organization code. Registered by the modules whose records
#: stand beside the scores (the 述职评议 grade of the organization's secretary, by
#: :mod:`dangjian.review`), so that this module imports none of them.
OrgColumn = Callable[[Campaign, list[str]], dict[str, str]]
ORG_COLUMNS: list[tuple[str, OrgColumn]] = []


def org_column(header: str) -> Callable[[OrgColumn], OrgColumn]:
    """Register a column of the table by organization (see :data:`ORG_COLUMNS`)."""

    def register(values: OrgColumn) -> OrgColumn:
        ORG_COLUMNS[:] = [c for c in ORG_COLUMNS if c[0] != header] + [(header, values)]
        return values

    return register


def rank_headers() -> list[str]:
    return [*RANK_HEADERS, *(h for h, _ in ORG_COLUMNS)]


@dataclass
class RankRow:
    rank: int
    code: str
    name: str
    sector: str
    total: Decimal
    stars: int
    tier: str
    veto: bool
    extra: tuple[str, ...] = ()

    @property
    def extra_cells(self) -> list[tuple[str, str]]:
        """(header, text) of the registered columns (:data:`ORG_COLUMNS`)."""
        return list(zip((h for h, _ in ORG_COLUMNS), self.extra, strict=False))

    @property
    def tier_label(self) -> str:
        return Tier(self.tier).label


def can_rank(actor: Actor, campaign: Campaign) -> bool:
    """Whether the actor is the campaign's upper level (ASSESS_MANAGE over its root)."""
    return covers(actor, Perm.ASSESS_MANAGE, campaign.root.path)


def campaign_ranking(actor: Actor, campaign: Campaign) -> list[RankRow]:
    """Organizations by total, best first; equal totals share a rank (1, 2, 2, 4).

    Only for the upper level (:func:`can_rank`); raises ``PermissionDenied`` otherwise.
    """
    if not can_rank(actor, campaign):
        raise PermissionDenied("排名只提供给组织考核的上级组织")
    rows = (
        Result.objects.filter(campaign=campaign)
        .order_by("-total", "org__code")
        .values_list("org__code", "org__name", "org__sector", "total", "stars", "tier", "veto")
    )
    out: list[RankRow] = []
    previous: Decimal | None = None
    rank = 0
    for n, (code, name, sector, total, stars, tier, veto) in enumerate(rows, start=1):
        if total != previous:
            rank, previous = n, total
        out.append(RankRow(rank, code, name, sector, total, stars, tier, bool(veto)))
    if ORG_COLUMNS and out:
        codes = [r.code for r in out]
        columns = [values(campaign, codes) for _h, values in ORG_COLUMNS]
        for r in out:
            r.extra = tuple(c.get(r.code, "") for c in columns)
    return out


# --- export -------------------------------------------------------------------------------------

GROUP_HEADERS = [
    "组织数",
    "五星",
    "四星",
    "三星",
    "未评星",
    "先进",
    "中间",
    "后进",
    "先进占比",
    "后进占比",
    "触及高压线",
    "平均分",
    "标准差",
    "中位数",
    "四分位距",
    "最低分",
    "最高分",
    "示范组织",
    "后进或软弱涣散",
    "点好面差",
    "整改方案",
    "已完成方案",
    "整改任务",
    "已确认任务",
    "逾期任务",
]
#: the column of the open findings, when the bulletin counts them (``Bulletin.findings_from``)
FINDINGS_HEADER = "现有问题"
FINDINGS_NOTE = "组织设置和组织生活检查发现、尚未解决的问题条数（截至通报日期）。"
RANK_HEADERS = ["名次", "组织编码", "组织名称", "领域", "总分", "星级", "档次", "触及高压线"]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def group_row(g: Group) -> list[Any]:
    """The figures of a group in the order of :data:`GROUP_HEADERS` (shares in per cent)."""
    r = g.rectification
    return [
        g.n,
        *(g.stars[s] for s in STAR_LEVELS),
        g.stars[0],
        *(g.tiers.get(t, 0) for t in TIER_ORDER),
        _pct(g.advanced_share),
        _pct(g.lagging_share),
        g.veto,
        g.mean,
        g.stdev,
        g.median,
        g.iqr,
        g.low,
        g.high,
        g.showcase,
        g.weak,
        "是" if g.uneven else "",
        r.plans,
        r.plans_done,
        r.tasks,
        r.confirmed,
        r.overdue,
    ]


def _title(b: Bulletin) -> str:
    return f"{b.campaign.name} 晾晒通报"


def _subtitle(b: Bulletin) -> str:
    return (
        f"考核期 {b.campaign.period_start:%Y-%m-%d} 至 {b.campaign.period_end:%Y-%m-%d}；"
        f"整改进展截至 {b.as_of:%Y-%m-%d}；共 {b.overall.n} 个组织"
    )


def export_xlsx(b: Bulletin, ranking: Sequence[RankRow] | None = None) -> bytes:
    """The bulletin as an .xlsx workbook: 按地区, 按领域 and, when given, 排名 (upper level)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheets = [("按地区", "地区", b.regions), ("按领域", "领域", b.sectors)]
    first = True
    for title, label, groups in sheets:
        ws = wb.active if first else wb.create_sheet()
        first = False
        assert ws is not None
        ws.title = title
        append_row(ws, [_title(b)])
        append_row(ws, [_subtitle(b)])
        extra = [FINDINGS_HEADER] if b.findings_from else []
        append_row(ws, [label, "代码", *GROUP_HEADERS, *extra])
        for cell in ws[3]:
            cell.font = Font(bold=True)
        for g in [*groups, b.overall]:
            counted = [g.findings] if b.findings_from else []
            append_row(ws, [g.label, g.key, *group_row(g), *counted])
        ws.freeze_panes = "C4"
        ws.column_dimensions["A"].width = 28
    if b.flagged:
        ws = wb.create_sheet("点好面差")
        append_row(ws, ["地区", "说明"])
        for g in b.flagged:
            append_row(ws, [g.label, g.uneven_note])
    if ranking is not None:
        ws = wb.create_sheet("排名（仅供上级）")
        append_row(ws, rank_headers())
        for r in ranking:
            append_row(
                ws,
                [
                    r.rank,
                    r.code,
                    r.name,
                    r.sector,
                    float(r.total),
                    r.stars,
                    Tier(r.tier).label,
                    "是" if r.veto else "",
                    *r.extra,
                ],
            )
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


PDF_COLUMNS = [
    ("组织数", 0),
    ("五星", 1),
    ("四星", 2),
    ("三星", 3),
    ("先进", 5),
    ("后进", 7),
    ("平均分", 11),
    ("标准差", 12),
    ("示范", 17),
    ("后进或软弱涣散", 18),
    ("整改任务", 22),
    ("已确认", 23),
    ("逾期", 24),
]


def export_pdf(b: Bulletin, ranking: Sequence[RankRow] | None = None) -> bytes:
    """The bulletin as a printable PDF (A4 landscape)."""
    from dangjian.core.pdf import PdfDocument

    doc = PdfDocument(_title(b), subtitle=_subtitle(b), landscape_pages=True)
    if b.flagged:
        doc.heading("点好面差提示")
        for g in b.flagged:
            doc.paragraph(f"{g.label}：{g.uneven_note}")
    headers = [h for h, _ in PDF_COLUMNS] + ([FINDINGS_HEADER] if b.findings_from else [])
    for heading, label, groups in (("按地区", "地区", b.regions), ("按领域", "领域", b.sectors)):
        doc.heading(heading)
        rows = []
        for g in [*groups, b.overall]:
            values = group_row(g)
            counted = [g.findings] if b.findings_from else []
            rows.append(
                [
                    g.label,
                    *("" if values[i] is None else values[i] for _, i in PDF_COLUMNS),
                    *counted,
                ]
            )
        doc.table([label, *headers], rows, widths=[3] + [1] * len(headers))
    doc.paragraph(
        f"示范组织：{SHOWCASE_STARS} 星；后进或软弱涣散：考核档次为后进，"
        "或有进行中的软弱涣散整改方案。本通报只统计组织，不涉及个人。"
        + (f"{FINDINGS_HEADER}：{FINDINGS_NOTE}" if b.findings_from else "")
    )
    if ranking is not None:
        doc.page_break()
        doc.heading("排名（仅供上级组织掌握，不公开发布）")
        doc.table(
            rank_headers(),
            [
                [r.rank, r.code, r.name, r.sector, r.total, r.stars, Tier(r.tier).label,
                 "是" if r.veto else "", *r.extra]
                for r in ranking
            ],
            widths=[1, 2, 5, 2, 1, 1, 1, 1] + [2] * len(ORG_COLUMNS),
        )  # fmt: skip
    return doc.render()
