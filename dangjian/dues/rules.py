"""The ``DUES-*`` rules of rules.md §4 (党费), checked over the dues records of a branch.

Each rule is a pure function over :class:`BranchDues` (one branch's members with their dues
facts for the months judged, gathered by :func:`dangjian.dues.selectors.branch_dues_facts`):

- DUES-RATE-EMPLOYED / -RETIRED / -FLAT: a member on the roll without a 核定 for the year (待办),
  or whose recorded monthly amount differs from what the rate in force on 1 January gives
  (提醒; a later version of the rates, or a base changed without recalculating). The rates
  themselves are these rules' parameters (:mod:`dangjian.dues.rates`).
- DUES-PROBATIONARY: a probationary member owes from the month of the branch vote (``joined_on``)
  on; unpaid months since the vote are listed (待办).
- DUES-ARREARS-6-MONTHS: ``months`` (6) consecutive complete months unpaid with no good reason
  the branch accepted (:class:`~dangjian.dues.models.DuesExemption`): a flag for the branch to
  decide, never an automatic 自行脱党; a member who left the party (出党, 死亡, 转出) before the
  last month judged is no such lead.

Findings name the member by id and name (the branch's own people see them), never the base.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from dangjian.rules.params import register_validator
from dangjian.rules.registry import Context, Finding, RuleSpec, register_family, rule

from .choices import RATED, DuesCategory
from .rates import EMPLOYED, FLAT, RETIRED, check_params, due_from

register_family("DUES", "党费", section=4, source="rules.md §4 默认值（党费规定）")
register_validator("DUES", check_params)

RATE_EMPLOYED = RuleSpec(
    EMPLOYED,
    "在职党员按月工资收入比例交纳党费",
    "national",
    "党费规定 art. 1–2",
    {"bands": [[3000, 0.005], [5000, 0.01], [10000, 0.015], [None, 0.02]]},
)
RATE_RETIRED = RuleSpec(
    RETIRED,
    "离退休党员按月退休费比例交纳党费",
    "national",
    "党费规定 art. 5",
    {"bands": [[5000, 0.005], [None, 0.01]]},
)
RATE_FLAT = RuleSpec(
    FLAT,
    "农民、学生、下岗失业和低收入党员按固定标准交纳党费",
    "national",
    "党费规定 art. 6",
    {"farmer": 0.2, "student": 0.2, "unemployed": 0.2, "low_income": 0.2},
)
PROBATIONARY = RuleSpec(
    "DUES-PROBATIONARY",
    "预备党员自支部大会通过之日起交纳党费",
    "national",
    "党费规定 art. 8",
)
ARREARS = RuleSpec(
    "DUES-ARREARS-6-MONTHS",
    "连续 6 个月无正当理由不交纳党费，提请支部处理（是否按自行脱党处理由支部决定）",
    "national",
    "党章 art. 9",
    {"months": 6},
)


@dataclass(frozen=True)
class MemberDues:
    """One member on the branch's roll: the dues category (of the year's 核定, else the one the
    roll category suggests), the base (decrypted in process, never shown in a finding), the
    recorded monthly amount, and the months judged: owed, paid, excused."""

    member_id: int
    name: str
    probationary: bool
    joined_on: dt.date
    category: str
    has_base: bool
    base: Decimal | None
    monthly_due: Decimal | None
    #: first days of the complete months the member owed (on the roll), oldest first
    owed: tuple[dt.date, ...] = ()
    paid: frozenset[dt.date] = frozenset()
    excused: frozenset[dt.date] = frozenset()
    #: out of the party (出党, 死亡, 转出) before the last month judged began: the months he owed
    #: are still listed, but he is no lead for DUES-ARREARS-6-MONTHS
    left: bool = False


@dataclass(frozen=True)
class BranchDues:
    code: str
    name: str
    year: int
    members: tuple[MemberDues, ...] = field(default_factory=tuple)


def _month(d: dt.date) -> str:
    return f"{d.year}-{d.month:02d}"


def _rate_rule(facts: BranchDues, ctx: Context, categories: set[str]) -> list[Finding]:
    out: list[Finding] = []
    spec = ctx.spec
    for m in facts.members:
        if m.category not in categories:
            continue
        if m.left and not any(d.year == facts.year for d in m.owed):
            continue  # out of the party before the year began: nothing to 核定
        who = f"{m.name}（{facts.name}）"
        if not m.has_base:
            out.append(
                spec.finding(
                    facts.code,
                    "due",
                    f"{who}尚未核定 {facts.year} 年党费（{DuesCategory(m.category).label}）",
                    {"member_id": m.member_id, "name": m.name, "year": facts.year},
                )
            )
            continue
        if m.base is None and m.category in RATED:
            continue  # a 核定 without its base (entered elsewhere): nothing to recompute
        expected = due_from(m.category, m.base, ctx.params).amount
        if m.monthly_due is not None and m.monthly_due != expected:
            out.append(
                spec.finding(
                    facts.code,
                    "warning",
                    f"{who}{facts.year} 年核定的每月党费 {m.monthly_due} 元与现行标准计算的 "
                    f"{expected} 元不一致，请重新核定",
                    {
                        "member_id": m.member_id,
                        "name": m.name,
                        "year": facts.year,
                        "recorded_due": str(m.monthly_due),
                        "expected_due": str(expected),
                    },
                )
            )
    return out


@rule(RATE_EMPLOYED)
def dues_rate_employed(facts: BranchDues, ctx: Context) -> list[Finding]:
    """Employed members: 0.5 % / 1 % / 1.5 % / 2 % of the monthly after-tax salary by band
    (upper bounds inclusive). Source: 党费规定 art. 1–2."""
    return _rate_rule(facts, ctx, {DuesCategory.EMPLOYED})


@rule(RATE_RETIRED)
def dues_rate_retired(facts: BranchDues, ctx: Context) -> list[Finding]:
    """Retirees: 0.5 % of a pension up to 5000 yuan (inclusive), 1 % above.
    Source: 党费规定 art. 5."""
    return _rate_rule(facts, ctx, {DuesCategory.RETIRED})


@rule(RATE_FLAT)
def dues_rate_flat(facts: BranchDues, ctx: Context) -> list[Finding]:
    """Farmers, students, the unemployed and members on 低保 pay a fixed low amount.
    Source: 党费规定 art. 6."""
    return _rate_rule(
        facts,
        ctx,
        {
            DuesCategory.FARMER,
            DuesCategory.STUDENT,
            DuesCategory.UNEMPLOYED,
            DuesCategory.LOW_INCOME,
        },
    )


@rule(PROBATIONARY)
def dues_probationary(facts: BranchDues, ctx: Context) -> list[Finding]:
    """A probationary member owes from the month of the branch vote on (a vote on the 20th owes
    that month). Source: 党费规定 art. 8."""
    out: list[Finding] = []
    for m in facts.members:
        if not m.probationary:
            continue
        unpaid = [d for d in m.owed if d not in m.paid]
        if not unpaid:
            continue
        out.append(
            PROBATIONARY.finding(
                facts.code,
                "due",
                f"预备党员{m.name}（{facts.name}）自 {m.joined_on:%Y年%m月%d日} 支部大会通过起"
                f"应交党费，"
                f"尚有 {len(unpaid)} 个月未交（{_month(unpaid[0])} 起）",
                {
                    "member_id": m.member_id,
                    "name": m.name,
                    "joined_on": m.joined_on.isoformat(),
                    "months": [_month(d) for d in unpaid],
                },
            )
        )
    return out


def trailing_run(m: MemberDues) -> list[dt.date]:
    """The run of owed months unpaid and not excused that ends with the last month judged
    (the arrears standing now), oldest first."""
    run: list[dt.date] = []
    for d in reversed(m.owed):
        if d in m.paid or d in m.excused:
            break
        run.append(d)
    return run[::-1]


@rule(ARREARS)
def dues_arrears_6_months(facts: BranchDues, ctx: Context) -> list[Finding]:
    """``months`` consecutive complete months of dues unpaid without a good reason the branch
    accepted: a flag for the branch (whether it is 自行脱党 is the branch's decision, 党章
    art. 9), never an action. Source: 党章 art. 9."""
    months = int(ctx.params["months"])
    out: list[Finding] = []
    for m in facts.members:
        run = [] if m.left else trailing_run(m)
        if len(run) < months:
            continue
        out.append(
            ARREARS.finding(
                facts.code,
                "warning",
                f"{m.name}（{facts.name}）{_month(run[0])} 至 {_month(run[-1])} 连续 {len(run)} "
                "个月未交党费，也没有支部认可的正当理由。请支部了解情况（是否按自行脱党处理由"
                "支部决定，系统不作自动处理）",
                {
                    "member_id": m.member_id,
                    "name": m.name,
                    "months": [_month(d) for d in run],
                },
                period=_month(run[-1]),
            )
        )
    return out
