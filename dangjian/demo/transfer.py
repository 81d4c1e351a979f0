"""Demo relation transfers (组织关系转接) in the demo town, through the real services.

:func:`seed_demo_transfers` moves members without a post between the town's branches and to
organizations outside the platform, with dates set back from ``today`` so that every state
appears: requested (no letter yet), in transit within the letter's validity, due within the
reminder window, overdue (the letter expired unanswered), accepted (the member is on the new
roll since that day), refused with a reason, cancelled by the sender, and to an organization
outside the platform with and without its receipt. Deterministic from ``seed``; nothing is done
when a transfer exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from dangjian.accounts.scope import SYSTEM
from dangjian.members.models import Member
from dangjian.members.rollups import left_ids
from dangjian.orgs.choices import ROLL_TYPES
from dangjian.orgs.models import Organization
from dangjian.transfer.models import Transfer
from dangjian.transfer.services import (
    TransferInput,
    transfer_accept,
    transfer_cancel,
    transfer_receipt,
    transfer_refuse,
    transfer_request,
)

from .accounts import nodes_to_seed

#: (what, days before today it was requested, days after the request it was answered)
PLAN: list[tuple[str, int, int]] = [
    ("requested", 3, 0),
    ("in_transit", 20, 0),
    ("in_transit", 45, 0),
    ("due_soon", 86, 0),
    ("overdue", 120, 0),
    ("overdue", 160, 0),
    ("accepted", 200, 12),
    ("accepted", 60, 0),  # received the day it was asked for
    ("accepted", 30, 25),
    ("refused", 50, 9),
    ("cancelled", 70, 15),
    ("external", 40, 0),
    ("external_receipt", 100, 30),
]
_REASONS = ["工作变动", "居住地变动", "工作变动", "外出六个月以上", "升学毕业"]
_OUTSIDE = ["浙江省杭州市西湖区某社区党委第二党支部", "福建省福州市鼓楼区某街道机关党支部"]

_REFUSED = "经核实该同志未在本单位工作，请核对接收党组织"


def seed_demo_transfers(today: dt.date, *, seed: int = 42) -> list[str]:
    """Seed the demo's transfers; Chinese lines to print. Nothing if a transfer exists."""
    nodes = nodes_to_seed(Transfer)
    if nodes is None:
        return []
    town = nodes["town"]
    branches = list(
        Organization.objects.filter(path__startswith=town.path, org_type__in=ROLL_TYPES).order_by(
            "path"
        )
    )
    if len(branches) < 2:
        return []
    rng = random.Random(f"transfer-{seed}")
    members = list(
        Member.objects.filter(org__in=branches, post="").select_related("org").order_by("pk")
    )
    gone = left_ids(m.pk for m in members)
    members = [m for m in members if m.pk not in gone]
    rng.shuffle(members)
    made: dict[str, int] = {}
    with transaction.atomic():
        for n, (what, back, answer) in enumerate(PLAN):
            if not members:
                break
            member = members.pop()
            asked = today - dt.timedelta(days=back)
            if asked < member.joined_on:
                continue
            others = [b for b in branches if b.pk != member.org_id]
            outside = what.startswith("external")
            data = TransferInput(
                member=member,
                requested_on=asked,
                reason=_REASONS[n % len(_REASONS)],
                to_org=None if outside else rng.choice(others),
                to_name=_OUTSIDE[n % len(_OUTSIDE)] if outside else "",
                note="演示数据",
            )
            try:
                with transaction.atomic():
                    t = transfer_request(
                        actor=SYSTEM, data=data, issue=what != "requested", today=today
                    )
                    on = asked + dt.timedelta(days=answer)
                    answers: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
                        "accepted": (transfer_accept, {"accepted_on": on}),
                        "refused": (
                            transfer_refuse,
                            {"refused_on": on, "reason": _REFUSED},
                        ),
                        "cancelled": (
                            transfer_cancel,
                            {"cancelled_on": on, "reason": "工作调动取消"},
                        ),
                        "external_receipt": (
                            transfer_receipt,
                            {"received_on": on, "receipt_no": f"回执{asked:%Y%m%d}{n:02d}"},
                        ),
                    }
                    if what in answers:
                        answer_with, fields = answers[what]
                        answer_with(actor=SYSTEM, transfer=t, today=today, **fields)
            except ValidationError:
                continue
            made[what] = made.get(what, 0) + 1
    if not made:
        return []
    labels = {
        "requested": "待开具介绍信",
        "in_transit": "在途",
        "due_soon": "即将到期",
        "overdue": "超期",
        "accepted": "已接收",
        "refused": "已退回",
        "cancelled": "已撤销",
        "external": "转往系统外在途",
        "external_receipt": "转往系统外已收回执",
    }
    parts = "，".join(f"{labels[k]} {v} 件" for k, v in made.items())
    return [f"{town.name}组织关系转接 {sum(made.values())} 件（{parts}）"]
