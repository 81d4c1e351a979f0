"""The assessment indicator ``secretary_review_grade``: the result of the organization's latest
述职评议 (the grade of its secretary's report to the level above) within the assessed window,
as points 好 4, 较好 3, 一般 2, 差 1 — so a standard scores it like any other indicator::

      - id: "1.5"
        text: 书记抓基层党建述职评议等次
        points: 4
        mode: automatic
        indicator: secretary_review_grade
        scoring:
          thresholds:
            - {at_least: 4, points: 4}
            - {at_least: 3, points: 3}
            - {at_least: 2, points: 1}

Registered with :mod:`dangjian.assess.indicators` when the app is ready.
"""

from __future__ import annotations

from typing import Any

from dangjian.assess.indicators import IndicatorContext, IndicatorValue, indicator
from dangjian.rectify.bulletin import org_column

from .choices import GRADE_POINTS
from .models import Report


@indicator("secretary_review_grade", "书记述职评议等次", "count", ["REVIEW-GRADE"])
def secretary_review_grade(ctx: IndicatorContext) -> dict[int, IndicatorValue]:
    """The grade of the organization's 述职评议 in the window's years (the latest year), as
    points: 好 4, 较好 3, 一般 2, 差 1; no graded report: no data."""
    rows = (
        Report.objects.filter(
            org_id__in=ctx.org_ids,
            campaign__year__gte=ctx.start.year,
            campaign__year__lte=ctx.end.year,
        )
        .exclude(grade="")
        .values("org_id", "grade", "campaign__year", "campaign__title")
        .order_by("org_id", "campaign__year")
    )
    out: dict[int, IndicatorValue] = {}
    for r in rows:  # ordered by year: the latest one stays
        out[r["org_id"]] = IndicatorValue(
            float(GRADE_POINTS[r["grade"]]),
            f"{r['campaign__year']} 年述职评议“{r['grade']}”",
            {"campaign": r["campaign__title"], "year": r["campaign__year"], "grade": r["grade"]},
        )
    return out


@org_column("书记述职评议等次")
def grades_for_bulletin(campaign: Any, codes: list[str]) -> dict[str, str]:
    """The 评议等次 of each organization's latest graded 述职评议 in the assessment's period (the
    column of the bulletin's table by organization, for the upper level); none: no text."""
    rows = (
        Report.objects.filter(
            org__code__in=codes,
            campaign__year__gte=campaign.period_start.year,
            campaign__year__lte=campaign.period_end.year,
        )
        .exclude(grade="")
        .order_by("org__code", "campaign__year", "pk")
        .values_list("org__code", "grade", "campaign__year")
    )
    # the latest year wins: later rows overwrite earlier ones
    return {code: f"{grade}（{year} 年）" for code, grade, year in rows}
