"""From database records to the checker's :class:`dangjian.recruit.checker.Case`, so the same
checker code serves the pages, the API, ``dangjian check --rules RECRUIT`` and the JSON command.

:func:`prefetched` is the queryset every caller uses (org, approver, steps, notices, reviews in a
constant number of queries); :func:`approver_flags` computes, for many approvers in one query,
whether each sits under a 乡镇/街道 党委; :func:`to_case` builds one checker case.

What the database knows and a JSON file may not: the political review (``none`` until recorded),
the probation extension (0 unless decided), the activist reviews (a list, possibly empty), the
expected leaving date (``None`` = not leaving). Contacts, introducers and votes come from the
details of steps 5, 9, 15 and 23; when such a step is recorded without them the rule concerned is
reported as not checked. After an extended probation, steps 22–24 are those of round 2.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet

from dangjian.orgs.models import Organization

from .authority import is_town_committee
from .checker import Case, Vote
from .models import Decision, RecruitCase, RecruitStep

CONVERSION_STEPS = (22, 23, 24)


def prefetched(qs: QuerySet[RecruitCase]) -> QuerySet[RecruitCase]:
    """``qs`` with everything :func:`to_case` reads (4 queries for any number of cases)."""
    return qs.select_related("org", "approver").prefetch_related(
        Prefetch("steps", queryset=RecruitStep.objects.order_by("number", "round")),
        "notices",
        "reviews",
    )


def approver_flags(approvers: Iterable[Organization]) -> dict[int, bool]:
    """approver id → whether a strict ancestor is a 乡镇/街道 党委 (one query for all)."""
    approvers = list({a.pk: a for a in approvers}.values())
    prefixes: set[str] = set()
    for org in approvers:
        step = org.steplen
        prefixes.update(org.path[:i] for i in range(step, len(org.path), step))
    towns: set[str] = set()
    if prefixes:
        for path, org_type, region, name in Organization.objects.filter(
            path__in=prefixes
        ).values_list("path", "org_type", "region_code", "name"):
            if is_town_committee(org_type, region, name):
                towns.add(path)
    return {
        org.pk: any(org.path.startswith(t) and org.path != t for t in towns) for org in approvers
    }


def current_steps(case: RecruitCase) -> dict[int, RecruitStep]:
    """number → the step in force: round 2 of steps 22–24 after an extension, else round 1."""
    steps = list(case.steps.all())
    extended = any(
        s.number == 24 and s.round == 1 and s.details.get("decision") == Decision.EXTENDED
        for s in steps
    )
    result: dict[int, RecruitStep] = {}
    for s in steps:
        if s.number in CONVERSION_STEPS:
            if s.round == (2 if extended else 1):
                result[s.number] = s
        elif s.round == 1:
            result[s.number] = s
    return result


def _vote(step: RecruitStep | None) -> Vote | None:
    if step is None or not isinstance(step.details.get("vote"), dict):
        return None
    v = step.details["vote"]
    try:
        return Vote(entitled=int(v["entitled"]), present=int(v["present"]), yes=int(v["yes"]))
    except (KeyError, TypeError, ValueError):
        return None


def _people(step: RecruitStep | None, key: str) -> list[dict[str, Any]] | None:
    if step is None or not isinstance(step.details.get(key), list):
        return None
    return [p for p in step.details[key] if isinstance(p, dict)]


def to_case(case: RecruitCase, under_town: Mapping[int, bool] | None = None) -> Case:
    """The checker's view of ``case`` (use a :func:`prefetched` queryset)."""
    steps = current_steps(case)
    contacts = _people(steps.get(5), "contacts")
    introducers = _people(steps.get(9), "introducers")
    approver = case.approver
    flags = under_town if under_town is not None else {}
    if approver is not None and approver.pk not in flags:
        flags = {**flags, **approver_flags([approver])}
    return Case(
        id=case.case_no,
        org=case.org.code,
        steps={n: s.done_on for n, s in steps.items()},
        birth_date=case.birth_date,
        contacts=len(contacts) if contacts is not None else None,
        introducers=[str(p.get("status", "full")) for p in introducers]
        if introducers is not None
        else None,
        political_review=case.political_review,
        training_hours=float(case.training_hours) if case.training_hours is not None else None,
        admission_vote=_vote(steps.get(15)),
        conversion_vote=_vote(steps.get(23)),
        approver=approver.code if approver else None,
        approver_type=approver.org_type if approver else None,
        approver_under_town=flags.get(approver.pk) if approver else None,
        publicity={n.kind: (n.first_day, n.last_day) for n in case.notices.all()},
        probation_extension_months=case.probation_extension_months,
        reviews=sorted(r.reviewed_on for r in case.reviews.all()),
        expected_leaving_on=case.expected_leaving_on,
        leaving_recorded=True,
        priority_group=case.priority_group,
    )


def to_cases(cases: Iterable[RecruitCase]) -> list[Case]:
    """Many cases at once (approver flags in one query)."""
    cases = list(cases)
    flags = approver_flags(c.approver for c in cases if c.approver is not None)
    return [to_case(c, flags) for c in cases]
