"""The monthly dues of a member by the national rates (党费规定), read from the parameters of
the DUES rules in force on a date (:mod:`dangjian.rules.params`: a city's configuration or a
later version changes them without code).

- DUES-RATE-EMPLOYED ``bands``: ``[[upper, rate], …]`` ascending, the last upper ``null``; a base
  equal to an upper bound takes that band's rate (upper bounds inclusive: 3000 → 0.5 %,
  3000.01 → 1 %).
- DUES-RATE-RETIRED ``bands``: the same for retirees (5000 → 0.5 %, above → 1 %).
- DUES-RATE-FLAT: the fixed monthly amounts of farmers, students, the unemployed and members on
  低保 (yuan).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from dangjian.rules.params import config_info, params_on

from .choices import DuesCategory

CENT = Decimal("0.01")

EMPLOYED = "DUES-RATE-EMPLOYED"
RETIRED = "DUES-RATE-RETIRED"
FLAT = "DUES-RATE-FLAT"

#: the key of each fixed-amount category in DUES-RATE-FLAT's parameters
FLAT_KEYS = {
    DuesCategory.FARMER: "farmer",
    DuesCategory.STUDENT: "student",
    DuesCategory.UNEMPLOYED: "unemployed",
    DuesCategory.LOW_INCOME: "low_income",
}


@dataclass(frozen=True)
class Due:
    """The monthly amount a rule gives, with the rule, its rate (``None``: a fixed amount) and
    the version of the parameters used."""

    amount: Decimal
    rule: str
    rate: Decimal | None
    version: str


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def band_rate(bands: Sequence[Sequence[Any]], base: Decimal) -> Decimal:
    """The rate of the band ``base`` falls in (upper bounds inclusive)."""
    for upper, rate in bands:
        if upper is None or base <= Decimal(str(upper)):
            return Decimal(str(rate))
    return Decimal(str(bands[-1][1]))


def rule_for(category: str) -> str:
    if category == DuesCategory.EMPLOYED:
        return EMPLOYED
    if category == DuesCategory.RETIRED:
        return RETIRED
    return FLAT


def due_from(
    category: str, base: Decimal | None, params: Mapping[str, Any], version: str = ""
) -> Due:
    """The monthly dues of ``category`` on ``base`` with the rule's ``params`` (pure)."""
    rule_id = rule_for(category)
    if rule_id == FLAT:
        return Due(money(params[FLAT_KEYS[DuesCategory(category)]]), FLAT, None, version)
    if base is None:
        raise ValueError("按比例交纳党费须有月交纳基数")
    rate = band_rate(params["bands"], base)
    return Due(money(base * rate), rule_id, rate, version)


def due_on(category: str, base: Decimal | None, on: dt.date) -> Due:
    """The monthly dues of ``category`` on ``base`` by the parameters in force on ``on``."""
    rule_id = rule_for(category)
    return due_from(category, base, params_on(rule_id, on), config_info("DUES", on).version)


def check_params(rule_id: str, params: Mapping[str, Any]) -> None:
    """Refuse impossible values of the rates (Chinese ``ValueError``)."""
    if rule_id in (EMPLOYED, RETIRED):
        bands = params.get("bands")
        where = f"规则 {rule_id} 的参数 bands"
        if not isinstance(bands, list) or not bands:
            raise ValueError(f"{where} 应为 [[上限, 比例], …] 的非空列表")
        last = Decimal("-1")
        for i, band in enumerate(bands, start=1):
            if not isinstance(band, list | tuple) or len(band) != 2:
                raise ValueError(f"{where} 第 {i} 档应为 [上限, 比例]")
            upper, rate = band
            try:
                r = Decimal(str(rate))
                u = None if upper is None else Decimal(str(upper))
            except InvalidOperation as exc:
                raise ValueError(f"{where} 第 {i} 档不是数字") from exc
            if not Decimal(0) < r < Decimal("0.1"):
                raise ValueError(f"{where} 第 {i} 档的比例应大于 0、小于 0.1")
            if u is None and i != len(bands):
                raise ValueError(f"{where} 只有最后一档的上限可以为空")
            if u is not None and u <= last:
                raise ValueError(f"{where} 的上限应逐档递增")
            last = u if u is not None else last
        if bands[-1][0] is not None:
            raise ValueError(f"{where} 最后一档的上限应为空（以上不限）")
    elif rule_id == FLAT:
        for key in FLAT_KEYS.values():
            try:
                value = Decimal(str(params.get(key)))
            except InvalidOperation as exc:
                raise ValueError(f"规则 {rule_id} 的参数 {key} 应为金额") from exc
            if not Decimal(0) <= value <= Decimal(100):
                raise ValueError(f"规则 {rule_id} 的参数 {key} 应在 0 至 100 元之间")
