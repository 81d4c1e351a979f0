"""三率 of service orders (SERVICE-RATES), each figure with its counts and what it counts.

- 响应率: orders responded to (accepted, refused, merged or escalated) within the response limit
  ÷ orders submitted (merged duplicates excluded).
- 解决率: orders resolved (已解决, 已评价 or 已办结 with a result) ÷ orders accepted (refused
  and merged excluded).
- 满意率: (满意 + w × 基本满意) ÷ orders rated, w = SERVICE-RATES ``basic_weight`` (default 0.9).

Each with n and a Wilson interval (as the surveys give) when n > 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from dangjian.rules.params import params_on
from dangjian.survey.stats import wilson

from .choices import OrderState, Rating
from .models import Order


@dataclass(frozen=True)
class Rate:
    label: str
    numerator: float
    n: int
    counts: str

    @property
    def value(self) -> float | None:
        return self.numerator / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(round(self.numerator), self.n) if self.n else None


@dataclass(frozen=True)
class Rates:
    response: Rate
    resolution: Rate
    satisfaction: Rate
    total: int


def rates(orders: QuerySet[Order]) -> Rates:
    """三率 over ``orders`` (already restricted to the user's subtree and period)."""
    weight = float(params_on("SERVICE-RATES", timezone.localdate())["basic_weight"])
    c = orders.aggregate(
        total=Count("pk"),
        valid=Count("pk", filter=~Q(state=OrderState.MERGED)),
        responded=Count(
            "pk",
            filter=~Q(state=OrderState.MERGED) & Q(responded_at__lte=F("response_due")),
        ),
        accepted=Count("pk", filter=~Q(state__in=(OrderState.MERGED, OrderState.REFUSED))),
        resolved=Count(
            "pk",
            filter=Q(state__in=(OrderState.RESOLVED, OrderState.RATED, OrderState.CLOSED))
            & ~Q(result=""),
        ),
        rated=Count("pk", filter=~Q(rating="")),
        satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)),
        basic=Count("pk", filter=Q(rating=Rating.BASIC)),
    )
    return Rates(
        response=Rate(
            "响应率",
            c["responded"],
            c["valid"],
            f"时限内响应 {c['responded']} 件 ÷ 群众点单 {c['valid']} 件（不含合并的重复工单）",
        ),
        resolution=Rate(
            "解决率",
            c["resolved"],
            c["accepted"],
            f"已解决 {c['resolved']} 件 ÷ 受理 {c['accepted']} 件（不含不予受理和重复工单）",
        ),
        satisfaction=Rate(
            "满意率",
            c["satisfied"] + weight * c["basic"],
            c["rated"],
            f"（满意 {c['satisfied']} 件 + {weight:g} × 基本满意 {c['basic']} 件）"
            f"÷ 已评价 {c['rated']} 件",
        ),
        total=c["total"],
    )
