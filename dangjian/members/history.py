"""The history of the roll (:class:`~dangjian.members.models.RollEvent`) and of the posts
(:class:`~dangjian.members.models.PostTerm`): the writes the services make in their own
transaction, the dated reads ("the members of branch X on day D", "the committee of X on day D"),
and the backfill of records that predate the history.

A member is on the roll of an organization on day D when a span event (编入, 转入, 恢复党籍) of
that organization started on or before D and did not end by D (``ended_on`` empty or later). A
transfer on D ends the old span on D and starts the new one on D, so on D the member is counted
once, on the new roll; an 出党 or a death recorded from D ends the span on D (the standing in
force from D, :class:`~dangjian.members.models.MemberStatus`, takes the member off the roll).

The backfill (:func:`history_backfill`, run by migrations 0005 and 0006 and by the demo seed
after its bulk insert) knows only the current record, so it approximates: each member was put
on the roll of their *current* organization on their 入党日期 (earlier transfers are not known),
转正 on the 转正日期, each decided status on its dates (an 出党 or a death ends the span on its
start; one with an end date puts the member back on the same roll from then on), and a current
post began on the later of the 入党日期 and the organization's 本届任期开始日期.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import DateField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Greatest

from dangjian.orgs.models import Organization

from .choices import (
    COMMITTEE_POSTS,
    LEAVING,
    SPAN_KINDS,
    MemberType,
    Post,
    RollKind,
    leaving_event,
)
from .models import Member, MemberStatus, PostTerm, RollEvent

#: the kinds of the span events, in one fixed order (the partial index is declared with it)
SPANS = sorted(SPAN_KINDS)
#: the order of the posts on a committee list
POST_ORDER = [p.value for p in Post]


# --- writes (in the caller's transaction) --------------------------------------------------------


def open_span(member: Member) -> RollEvent | None:
    """The span the member is on now (locked), or ``None`` (out of the party, or no history)."""
    return (
        RollEvent.objects.select_for_update()
        .filter(member=member, kind__in=SPANS, ended_on__isnull=True)
        .order_by("-on", "-pk")
        .first()
    )


def roll_enter(
    member: Member, org_id: int, kind: str, on: dt.date, *, reason: str = "", link: str = ""
) -> RollEvent:
    """Put ``member`` on the roll of ``org_id`` from ``on``."""
    return RollEvent.objects.create(
        member=member, org_id=org_id, kind=kind, on=on, reason=reason[:200], link=link[:100]
    )


def roll_leave(
    member: Member, kind: str, on: dt.date, *, reason: str = "", link: str = ""
) -> RollEvent | None:
    """End the member's current span on ``on`` and record why (转出, 出党, 死亡) in the
    organization they leave. ``None`` when the member was on no roll."""
    span = open_span(member)
    if span is None:
        return None
    span.ended_on = max(on, span.on)
    span.save(update_fields=["ended_on"])
    return RollEvent.objects.create(
        member=member, org_id=span.org_id, kind=kind, on=on, reason=reason[:200], link=link[:100]
    )


def roll_note(
    member: Member, kind: str, on: dt.date, *, org_id: int | None = None, reason: str = "",
    link: str = "",
) -> RollEvent:  # fmt: skip
    """An event that does not change which roll the member is on (转正, 状态变更, 更正)."""
    return RollEvent.objects.create(
        member=member,
        org_id=org_id or member.org_id,
        kind=kind,
        on=on,
        reason=reason[:200],
        link=link[:100],
    )


def roll_rejoined(member: Member, old: dt.date, new: dt.date) -> str | None:
    """The 入党日期 moved from ``old`` to ``new``: the first 编入 span on ``old`` moves with it.
    Returns why it cannot (the member left that roll before ``new``), else ``None``."""
    first = (
        RollEvent.objects.select_for_update()
        .filter(member=member, kind=RollKind.JOINED, on=old)
        .order_by("pk")
        .first()
    )
    if first is None:
        return None
    if first.ended_on is not None and new >= first.ended_on:
        return f"入党日期不能晚于离开原党组织的日期 {first.ended_on.isoformat()}"
    first.on = new
    first.save(update_fields=["on"])
    return None


def roll_start(member: Member) -> dt.date | None:
    """The first day of the span the member is on now (a change of the roll cannot precede it)."""
    span = (
        RollEvent.objects.filter(member=member, kind__in=SPANS, ended_on__isnull=True)
        .order_by("-on")
        .values_list("on", flat=True)
        .first()
    )
    return span


def terms_close(member: Member, on: dt.date, *, org_id: int | None = None) -> int:
    """End the open terms of ``member`` (in ``org_id`` only, when given) on ``on``."""
    terms = PostTerm.objects.filter(member=member, ended_on__isnull=True)
    if org_id is not None:
        terms = terms.filter(org_id=org_id)
    return terms.update(ended_on=Greatest(F("started_on"), Value(on, output_field=DateField())))


def term_open(
    member: Member, org_id: int, post: str, on: dt.date, decided_by: str = ""
) -> PostTerm:
    return PostTerm.objects.create(
        member=member, org_id=org_id, post=post, started_on=on, decided_by=decided_by[:100]
    )


# --- reads ---------------------------------------------------------------------------------------


def spans_on(day: dt.date) -> Q:
    """The span events in force on ``day`` (a filter of :class:`RollEvent`)."""
    return Q(kind__in=SPANS, on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def roll_on(org: Organization | int, day: dt.date) -> QuerySet[Member]:
    """The members on the roll of ``org`` on ``day``: one query over the partial index
    ``roll_span_org_on`` (whatever the size of the history)."""
    org_id = org if isinstance(org, int) else org.pk
    spans = RollEvent.objects.filter(spans_on(day), org_id=org_id)
    return Member.objects.filter(pk__in=spans.values("member_id"))


def roll_on_many(org_ids: Iterable[int], day: dt.date) -> dict[int, list[Member]]:
    """The rolls of ``org_ids`` on ``day`` (org id → members by name), in one query."""
    ids = sorted(set(org_ids))
    result: dict[int, list[Member]] = {pk: [] for pk in ids}
    if not ids:
        return result
    rows = (
        RollEvent.objects.filter(spans_on(day), org_id__in=ids)
        .select_related("member")
        .order_by("org_id", "member__name", "member_id")
    )
    for span in rows:
        result[span.org_id].append(span.member)
    return result


def on_roll_at(day: Any) -> Exists:
    """Whether the member of the outer query (``OuterRef("member_id")``) was on a roll on ``day``
    (a date or an ``OuterRef``)."""
    return Exists(
        RollEvent.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
            member_id=OuterRef("member_id"),
            kind__in=SPANS,
            on__lte=day,
        )
    )


def terms_on(day: dt.date) -> Q:
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def committee_on(org: Organization | int, day: dt.date) -> list[PostTerm]:
    """The post holders of ``org`` on ``day`` (terms in force whose holder was a party member
    that day), secretary first; their ``member`` fetched. One query."""
    org_id = org if isinstance(org, int) else org.pk
    terms = (
        PostTerm.objects.filter(terms_on(day), org_id=org_id)
        .filter(on_roll_at(day))
        .select_related("member", "member__org")
    )
    return sorted(terms, key=lambda t: (POST_ORDER.index(t.post), t.member.name, t.pk))


def committee_size_on(org: Organization | int, day: dt.date) -> int:
    """How many held a 支委会 post (书记, 副书记, 委员 posts) in ``org`` on ``day``."""
    return sum(1 for t in committee_on(org, day) if t.post in COMMITTEE_POSTS)


def secretary_on(org: Organization | int, day: dt.date) -> PostTerm | None:
    """The 书记 of ``org`` on ``day``, if any."""
    return next((t for t in committee_on(org, day) if t.post == Post.SECRETARY), None)


def timeline(member: Member) -> list[dict[str, Any]]:
    """The member's life in the party in date order: roll events, decided statuses, posts."""
    items: list[dict[str, Any]] = []
    # a 状态变更 event repeats the status it notes (shown below with its end): left out here
    events = member.roll_events.exclude(kind=RollKind.STATUS).select_related("org")
    for e in events.order_by("on", "pk"):
        items.append(
            {
                "on": e.on,
                "kind": "roll",
                "title": e.get_kind_display(),
                "org": e.org.name,
                "org_id": e.org_id,
                "detail": e.reason,
                "until": e.ended_on,
            }
        )
    for s in member.statuses.order_by("started_on", "pk"):
        items.append(
            {
                "on": s.started_on,
                "kind": "status",
                "title": s.kind,
                "org": s.decided_by,
                "org_id": None,
                "detail": " ".join(x for x in (s.decision_no, s.reason) if x),
                "until": s.ends_on,
            }
        )
    for t in member.post_terms.select_related("org").order_by("started_on", "pk"):
        items.append(
            {
                "on": t.started_on,
                "kind": "post",
                "title": f"任{t.post}",
                "org": t.org.name,
                "org_id": t.org_id,
                "detail": t.decided_by,
                "until": t.ended_on,
            }
        )
    order = {"roll": 0, "status": 1, "post": 2}
    items.sort(key=lambda i: (i["on"], order[i["kind"]]))
    return items


