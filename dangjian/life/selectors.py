"""Reads of meeting records, always restricted to the acting user's scope.

A record names members (minutes, attendance, lecturer): reading it needs ``Perm.MEMBER_VIEW``
(:data:`RECORD_READ`), so the 系统管理员, who sees organizations, sees no record (三员分立)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, scope_prefix
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from .models import Meeting

#: what reading a record of organizational life needs
RECORD_READ = Perm.MEMBER_VIEW


def meetings_for(actor: Actor, perm: Perm = RECORD_READ) -> QuerySet[Meeting]:
    """Every record of organizations the actor may use ``perm`` on."""
    prefix = scope_prefix(actor, perm)
    if prefix is None:
        return Meeting.objects.none()
    qs = Meeting.objects.select_related("org", "lecturer_org")
    if prefix:
        qs = qs.filter(org__path__startswith=prefix)
    return qs


def meeting_list(
    actor: Actor,
    *,
    org: Organization | None = None,
    subtree: bool = False,
    meeting_type: str = "",
    year: int | None = None,
) -> QuerySet[Meeting]:
    """Records in scope; ``org`` narrows to it (with ``subtree``, to everything below it too)."""
    qs = meetings_for(actor)
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path) if subtree else qs.filter(org=org)
    if meeting_type:
        from dangjian.life.rules import types_q

        qs = qs.filter(types_q([meeting_type]))
    if year is not None:
        qs = qs.filter(held_on__year=year)
    return qs.order_by("-held_on", "-pk")


def meeting_get(actor: Actor, pk: int, *, perm: Perm = RECORD_READ) -> Meeting:
    """The record ``pk`` if the actor may use ``perm`` on it; 404 otherwise (no existence leak)."""
    meeting = meetings_for(actor, perm).filter(pk=pk).first()
    if meeting is None:
        raise Http404("记录不存在或不在您的管辖范围内")
    return meeting


@dataclass
class Participation:
    """One member's attendance over a year: per month (1–12) present / absent counts."""

    member_id: int
    name: str
    post: str
    present: int = 0
    absent: int = 0
    excused: int = 0
    months: dict[int, tuple[int, int]] = field(default_factory=dict)

    @property
    def taken(self) -> int:
        return self.present + self.absent

    @property
    def rate(self) -> int | None:
        """Percentage of the meetings with attendance taken that the member attended."""
        return round(100 * self.present / self.taken) if self.taken else None

    def month_cells(self) -> list[tuple[int, int] | None]:
        return [self.months.get(m) for m in range(1, 13)]


def participation(actor: Actor, org: Organization, year: int) -> list[Participation]:
    """Attendance of every member on the branch's roll over ``year`` (Perm.MEMBER_VIEW):
    one grouped query over the attendance of the branch's and its 党小组's meetings. A
    临时党支部 has no roll: the members recorded at its meetings whom the actor may see."""
    from django.db.models import Count, Q
    from django.db.models.functions import ExtractMonth

    from dangjian.accounts.scope import covers
    from dangjian.members.selectors import members_for

    from .models import Attendance
    from .rules import good_reasons
    from .services import is_temporary, roll_org

    if not covers(actor, Perm.MEMBER_VIEW, org.path):
        raise Http404("组织不存在或不在您的管辖范围内")
    branch = roll_org(org)
    if branch is None:
        return []
    if is_temporary(branch):
        at_meetings = Attendance.objects.filter(
            meeting__org__path__startswith=branch.path, meeting__held_on__year=year
        ).values("member_id")
        roll = members_for(actor, Perm.MEMBER_VIEW).filter(pk__in=at_meetings)
        rows = Attendance.objects.filter(member__in=roll)
    else:
        roll = Member.objects.filter(org=branch)
        rows = Attendance.objects.filter(member__org=branch)
    people = {
        m.pk: Participation(m.pk, m.name, m.post) for m in roll.order_by("post", "name", "pk")
    }
    grouped = (
        rows.filter(
            meeting__held_on__year=year,
            meeting__org__path__startswith=branch.path,
        )
        .annotate(month=ExtractMonth("meeting__held_on"))
        .order_by()
        .values("member_id", "month")
        .annotate(
            here=Count("id", filter=Q(present=True)),
            away=Count("id", filter=Q(present=False)),
            excused=Count("id", filter=Q(present=False, reason__in=list(good_reasons()))),
        )
    )
    for row in grouped:
        item = people.get(row["member_id"])
        if item is None:
            continue
        item.present += row["here"]
        item.absent += row["away"]
        item.excused += row["excused"]
        item.months[row["month"]] = (row["here"], row["away"])
    return list(people.values())
