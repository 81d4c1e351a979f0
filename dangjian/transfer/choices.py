"""The states of a relation transfer (组织关系转接) and the reasons it is made."""

from __future__ import annotations

from django.db import models


class TransferState(models.TextChoices):
    """requested → in_transit (letter issued) → accepted | refused; cancelled by the sender
    before the receiving end has answered."""

    REQUESTED = "requested", "待开具介绍信"
    IN_TRANSIT = "in_transit", "在途"
    ACCEPTED = "accepted", "已接收"
    REFUSED = "refused", "已退回"
    CANCELLED = "cancelled", "已撤销"


#: states in which a transfer is still open (a member has at most one: "transferred twice")
OPEN_STATES = frozenset({TransferState.REQUESTED, TransferState.IN_TRANSIT})
#: states that end a transfer
FINAL_STATES = frozenset({TransferState.ACCEPTED, TransferState.REFUSED, TransferState.CANCELLED})


class TransferReason(models.TextChoices):
    """Why relations move (教育管理条例 art. 25)."""

    WORK = "工作变动", "工作变动"
    RESIDENCE = "居住地变动", "居住地变动"
    AWAY = "外出六个月以上", "外出六个月以上"
    STUDY = "升学毕业", "升学毕业"
    OTHER = "其他", "其他"
