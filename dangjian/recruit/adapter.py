"""From database records to the checker's :class:`dangjian.recruit.case.Case`, so the same
checker code serves the pages, the API, ``dangjian check --rules RECRUIT`` and the JSON command.

:func:`prefetched` is the queryset every caller uses (org, approver, steps, notices, reviews in a
constant number of queries); :func:`approver_flags` computes, for many approvers in one query,
whether each sits under a 乡镇/街道 党委; :func:`to_case` builds one checker case.

:func:`load` is the bulk path for reads over a whole city (``check --rules RECRUIT``, the
assessment's indicators): the steps, notices and reviews are read as plain rows (4 queries, no
model instance per step and no per-case prefetch queryset), which is several times faster than
:func:`prefetched` for tens of thousands of cases. :func:`load_records` reads the cases
themselves as plain rows too (:class:`CaseRecord`, no model per case): the dashboard, the
approval queue and the "has findings" filter, which show counts and one page of cases.

What the database knows and a JSON file may not: the political review (``none`` until recorded),
the probation extension (0 unless decided), the activist reviews (a list, possibly empty), the
expected leaving date (``None`` = not leaving). Contacts, introducers and votes come from the
details of steps 5, 9, 15 and 23; when such a step is recorded without them the rule concerned is
reported as not checked. After an extended probation, steps 22–24 are those of round 2.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from django.db.models import Case as SqlCase
from django.db.models import F, JSONField, Prefetch, QuerySet, Value, When

from dangjian.orgs.models import Organization

from .authority import is_town_committee
from .case import APPROVAL_STEPS, Case, Vote
from .case import ApprovalExtension as Extension
from .models import (
    ActivistReview,
    ApprovalExtension,
    CaseStatus,
    Decision,
    RecruitCase,
    RecruitNotice,
    RecruitStep,
)

CONVERSION_STEPS = (22, 23, 24)
#: steps whose details the checker and the bulk reads use (contacts, introducers, votes,
#: decisions); :func:`load` leaves the details of the other steps empty
DETAIL_STEPS = (5, 9, 13, 15, 17, 23, 24)


def prefetched(qs: QuerySet[RecruitCase]) -> QuerySet[RecruitCase]:
    """``qs`` with everything :func:`to_case` reads (5 queries for any number of cases)."""
    return qs.select_related("org", "approver").prefetch_related(
        Prefetch("steps", queryset=RecruitStep.objects.order_by("number", "round")),
        "notices",
        "reviews",
        "extensions",
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


class StepLike(Protocol):
    @property
    def number(self) -> int: ...
    @property
    def round(self) -> int: ...
    @property
    def done_on(self) -> dt.date: ...
    @property
    def details(self) -> Any: ...


class StepRow(NamedTuple):
    """A step read as a plain row (:func:`load`); reads like :class:`RecruitStep`."""

    number: int
    round: int
    done_on: dt.date
    details: Any


class OrgRef(NamedTuple):
    """The organization of a :class:`CaseRecord`: what the checker and the pages read of it."""

    code: str
    name: str


@dataclass(slots=True)
class CaseRecord:
    """A case's own fields as one plain row (:func:`load_records`): what the checker, the stage
    and the deadlines read, without a model instance per case (the approver, one of a few
    committees, is a shared :class:`Organization`)."""

    pk: int
    case_no: str
    status: str
    org: OrgRef
    approver: Organization | None
    birth_date: dt.date | None
    political_review: str
    training_hours: Any
    probation_extension_months: int
    expected_leaving_on: dt.date | None
    priority_group: str
    ended_on: dt.date | None


#: the fields of a :class:`CaseRecord` after ``pk``, ``case_no`` and ``status``, as read
_RECORD_FIELDS = (
    "birth_date",
    "political_review",
    "training_hours",
    "probation_extension_months",
    "expected_leaving_on",
    "priority_group",
    "ended_on",
)

C = TypeVar("C", RecruitCase, CaseRecord)


@dataclass
class Loaded(Generic[C]):
    """One case with its records as plain rows (:func:`load`, :func:`load_records`)."""

    case: C
    steps: dict[int, StepRow]  # in force (see :func:`current_steps`)
    notices: dict[str, tuple[dt.date, dt.date]] = field(default_factory=dict)
    reviews: list[dt.date] = field(default_factory=list)
    extensions: dict[int, Extension] = field(default_factory=dict)

    def done(self, at: dt.date) -> dict[int, dt.date]:
        """number → date of the steps in force done by ``at``."""
        return {n: s.done_on for n, s in self.steps.items() if s.done_on <= at}


def load(qs: QuerySet[RecruitCase]) -> list[Loaded[RecruitCase]]:
    """The cases of ``qs`` (in its order) with their steps, notices, reviews and approval
    extensions (5 queries).

    Only the details of :data:`DETAIL_STEPS` are read (the talker and notes are not needed in
    bulk); use :func:`prefetched` for a page that shows a case's record."""
    return _with_records(list(qs.select_related("org", "approver")), qs)


