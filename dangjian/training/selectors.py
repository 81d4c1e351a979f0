"""Reads of training data, restricted to the acting user's subtree.

Courses: those whose organizer lies in the subtree (``Perm.TRAINING_VIEW``), or above it with a
participant from it (a branch sees the district's course its members attended, with its own
members only). Figures: any organization of the subtree. The hours of persons: only the
branch's own users (:func:`may_see_member_hours`), never an upper level.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import Actor, SystemActor, can, scope_prefix
from dangjian.members.models import Member
from dangjian.orgs.models import Organization

from .models import Course, Participant


def courses_for(actor: Actor, perm: Perm = Perm.TRAINING_VIEW) -> QuerySet[Course]:
    """Courses organized in the actor's subtree, or with a participant from it."""
    prefix = scope_prefix(actor, perm)
    qs = Course.objects.select_related("organizer").annotate(n_participants=Count("participants"))
    if prefix is None:
        return qs.none()
    if prefix == "":
        return qs
    mine = Participant.objects.filter(course=OuterRef("pk"), member__org__path__startswith=prefix)
    return qs.filter(Q(organizer__path__startswith=prefix) | Exists(mine))


def course_get(actor: Actor, pk: int, *, perm: Perm = Perm.TRAINING_VIEW) -> Course:
    course = courses_for(actor, perm).filter(pk=pk).first()
    if course is None:
        raise Http404("培训班不存在或不在您的管辖范围内")
    return course


def may_manage(actor: Actor, course: Course) -> bool:
    prefix = scope_prefix(actor, Perm.TRAINING_MANAGE)
    return prefix is not None and course.organizer.path.startswith(prefix)


def participants_of(actor: Actor, course: Course) -> QuerySet[Member]:
    """The course's participants the actor may see: all for the organizer's side, those of the
    actor's subtree for a branch below (names and branches only)."""
    qs = Member.objects.filter(training_participations__course=course).select_related("org")
    prefix = scope_prefix(actor, Perm.MEMBER_VIEW)
    if prefix is None:
        return qs.none()
    return qs.filter(org__path__startswith=prefix).order_by("org__path", "name", "pk")


def figure_org(actor: Actor, code: str) -> Organization:
    """The organization ``code`` of the actor's subtree whose figures are asked; 404 if not."""
    prefix = scope_prefix(actor, Perm.TRAINING_VIEW)
    org = Organization.objects.filter(code=code).first()
    if prefix is None or org is None or not org.path.startswith(prefix):
        raise Http404("组织不存在或不在您的管辖范围内")
    return org


def home_org(actor: Actor) -> Organization | None:
    """The organization whose figures the actor sees first: its own (the first root for the
    operator)."""
    org = getattr(actor, "org", None)
    if org is not None:
        return org
    return Organization.objects.filter(depth=1).order_by("path").first()


def may_see_member_hours(actor: Actor, org: Organization) -> bool:
    """The hours of persons are for the branch's own planning: a user bound to ``org`` itself
    who may see its members (the operator at the command line too); never an upper level."""
    if not org.is_branch:
        return False
    if isinstance(actor, SystemActor):
        return True
    return can(actor, Perm.MEMBER_VIEW) and getattr(actor, "org_id", None) == org.pk


def organizers_for(actor: Actor) -> QuerySet[Organization]:
    """Organizations the actor may enter courses for."""
    prefix = scope_prefix(actor, Perm.TRAINING_MANAGE)
    if prefix is None:
        return Organization.objects.none()
    return Organization.objects.filter(path__startswith=prefix).order_by("path")
