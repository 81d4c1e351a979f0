"""Proportions with their Wilson score interval, and the reliability threshold.

Wilson (1927), "Probable inference, the law of succession, and statistical inference", JASA 22;
recommended over the plain normal (Wald) interval for small n and rates near 0 or 1 by
Newcombe (1998), "Two-sided confidence intervals for the single proportion", Stat. Med. 17.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings

Z95 = 1.959963984540054  # two-sided 95% normal quantile
DEFAULT_MIN_ANSWERS = 30
DEFAULT_MIN_DISCLOSE = 5


def min_answers() -> int:
    """Answers needed before a rate counts as reliable (``DANGJIAN_SURVEY_MIN_ANSWERS``)."""
    return int(getattr(settings, "DANGJIAN_SURVEY_MIN_ANSWERS", DEFAULT_MIN_ANSWERS))


def min_disclose() -> int:
    """Fewest answers before a page shows rates and per-question counts
    (``DANGJIAN_SURVEY_MIN_DISCLOSE``, default 5): with one or two answers, anyone who knows who
    answered could read their answers off the totals.
    """
    return int(getattr(settings, "DANGJIAN_SURVEY_MIN_DISCLOSE", DEFAULT_MIN_DISCLOSE))


def wilson(numerator: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``numerator / n``; ``None`` when n is 0."""
    if n <= 0:
        return None
    if not 0 <= numerator <= n:
        raise ValueError(f"numerator {numerator} outside 0..{n}")
    p = numerator / n
    z2 = z * z
    denom = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z / denom * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Clamp rounding noise at the ends (0/n gives exactly 0, n/n exactly 1).
    low = 0.0 if numerator == 0 else max(0.0, centre - half)
    high = 1.0 if numerator == n else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Rate:
    """One rate of an organization: value = numerator / n with its 95% Wilson interval.

    ``value``, ``low`` and ``high`` are ``None`` when there are no answers; ``reliable`` is
    whether n reaches :func:`min_answers` (a rate from fewer answers is shown as 仅供参考).
    """

    value: float | None
    numerator: int
    n: int
    low: float | None
    high: float | None
    reliable: bool

    @classmethod
    def of(cls, numerator: int, n: int, *, minimum: int | None = None) -> Rate:
        minimum = min_answers() if minimum is None else minimum
        interval = wilson(numerator, n)
        if interval is None:
            return cls(None, 0, 0, None, None, False)
        return cls(numerator / n, numerator, n, interval[0], interval[1], n >= minimum)

    @property
    def percent(self) -> float | None:
        """The value in percent, one decimal (for pages)."""
        return None if self.value is None else round(self.value * 100, 1)

    @property
    def low_percent(self) -> float | None:
        return None if self.low is None else round(self.low * 100, 1)

    @property
    def high_percent(self) -> float | None:
        return None if self.high is None else round(self.high * 100, 1)


@dataclass(frozen=True)
class Rates:
    """The three rates (三率) of one organization's survey, plus the response figures.

    ``answers`` is the sample size; ``population`` the people invited (``None``: not recorded),
    ``basis`` says where that number comes from (invite codes issued, the roll, a stated count);
    ``response_rate`` = answers / population (回收率), ``None`` when it cannot be right — no or
    zero invited, or more answers than people invited (then ``response_note`` says why): a rate
    over 100 % is never shown.
    """

    satisfaction: Rate
    participation: Rate
    awareness: Rate
    answers: int
    population: int | None
    survey_id: int | None = None
    basis: str = ""

    @property
    def reliable(self) -> bool:
        return self.satisfaction.reliable

    @property
    def response_rate(self) -> float | None:
        if not self.population or self.answers > self.population:
            return None
        return self.answers / self.population

    @property
    def response_percent(self) -> float | None:
        rate = self.response_rate
        return None if rate is None else round(rate * 100, 1)

    @property
    def response_note(self) -> str:
        """Why there is no 回收率 (empty when there is one)."""
        if self.population is None:
            return "未登记邀请人数，不计算回收率"
        if self.population == 0:
            return "邀请人数为 0，不计算回收率"
        if self.answers > self.population:
            return (
                f"答卷 {self.answers} 份多于邀请的 {self.population} 人：有邀请范围以外的人作答，"
                "或邀请人数登记有误，不计算回收率"
            )
        return ""

    @classmethod
    def empty(
        cls, population: int | None = None, survey_id: int | None = None, basis: str = ""
    ) -> Rates:
        none = Rate.of(0, 0)
        return cls(none, none, none, 0, population, survey_id, basis)
