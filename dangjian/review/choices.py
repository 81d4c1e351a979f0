"""The fixed vocabularies of 述职评议: the grades (评议等次 and the raters' ballots use the same
four) and the kinds of raters a campaign may invite."""

from __future__ import annotations

from django.db import models


class Grade(models.TextChoices):
    """好/较好/一般/差: a rater's ballot on one item, and the result (评议等次)."""

    GOOD = "好", "好"
    FAIRLY_GOOD = "较好", "较好"
    AVERAGE = "一般", "一般"
    POOR = "差", "差"


#: the points of a ballot when the ratings are summed up into a proposed grade
GRADE_POINTS: dict[str, int] = {
    Grade.GOOD: 4,
    Grade.FAIRLY_GOOD: 3,
    Grade.AVERAGE: 2,
    Grade.POOR: 1,
}
#: the lowest average of points for each proposed grade, best first
GRADE_THRESHOLDS: tuple[tuple[str, float], ...] = (
    (Grade.GOOD, 3.5),
    (Grade.FAIRLY_GOOD, 2.5),
    (Grade.AVERAGE, 1.5),
    (Grade.POOR, 0.0),
)


class RaterKind(models.TextChoices):
    """Who rates (configured per campaign)."""

    COMMITTEE = "上级党委委员", "上级党委委员"
    DELEGATE = "党代表", "党代表"
    PUBLIC = "群众代表", "群众代表"


#: the items rated when a campaign names none
DEFAULT_ITEMS = ("履行第一责任人职责", "抓基层党建工作成效", "解决突出问题", "作风建设")
#: the distribution rule when a campaign names none: at most this share of the organizations
#: graded 好
DEFAULT_RULE = {Grade.GOOD.value: 0.3}