def load_records(
    qs: QuerySet[RecruitCase], *, steps: Collection[int] | None = None
) -> list[Loaded[CaseRecord]]:
    """Like :func:`load`, with each case a :class:`CaseRecord` read as a plain row (6 queries):
    for the reads over a whole subtree that show only counts and a page of cases.

    ``steps`` (numbers) reads only those steps and no notices or reviews (4 queries): for a
    read that needs no checker, such as the approval queue."""
    rows = list(
        qs.values_list(
            "pk", "case_no", "status", "org__code", "org__name", "approver_id", *_RECORD_FIELDS
        )
    )
    approvers = Organization.objects.in_bulk({r[5] for r in rows if r[5] is not None})
    cases = [
        CaseRecord(
            r[0],
            r[1],
            r[2],
            OrgRef(r[3], r[4]),
            approvers.get(r[5]) if r[5] is not None else None,
            *r[6:],
        )
        for r in rows
    ]
    return _with_records(cases, qs, steps)


def _with_records(
    cases: list[C], qs: QuerySet[RecruitCase], numbers: Collection[int] | None = None
) -> list[Loaded[C]]:
    """``cases`` (those of ``qs``) with their steps, notices, reviews and extensions as rows;
    with ``numbers`` only those steps, and no notices or reviews."""
    ids = qs.order_by().values("pk")
    wanted = RecruitStep.objects.filter(case__in=ids)
    if numbers is not None:
        wanted = wanted.filter(number__in=list(numbers))
    # the details (JSON) only of the steps whose details are read (NULL for the others, in
    # the same query); decoding them for every step was a third of the time over a city
    details = SqlCase(
        When(number__in=DETAIL_STEPS, then=F("details")),
        default=Value(None),
        output_field=JSONField(),
    )
    steps: dict[int, list[StepRow]] = defaultdict(list)
    for case_id, number, rnd, done_on, detail in (
        wanted.order_by()
        .annotate(read=details)
        .values_list("case_id", "number", "round", "done_on", "read")
    ):
        steps[case_id].append(StepRow(number, rnd, done_on, detail or {}))
    notices: dict[int, dict[str, tuple[dt.date, dt.date]]] = defaultdict(dict)
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    # with ``numbers``, neither notices nor reviews (an empty set: no query)
    noted = ids.none() if numbers is not None else ids
    for case_id, kind, first, last in (
        RecruitNotice.objects.filter(case__in=noted)
        .order_by()
        .values_list("case_id", "kind", "first_day", "last_day")
    ):
        notices[case_id][kind] = (first, last)
    for case_id, day in (
        ActivistReview.objects.filter(case__in=noted)
        .order_by()
        .values_list("case_id", "reviewed_on")
    ):
        reviews[case_id].append(day)
    extension_rows: dict[int, list[Any]] = defaultdict(list)
    for row in ApprovalExtension.objects.filter(case__in=ids).order_by():
        extension_rows[row.case_id].append(row)
    loaded = []
    for c in cases:
        in_force = _in_force(sorted(steps.get(c.pk, []), key=lambda s: (s.number, s.round)))
        loaded.append(
            Loaded(
                c,
                in_force,
                notices.get(c.pk, {}),
                sorted(reviews.get(c.pk, [])),
                extensions_in_force(extension_rows.get(c.pk, []), in_force),
            )
        )
    return loaded


