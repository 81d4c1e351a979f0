"""The rules of rules.md the members' records will check — party dues (党费, ``DUES-*`` §4) and
member relations (组织关系, ``REL-*`` §5) — registered with the rules engine as not checked
until the model holds their data (this module is a domain module, above the members app's
models and services)."""

from __future__ import annotations

from dangjian.rules.registry import register_family, register_not_checked, register_order

register_family("DUES", "党费", section=4, source="rules.md §4 默认值（党费规定）")
register_family("REL", "组织关系", section=5, source="rules.md §5 默认值（组织关系规定）")
# the REL rules are registered by several apps (REL-TRANSFER and REL-LOST-CONTACT by
# dangjian/mobile/rules.py): the catalogue lists them in the order of rules.md
register_order(
    "REL", ("REL-ONE-BRANCH", "REL-TRANSFER", "REL-LOST-CONTACT", "REL-COMMUNITY-REGISTRATION")
)

_NO_DUES = "系统尚无党费缴纳数据"
_NO_TRANSFERS = "系统尚无组织关系转接及流动党员数据"

register_not_checked(
    "DUES-RATE-EMPLOYED",
    "在职党员按月工资收入比例交纳党费",
    "national",
    "党费规定 art. 1–2",
    _NO_DUES,
)
register_not_checked(
    "DUES-RATE-RETIRED", "离退休党员按月退休费比例交纳党费", "national", "党费规定 art. 5", _NO_DUES
)
register_not_checked(
    "DUES-RATE-FLAT",
    "农民、学生、下岗失业和低收入党员按固定标准交纳党费",
    "national",
    "党费规定 art. 6",
    _NO_DUES,
)
register_not_checked(
    "DUES-PROBATIONARY",
    "预备党员自支部大会通过之日起交纳党费",
    "national",
    "党费规定 art. 8",
    _NO_DUES,
)
register_not_checked(
    "DUES-ARREARS-6-MONTHS",
    "连续 6 个月无正当理由不交纳党费，提请支部处理（是否按自行脱党处理由支部决定）",
    "national",
    "党章 art. 9",
    _NO_DUES,
)
register_not_checked(
    "REL-ONE-BRANCH",
    "每名党员编入且只编入一个党支部",
    "national",
    "教育管理条例 art. 25",
    _NO_TRANSFERS,
)
register_not_checked(
    "REL-COMMUNITY-REGISTRATION",
    "在职党员到居住地社区报到（双报到），社区每年至少评价一次",
    "local default",
    "local practice; seed 003; seed 004",
    _NO_TRANSFERS,
)
