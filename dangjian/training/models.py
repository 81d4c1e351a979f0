"""Upper-level training courses (集中培训班) entered once by the organizer, with their participants.

The yearly study and training hours of a member are not stored: they are derived
(:mod:`dangjian.training.figures`) from the organizational-life records the member attended
(党课, 主题党日 …, hours per meeting type as a rule parameter) and from the courses here. A
course counts for the year of its last day (结业).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from dangjian.core.models import period_check
from dangjian.core.records import EnteredRecord


class Course(EnteredRecord):
    """A training course held by ``organizer`` (a 党委, 党工委 or any organization) from
    ``starts_on`` to ``ends_on`` for ``hours`` class hours (学时). Its participants are members
    of the organizer's subtree."""

    organizer = models.ForeignKey(
        "orgs.Organization",
        verbose_name="举办组织",
        on_delete=models.PROTECT,
        related_name="training_courses",
    )
    title = models.CharField("培训班名称", max_length=200)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1)
    note = models.CharField("备注", max_length=500, blank=True)

    class Meta:
        verbose_name = "培训班"
        verbose_name_plural = "培训班"
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["ends_on"], name="course_ends_on")]
        constraints = [
            period_check("starts_on", "ends_on", "course_ends_after_start", open_end=False),
            models.CheckConstraint(condition=Q(hours__gt=0), name="course_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.starts_on}—{self.ends_on}）"


class Participant(models.Model):
    """One member taking part in one course (counted once however often added)."""

    course = models.ForeignKey(
        Course, verbose_name="培训班", on_delete=models.CASCADE, related_name="participants"
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name="党员",
        on_delete=models.CASCADE,
        related_name="training_participations",
    )
    added_at = models.DateTimeField("添加时间", auto_now_add=True)

    class Meta:
        verbose_name = "参训党员"
        verbose_name_plural = "参训党员"
        constraints = [
            models.UniqueConstraint(fields=["course", "member"], name="participant_unique")
        ]
        indexes = [models.Index(fields=["member", "course"], name="participant_member")]

    def __str__(self) -> str:
        return f"{self.course_id} {self.member_id}"