# --- backfill ------------------------------------------------------------------------------------


def events_of(member: Member, statuses: Sequence[MemberStatus]) -> list[RollEvent]:
    """The approximate history of a member that has none (module docstring), unsaved."""
    events: list[RollEvent] = []
    span = RollEvent(member=member, org_id=member.org_id, kind=RollKind.JOINED, on=member.joined_on)
    events.append(span)
    current: RollEvent | None = span
    if member.confirmed_on is not None and member.confirmed_on > member.joined_on:
        events.append(
            RollEvent(
                member=member, org_id=member.org_id, kind=RollKind.CONFIRMED, on=member.confirmed_on
            )
        )
    for s in sorted(statuses, key=lambda s: (s.started_on, s.pk or 0)):
        link = f"status:{s.pk}"
        if s.kind not in LEAVING:
            events.append(
                RollEvent(
                    member=member,
                    org_id=member.org_id,
                    kind=RollKind.STATUS,
                    on=s.started_on,
                    reason=f"{s.kind}（{s.decided_by}）"[:200],
                    link=link,
                )
            )
            continue
        kind = leaving_event(s.kind)
        if current is not None:
            current.ended_on = max(s.started_on, current.on)
            current = None
        events.append(
            RollEvent(
                member=member,
                org_id=member.org_id,
                kind=kind,
                on=s.started_on,
                reason=f"{s.kind}（{s.decided_by}）"[:200],
                link=link,
            )
        )
        if s.ends_on is not None:
            current = RollEvent(
                member=member, org_id=member.org_id, kind=RollKind.RESTORED, on=s.ends_on, link=link
            )
            events.append(current)
    return events


def history_backfill(members: QuerySet[Member] | None = None) -> int:
    """Write the approximate history (module docstring) of the members that have no roll event
    yet, and a term for each current post without one. Returns the events written."""
    written = events_backfill(members)
    terms_backfill(members)
    return written


def events_backfill(members: QuerySet[Member] | None = None, *, batch: int = 2000) -> int:
    """The roll events of :func:`history_backfill` (migration 0005)."""
    qs = (members if members is not None else Member.objects.all()).order_by("pk")
    qs = qs.exclude(Exists(RollEvent.objects.filter(member_id=OuterRef("pk"))))
    written = 0
    last = 0
    while True:
        chunk = list(
            qs.filter(pk__gt=last).only("pk", "org_id", "joined_on", "confirmed_on")[:batch]
        )
        if not chunk:
            break
        last = chunk[-1].pk
        statuses: dict[int, list[MemberStatus]] = {}
        for s in MemberStatus.objects.filter(member_id__in=[m.pk for m in chunk]):
            statuses.setdefault(s.member_id, []).append(s)
        events = [e for m in chunk for e in events_of(m, statuses.get(m.pk, []))]
        RollEvent.objects.bulk_create(events, batch_size=1000)
        written += len(events)
    return written


def terms_backfill(members: QuerySet[Member] | None = None) -> int:
    """A term for each current post (``Member.post``) without an open term in the member's own
    organization, from the later of the 入党日期 and the 本届任期开始日期."""
    qs = members if members is not None else Member.objects.all()
    open_terms = PostTerm.objects.filter(
        member_id=OuterRef("pk"), org_id=OuterRef("org_id"), ended_on__isnull=True
    )
    rows = (
        qs.exclude(post="")
        .exclude(Exists(open_terms))
        .values_list("pk", "org_id", "post", "joined_on", "org__term_started_on")
    )
    terms = [
        PostTerm(
            member_id=pk,
            org_id=org_id,
            post=post,
            started_on=max(joined, term) if term else joined,
            decided_by="据党员名册补录",
        )
        for pk, org_id, post, joined, term in rows.iterator()
    ]
    PostTerm.objects.bulk_create(terms, batch_size=1000)
    return len(terms)