def extensions_in_force(rows: Iterable[Any], steps: Mapping[int, Any]) -> dict[int, Extension]:
    """decision step → the checker's extension, for the round of the steps in force."""
    found: dict[int, Extension] = {}
    for row in rows:
        vote = steps.get(APPROVAL_STEPS[row.step][0]) if row.step in APPROVAL_STEPS else None
        wanted = vote.round if vote is not None else 1
        if row.round == wanted:
            found[row.step] = Extension(months=row.months, approved_on=row.approved_on)
    return found


def loaded_to_cases(items: Iterable[Loaded[Any]]) -> list[Case]:
    """Checker cases for :func:`load` results (approver flags in one query)."""
    items = list(items)
    flags = approver_flags(i.case.approver for i in items if i.case.approver is not None)
    return [
        to_case(
            i.case,
            flags,
            steps=i.steps,
            notices=i.notices,
            reviews=i.reviews,
            extensions=i.extensions,
        )
        for i in items
    ]


def current_steps(case: RecruitCase) -> dict[int, RecruitStep]:
    """number → the step in force: round 2 of steps 22–24 after an extension, else round 1."""
    return _in_force(list(case.steps.all()))


def _in_force(steps: list[Any]) -> dict[int, Any]:
    extended = any(
        s.number == 24 and s.round == 1 and s.details.get("decision") == Decision.EXTENDED
        for s in steps
    )
    result: dict[int, Any] = {}
    for s in steps:
        if s.number in CONVERSION_STEPS:
            if s.round == (2 if extended else 1):
                result[s.number] = s
        elif s.round == 1:
            result[s.number] = s
    return result


def _vote(step: StepLike | None) -> Vote | None:
    if step is None or not isinstance(step.details.get("vote"), dict):
        return None
    v = step.details["vote"]
    try:
        return Vote(entitled=int(v["entitled"]), present=int(v["present"]), yes=int(v["yes"]))
    except (KeyError, TypeError, ValueError):
        return None


def _people(step: StepLike | None, key: str) -> list[dict[str, Any]] | None:
    if step is None or not isinstance(step.details.get(key), list):
        return None
    return [p for p in step.details[key] if isinstance(p, dict)]


