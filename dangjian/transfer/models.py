"""Relation transfers (组织关系转接): one record with both ends.

The sending branch asks for the transfer of one of its members (``requested``), issues the
introduction letter (介绍信, numbered, valid ``valid_days`` days: ``due_on`` is its last valid
day) and the member is *in transit* (``in_transit``) — still on the sending roll: the old branch
stays responsible until the new one receives (REL-TRANSFER). The receiving organization accepts
(the member is on its roll from ``answered_on``, off the sender's the same day, through
:func:`dangjian.members.services.member_move`) or refuses with a reason. To an organization
outside the platform (``to_org`` empty, ``to_name`` set) the letter is exported and the receipt
(回执) recorded by the sender. A member has at most one open transfer (a constraint).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .choices import OPEN_STATES, TransferReason, TransferState


class Transfer(models.Model):
    """One relation transfer of one member, from the request to the answer."""

    member = models.ForeignKey(
        "members.Member", verbose_name="党员", on_delete=models.PROTECT, related_name="transfers"
    )
    member_name = models.CharField("党员姓名", max_length=50)
    from_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="转出党组织",
        on_delete=models.PROTECT,
        related_name="transfers_out",
    )
    to_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name="接收党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfers_in",
    )
    to_name = models.CharField("系统外接收党组织", max_length=200, blank=True)
    reason = models.CharField("转接原因", max_length=16, choices=TransferReason.choices)
    note = models.CharField("备注", max_length=500, blank=True)
    state = models.CharField(
        "状态", max_length=12, choices=TransferState.choices, default=TransferState.REQUESTED
    )
    requested_on = models.DateField("申请日期")
    letter_no = models.CharField("介绍信编号", max_length=40, blank=True)
    issued_on = models.DateField("开具日期", null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField("有效期（天）", null=True, blank=True)
    due_on = models.DateField("有效期至", null=True, blank=True)
    answered_on = models.DateField("办结日期", null=True, blank=True)
    refuse_reason = models.CharField("退回原因", max_length=500, blank=True)
    receipt_no = models.CharField("回执编号", max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        ordering = ["-requested_on", "-pk"]
        indexes = [
            models.Index(fields=["state", "due_on"], name="transfer_state_due"),
            models.Index(fields=["from_org", "state"], name="transfer_from_state"),
            models.Index(fields=["to_org", "state"], name="transfer_to_state"),
        ]
        constraints = [
            # "a member transferred twice": at most one open transfer per member
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(state__in=sorted(OPEN_STATES)),
                name="transfer_one_open_per_member",
            ),
            models.UniqueConstraint(
                fields=["letter_no"], condition=~Q(letter_no=""), name="transfer_letter_no_unique"
            ),
            models.CheckConstraint(
                condition=Q(to_org__isnull=False) | ~Q(to_name=""), name="transfer_has_receiver"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_name} 组织关系转接（{self.get_state_display()}）"

    @property
    def external(self) -> bool:
        """Whether the receiving organization is outside the platform."""
        return self.to_org_id is None

    @property
    def receiver_name(self) -> str:
        return self.to_org.name if self.to_org is not None else self.to_name

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES
