"""The rules of rules.md the members' records will check — member relations (组织关系, ``REL-*``
§5; the party dues rules ``DUES-*`` §4 are checked by :mod:`dangjian.dues.rules`) — registered
with the rules engine as not checked until the model holds their data (this module is a domain
module, above the members app's models and services)."""

from __future__ import annotations

from dangjian.rules.registry import register_family, register_not_checked, register_order

register_family("REL", "组织关系", section=5, source="rules.md §5 默认值（组织关系规定）")
# the REL rules are registered by several apps (REL-TRANSFER and REL-LOST-CONTACT by
# dangjian/mobile/rules.py): the catalogue lists them in the order of rules.md
register_order(
    "REL", ("REL-ONE-BRANCH", "REL-TRANSFER", "REL-LOST-CONTACT", "REL-COMMUNITY-REGISTRATION")
)

_NO_TRANSFERS = "系统尚无组织关系转接及流动党员数据"

# REL-ONE-BRANCH is checked by the transfer app (registered here, in the order of rules.md)
from dangjian.transfer import rules as _transfer_rules  # noqa: E402,F401

register_not_checked(
    "REL-COMMUNITY-REGISTRATION",
    "在职党员到居住地社区报到（双报到），社区每年至少评价一次",
    "local default",
    "local practice; seed 003; seed 004",
    _NO_TRANSFERS,
)