def to_case(
    case: RecruitCase | CaseRecord,
    under_town: Mapping[int, bool] | None = None,
    *,
    steps: Mapping[int, StepLike] | None = None,
    notices: Mapping[str, tuple[dt.date, dt.date]] | None = None,
    reviews: list[dt.date] | None = None,
    extensions: Mapping[int, Extension] | None = None,
) -> Case:
    """The checker's view of ``case`` (use a :func:`prefetched` queryset, or pass the rows of
    :func:`load` as ``steps``, ``notices``, ``reviews`` and ``extensions``)."""
    if steps is None or notices is None or reviews is None or extensions is None:
        # a model's records, prefetched (a CaseRecord always comes with its rows)
        assert isinstance(case, RecruitCase)
        if steps is None:
            steps = current_steps(case)
        if notices is None:
            notices = {n.kind: (n.first_day, n.last_day) for n in case.notices.all()}
        if reviews is None:
            reviews = sorted(r.reviewed_on for r in case.reviews.all())
        if extensions is None:
            extensions = extensions_in_force(case.extensions.all(), steps)
    contacts = _people(steps.get(5), "contacts")
    introducers = _people(steps.get(9), "introducers")
    approver = case.approver
    flags = under_town if under_town is not None else {}
    if approver is not None and approver.pk not in flags:
        flags = {**flags, **approver_flags([approver])}
    reasons: dict[str, str] = {}
    if approver is None:
        reasons["RECRUIT-APPROVER-AUTHORITY"] = "尚未指定审批党委"
    if steps.get(5) is not None and contacts is None:
        reasons["RECRUIT-CONTACTS"] = "第 5 步记录中没有培养联系人"
    if steps.get(9) is not None and introducers is None:
        reasons["RECRUIT-INTRODUCERS"] = "第 9 步记录中没有入党介绍人"
    closed = case.status in (
        CaseStatus.NOT_ADMITTED,
        CaseStatus.WITHDRAWN,
        CaseStatus.PROBATION_CANCELLED,
    )
    return Case(
        id=case.case_no,
        org=case.org.code,
        steps={n: s.done_on for n, s in steps.items()},
        birth_date=case.birth_date,
        contacts=len(contacts) if contacts is not None else None,
        contact_statuses=[str(p.get("status", "full")) for p in contacts]
        if contacts is not None
        else None,
        introducers=[str(p.get("status", "full")) for p in introducers]
        if introducers is not None
        else None,
        political_review=case.political_review,
        training_hours=float(case.training_hours) if case.training_hours is not None else None,
        admission_vote=_vote(steps.get(15)),
        conversion_vote=_vote(steps.get(23)),
        approver=approver.code if approver else None,
        approver_name=approver.name if approver else None,
        approver_type=approver.org_type if approver else None,
        approver_under_town=flags.get(approver.pk) if approver else None,
        publicity=dict(notices),
        probation_extension_months=case.probation_extension_months,
        reviews=list(reviews),
        expected_leaving_on=case.expected_leaving_on,
        leaving_recorded=True,
        priority_group=case.priority_group,
        approval_extensions=dict(extensions),
        reasons=reasons,
        ended_on=case.ended_on if closed else None,
    )


def resolve_approvers(cases: Iterable[Case]) -> None:
    """For cases read from a file: an ``approver`` code that is an organization in the database
    gives the approver's type and whether it sits under a 乡镇/街道 党委 (one query for the
    organizations, one for their ancestors). What the file says (``approver_type``,
    ``approver_under_town``) wins. An unknown code, or a database that cannot be read, leaves the
    rule to the file's data, with the reason when it cannot be checked."""
    from django.db import DatabaseError

    pending = [
        c
        for c in cases
        if c.approver and (c.approver_type is None or c.approver_under_town is None)
    ]
    for case in cases:
        if not case.approver and case.approver_type is None:
            case.reasons["RECRUIT-APPROVER-AUTHORITY"] = "文件未给出审批组织（approver）及其类别"
    if not pending:
        return
    codes = sorted({c.approver for c in pending if c.approver})
    try:
        orgs = {o.code: o for o in Organization.objects.filter(code__in=codes)}
        flags = approver_flags(orgs.values())
    except DatabaseError:
        for case in pending:
            case.reasons["RECRUIT-APPROVER-AUTHORITY"] = (
                f"无法读取组织数据库，审批组织 {case.approver} 的类别未知；"
                "可在文件中填写 approver_type 和 approver_under_town"
            )
        return
    for case in pending:
        org = orgs.get(case.approver or "")
        if org is None:
            case.reasons["RECRUIT-APPROVER-AUTHORITY"] = (
                f"审批组织编码 {case.approver} 不是本系统中的组织，文件也未给出其类别"
                "（approver_type、approver_under_town）"
            )
            continue
        case.approver_name = org.name
        if case.approver_type is None:
            case.approver_type = org.org_type
        if case.approver_under_town is None:
            case.approver_under_town = flags.get(org.pk, False)


def to_cases(cases: Iterable[RecruitCase]) -> list[Case]:
    """Many cases at once (approver flags in one query)."""
    cases = list(cases)
    flags = approver_flags(c.approver for c in cases if c.approver is not None)
    return [to_case(c, flags) for c in cases]