def post_start(member: Member, org: Organization) -> dt.date:
    """When a post entered with a member record (new member, import) is taken to begin: the
    later of the 入党日期 and the organization's 本届任期开始日期."""
    term = org.term_started_on
    return max(member.joined_on, term) if term else member.joined_on


def import_changes(changes: Sequence[tuple[int, int, str, str]], on: dt.date) -> None:
    """The history of the members a file changed (id, old branch, old post, old type), in
    bulk: a move is a transfer on ``on`` (the day of the import: the file has no effective
    date), a changed post ends the old term and starts the new one on ``on``, a 预备党员 made
    正式 is noted on the 转正日期."""
    if not changes:
        return
    old = {pk: (org_id, post, member_type) for pk, org_id, post, member_type in changes}
    members = Member.objects.in_bulk(list(old))
    moved = [m for pk, m in members.items() if m.org_id != old[pk][0]]
    events: list[RollEvent] = []
    if moved:
        spans = RollEvent.objects.filter(
            member_id__in=[m.pk for m in moved], kind__in=SPANS, ended_on__isnull=True
        )
        open_ids = set(spans.values_list("member_id", flat=True))
        spans.update(ended_on=Greatest(F("on"), Value(on, output_field=DateField())))
        for m in moved:
            if m.pk not in open_ids:
                continue  # out of the party: the record moves, no roll does
            events.append(
                RollEvent(
                    member=m,
                    org_id=old[m.pk][0],
                    kind=RollKind.TRANSFER_OUT,
                    on=on,
                    reason="导入调整",
                )
            )
            events.append(
                RollEvent(
                    member=m, org_id=m.org_id, kind=RollKind.TRANSFER_IN, on=on, reason="导入调整"
                )
            )
    retyped = [m for pk, m in members.items() if old[pk][2] != m.member_type == MemberType.FULL]
    events += [
        RollEvent(member=m, org_id=m.org_id, kind=RollKind.CONFIRMED, on=m.confirmed_on or on)
        for m in retyped
    ]
    RollEvent.objects.bulk_create(events, batch_size=1000)
    reposted = [m for pk, m in members.items() if m.org_id != old[pk][0] or m.post != old[pk][1]]
    ended = Q()
    for m in reposted:
        ended |= Q(member_id=m.pk, org_id=old[m.pk][0])
    if reposted:
        PostTerm.objects.filter(ended, ended_on__isnull=True).update(
            ended_on=Greatest(F("started_on"), Value(on, output_field=DateField()))
        )
    PostTerm.objects.bulk_create(
        [
            PostTerm(member=m, org_id=m.org_id, post=m.post, started_on=on, decided_by="导入")
            for m in reposted
            if m.post
        ],
        batch_size=1000,
    )
