"""Keeping the findings store (:mod:`dangjian.rules.models`) up to date, and reading it.

**Refresh.** :func:`refresh` re-evaluates the findings of organizations through the runner
(:func:`dangjian.rules.runner.run_check`, as the command-line operator, who sees everything) and
writes the difference: a finding not stored yet is created (``first_seen``), one still found is
updated where its content changed and marked seen, one no longer found gets ``resolved_at``.
An organization's findings depend on its own records and on those of its subtree (its roll,
the members below it), never on the organizations beside or above it, so the unit of a refresh
is a subtree, evaluated as a whole in one transaction with bulk statements in batches: the
subtree of ``--org`` for the command; for the organizations a write touched, SETUP (whose
findings of an organization read the members of its subtree) over the whole tree they are in,
which is cheap, and LIFE (an organization's own records) over their subtrees only. The
checkers compute an organization's facts from its subtree's records today; once they read
the rollups, the touched organizations and their ancestors alone can be evaluated instead.
Refreshing twice changes nothing the second time.

**Triggers.** A write tells the store which organizations it touched (:func:`touched`): every
rollup write (:func:`dangjian.core.rollup.add_to_rows`, which every member, meeting and
organization-move write goes through) and every saved or deleted row that belongs to an
organization. The ids are collected per transaction and, once it commits, handed to a
django-tasks task (:data:`dangjian.rules.tasks.refresh_orgs_task`) — nothing is evaluated inside
the write. ``dangjian findings refresh`` and :data:`dangjian.rules.tasks.refresh_all_task`
(nightly, a period closed, a rule's parameters changed) refresh everything.

**Reading.** :func:`evaluation` says whether the store answers for a scope and a date (every
organization of the scope evaluated for that date, with the rule parameters in force now: each
evaluation records their digest, so a change of ``DANGJIAN_RULES`` sends the readers back to
the records until the next refresh, which then evaluates whole trees; and no write noted in the
scope since its evaluation, so a page never shows findings older than the records even when no
task worker runs) and as of when; :func:`open_rows` gives the open rows of a scope with the
pages' filters, for paging. ``DANGJIAN_FINDINGS_STORE`` (a
setting, on unless set false) switches the triggers and the readers on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any, Unpack

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, Exists, Max, Q, QuerySet
from django.db.models.functions import Substr
from django.db.models.signals import post_delete
from django.utils import timezone

from dangjian.accounts.roles import Perm
from dangjian.accounts.scope import SYSTEM, scope_prefix
from dangjian.core import rollup
from dangjian.core.scalars import first_value, read_at_once
from dangjian.orgs.choices import Sector
from dangjian.orgs.models import Organization
from dangjian.orgs.rollups import ancestor_paths, ids_by_path

from .models import OPEN, FindingCount, FindingsState, StoredFinding
from .registry import REGISTRY, SEVERITIES, Finding, family_of, rule_title
from .runner import CheckFilters, as_list, checked_families, run_check, subject_orgs

logger = logging.getLogger(__name__)

#: called with (the organizations evaluated: code → (id, path), the run's marks, the checking
#: date) in the transaction that stores the LIFE findings of a part (:func:`_write`); the LIFE
#: overview's counters (:mod:`dangjian.life.tally`) register here, as a domain app may not be
#: imported by the engine
Written = Callable[[Mapping[str, tuple[int, str]], Mapping[int, Any], dt.date], None]
WRITTEN: list[Written] = []


def on_written(func: Written, *derived: type[models.Model]) -> None:
    """Call ``func`` whenever the LIFE findings of organizations are stored (idempotent); the
    ``derived`` models are the rows it writes, which no write of the store is noted for."""
    if func not in WRITTEN:
        WRITTEN.append(func)
    DERIVED.update(derived)


#: the families kept in the store: SETUP and LIFE are about organizations; RECRUIT about
#: recruitment cases (kept under the case's branch, the case number as the subject key) and the
#: recruitment plans of organizations
STORED_FAMILIES = ("SETUP", "LIFE", "RECRUIT")
#: the families whose findings of an organization read its subtree (SETUP: the members below
#: it; RECRUIT: a plan's admissions below it); the others read the organization's own records
#: (LIFE: its meetings, its roll, the 党课 its secretary gave, recorded with ``lecturer_org``)
SUBTREE_FAMILIES = frozenset({"SETUP", "RECRUIT"})
#: the subject key of a finding whose subject is not an organization (a case number)
CASE_KEY = "case:"
#: rows per bulk statement
BATCH = 1000
#: organizations in one part of a refresh at most (a subtree evaluated in one run and committed
#: on its own): the memory a refresh takes follows its largest part, not the whole tree
CHUNK = 5000
#: content columns compared to decide whether a still-present finding is updated
CONTENT = ("severity", "message", "source", "evidence", "due_date", "org_path")

Key = tuple[str, int, str, str]
#: per thread: the organizations pending in the current transaction, whether paused
_local = threading.local()
STEP = Organization.steplen


def config_digest() -> str:
    """A digest of the local rule parameters (``settings.DANGJIAN_RULES``): stored with each
    evaluation, so a change of the parameters is seen by the readers and the next refresh."""
    config = getattr(settings, "DANGJIAN_RULES", None) or {}
    text = json.dumps(config, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def enabled() -> bool:
    """Whether the store is kept and read (``settings.DANGJIAN_FINDINGS_STORE``, default on)."""
    return bool(getattr(settings, "DANGJIAN_FINDINGS_STORE", True))


@contextmanager
def paused() -> Iterator[None]:
    """No refresh is queued for the writes inside (a seed writing a whole tier: refresh
    everything once afterwards instead)."""
    before = getattr(_local, "paused", False)
    _local.paused = True
    try:
        yield
    finally:
        _local.paused = before


def stored_families() -> list[str]:
    have = checked_families()
    return [f for f in STORED_FAMILIES if f in have]


# --- refresh ------------------------------------------------------------------------------------


@dataclass
class RefreshReport:
    """What one :func:`refresh` did."""

    at: dt.date
    subtrees: int = 0
    orgs: int = 0
    found: int = 0
    created: int = 0
    updated: int = 0
    resolved: int = 0
    skipped: int = 0
    seconds: float = 0.0


def topmost(paths: Iterable[str]) -> list[str]:
    """The paths of ``paths`` with no other of them above (a subtree covers those below)."""
    out: list[str] = []
    for path in sorted(set(paths)):
        if not out or not path.startswith(out[-1]):
            out.append(path)
    return out


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def refresh(
    org_ids: Iterable[int] | None = None,
    *,
    at: dt.date | None = None,
    since: dt.datetime | None = None,
    trees: bool = True,
    chunk: int | None = None,
) -> RefreshReport:
    """Re-evaluate the findings of the organizations ``org_ids`` touched by writes (all
    organizations when ``None``; without ``trees``, exactly the subtrees of ``org_ids``) for the
    checking date ``at`` (today) and store the difference (module docstring).

    For touched organizations (``trees``): every family over the subtrees of the touched
    organizations; the families that read the subtree (SETUP: the roll of the subtree; RECRUIT:
    a plan's admissions below) also for the organizations above them, alone, with the members
    the last evaluation counted in their other children's subtrees (:func:`_above`; over the
    whole tree when one of those was never counted); the whole tree when its organizations
    were evaluated for another date. With ``since`` (when the refresh
    was asked for), an organization evaluated for ``at`` after that moment is not evaluated
    again (a queue of refreshes after a burst of writes; strictly after: the same instant may
    still precede the write). Each subtree is evaluated in parts of at most ``chunk``
    organizations (:data:`CHUNK`), each committed on its own (:func:`plan_chunks`)."""
    started = time.perf_counter()
    at = at or timezone.localdate()
    report = RefreshReport(at=at)
    families = stored_families()
    config = config_digest()
    # (subtree, families, whether the pass records the organizations as evaluated: not the
    # tree-wide pass of some families only, which precedes the passes of the others)
    passes: list[tuple[str, list[str], bool]] = []
    # (the organizations above touched subtrees and their children, families, record): the
    # families that read the subtree, evaluated for those organizations alone (:func:`_above`)
    parts: list[tuple[tuple[list[str], list[str]], list[str], bool]] = []
    if org_ids is None:
        passes = [("", families, True)]
    else:
        ids = sorted(set(org_ids))
        paths: list[str] = []
        for batch in _chunks(ids):
            rows = Organization.objects.filter(pk__in=batch)
            if since is not None:
                fresh = FindingsState.objects.filter(
                    org_id__in=batch, at=at, evaluated_at__gt=since
                ).values_list("org_id", flat=True)
                rows = rows.exclude(pk__in=list(fresh))
            paths.extend(rows.values_list("path", flat=True))
        if not trees:
            passes = [(path, families, True) for path in topmost(paths)]
        else:
            tree_wide = [f for f in families if f in SUBTREE_FAMILIES]
            own = [f for f in families if f not in SUBTREE_FAMILIES]
            for root in topmost(path[:STEP] for path in paths):
                stale = (
                    FindingsState.objects.filter(org_path__startswith=root)
                    .exclude(at=at, config=config)
                    .exclude(at=dt.date.min)  # a new organization's state (_mark_dirty)
                )
                evaluated = FindingsState.objects.filter(org_path=root).exclude(at=dt.date.min)
                if stale.exists() or not evaluated.exists():
                    passes.append((root, families, True))
                    continue
                # every family over the touched subtrees; those that read the subtree also
                # for the organizations above them, alone (their other subtrees unchanged)
                tops = topmost(p for p in paths if p.startswith(root))
                passes.extend((path, families, True) for path in tops)
                plan = _above(tops) if tree_wide else None
                if plan is not None:
                    parts.append((plan, tree_wide, not own))
    for prefix, wanted, record in passes:
        _refresh_subtree(prefix, at, report, wanted, record=record, chunk=chunk)
    for (above, children), wanted, record in parts:
        # after the subtrees' passes: the members they counted are on their states now
        below = _counted_below(children)
        if below is None:  # a subtree never counted: the families over the whole tree
            _refresh_subtree(above[0][:STEP], at, report, wanted, record=record, chunk=chunk)
            continue
        for top in topmost(above):
            paths = [p for p in above if p.startswith(top)]
            counted = {p: n for p, n in below.items() if p.startswith(top)}
            n = _refresh_part(top, paths, counted, at, report, wanted, record=record)
            report.orgs += n
    report.subtrees = len(passes) + len(parts)
    if org_ids is None:
        _analyze()
    report.seconds = time.perf_counter() - started
    return report


def _analyze() -> None:
    """After a refresh of everything, PostgreSQL's statistics of the store's tables: a first
    refresh writes millions of rows the planner has not seen yet, and with the statistics of
    an empty table it joins them all (seconds) where an index reads a few (the next refresh of
    a write's subtree; autovacuum would come to it later)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in (StoredFinding, FindingsState):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _above(tops: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """For touched subtrees ``tops`` (topmost paths of one tree): the paths of the
    organizations above them (whose SETUP facts count the members below, and whose RECRUIT
    plans the admissions below) and of those organizations' other children, whose subtrees'
    members the last evaluation counted (:attr:`FindingsState.members`); ``None`` when there
    is nothing above (a tree's root was touched)."""
    above = sorted({top[:end] for top in tops for end in range(STEP, len(top), STEP)})
    if not above:
        return None
    wanted = set(above)
    under = Q()
    for path in above:
        under |= Q(path__startswith=path, depth=len(path) // STEP + 1)
    children = Organization.objects.order_by().filter(under).values_list("path", flat=True)
    return above, [p for p in children if p not in wanted]


def _counted_below(children: list[str]) -> dict[str, int] | None:
    """path → the members the last evaluation counted in the subtree of each of ``children``
    (the touched subtrees were just evaluated); ``None`` when one was never counted."""
    below: dict[str, int] = {}
    for batch in _chunks(children):
        rows = FindingsState.objects.filter(org_path__in=batch).values_list("org_path", "members")
        below.update({path: n for path, n in rows if n is not None})
    if len(below) < len(children):
        return None
    return below


#: evidence entries that name what a finding is about below its organization (the member of a
#: LIFE-ABSENT-6-MONTHS finding …): the subject key, so each such finding is a row of its own
SUBJECT_KEYS = ("member_id", "meeting_id", "case_no")


def subject_key(f: Finding) -> str:
    """The stable key of what ``f`` is about below its organization ("" for the organization
    itself): the first of :data:`SUBJECT_KEYS` in its evidence, as ``name:value``."""
    for name in SUBJECT_KEYS:
        value = f.evidence.get(name) if isinstance(f.evidence, dict) else None
        if value not in (None, ""):
            return f"{name.split('_')[0]}:{value}"[:64]
    return ""


def _key_of(f: Finding, org_id: int, case: bool = False) -> Key:
    key = f"{CASE_KEY}{f.subject}"[:64] if case else subject_key(f)
    return (f.rule, org_id, key, f.period or "")


def _digest(f: Finding) -> str:
    text = json.dumps([f.message, f.evidence], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _subject_orgs(
    findings: list[Finding], by_code: dict[str, tuple[int, str]]
) -> dict[str, tuple[int, str]]:
    """The subjects of ``findings`` that are not organizations (case numbers) → the id and
    path of the organization of the part each belongs to."""
    by_family: dict[str, set[str]] = {}
    for f in findings:
        if f.subject not in by_code:
            by_family.setdefault(family_of(f.rule), set()).add(f.subject)
    paths = {pk: path for pk, path in by_code.values()}
    found: dict[str, tuple[int, str]] = {}
    for family, subjects in by_family.items():
        for subject, org_id in subject_orgs(family, sorted(subjects)).items():
            if org_id in paths:
                found[subject] = (org_id, paths[org_id])
    return found


@dataclass
class _Part:
    """One piece of a refresh, evaluated and written in a transaction of its own: its
    organizations (code → id, path), and how its stored rows and states are selected."""

    orgs: dict[str, tuple[int, str]]
    #: the part's open stored rows (through the organizations' current paths) and its states
    rows: Q
    states: Q


def plan_chunks(prefix: str, size: int) -> tuple[list[str], list[str]]:
    """Split the subtree ``prefix`` ("" for every tree) into the roots of subtrees of at most
    ``size`` organizations, each evaluated on its own, and the organizations above them
    (subtrees larger than ``size``) with their children that have no children of their own,
    evaluated together once the subtrees below them are (their SETUP facts add the members the
    subtrees counted). Reads the paths of the subtree once."""
    orgs = Organization.objects.order_by("path")
    if prefix:
        orgs = orgs.filter(path__startswith=prefix)
    paths: list[str] = list(orgs.values_list("path", flat=True).iterator(chunk_size=10000))
    sizes: dict[str, int] = {}
    top = max(len(prefix), STEP)
    for path in paths:
        for end in range(top, len(path) + 1, STEP):
            sizes[path[:end]] = sizes.get(path[:end], 0) + 1
    roots: list[str] = []
    upper: list[str] = []
    above: set[str] = set()
    for path in paths:
        if roots and path.startswith(roots[-1]):
            continue
        if sizes[path] > size or (sizes[path] == 1 and path[:-STEP] in above):
            # above the subtrees, or a leaf below them: evaluated with them
            upper.append(path)
            above.add(path)
        else:
            roots.append(path)
    return roots, upper


def _refresh_subtree(
    prefix: str,
    at: dt.date,
    report: RefreshReport,
    families: list[str],
    *,
    record: bool = True,
    chunk: int | None = None,
) -> None:
    """Evaluate the subtree ``prefix`` part by part (:func:`plan_chunks`, ``chunk``
    organizations at most: :data:`CHUNK`), each part committed on its own, so the memory a
    refresh takes follows its largest part; the findings are those of one run over the whole
    subtree."""
    if not families:
        return
    roots, upper = plan_chunks(prefix, chunk or CHUNK)
    if not roots and not upper:
        return  # deleted meanwhile
    evaluated = 0
    below: dict[str, int] = {}
    for root in roots:
        orgs = _orgs_under(Q(path__startswith=root))
        code = next((c for c, (_pk, path) in orgs.items() if path == root), None)
        if code is None:
            continue  # deleted meanwhile
        began = timezone.now()
        result = run_check(SYSTEM, rules=families, org_code=code, at=at, marks=True)
        below[root] = result.members
        # the rows through the organizations' ids (a semi-join along the path index, then the
        # rows' organization index), not a join of every open row to its organization's path
        under = Organization.objects.filter(path__startswith=root).values("pk")
        part = _Part(orgs, Q(org_id__in=under), Q(org_path__startswith=root))
        _write(part, result, began, at, report, families, record=record)
        evaluated += len(orgs)
    for top in topmost(upper):
        paths = [p for p in upper if p.startswith(top)]
        counted = {root: n for root, n in below.items() if root.startswith(top)}
        evaluated += _refresh_part(top, paths, counted, at, report, families, record=record)
    report.orgs = max(report.orgs, evaluated)


def _members_of(result: Any, families: Sequence[str]) -> dict[str, int] | None:
    """code → the subtree's members of the organizations a run with SETUP evaluated (their
    facts); ``None`` when SETUP was not among ``families`` (nothing counted)."""
    if "SETUP" not in families:
        return None
    return {
        code: int(facts.subtree_members)
        for code, facts in result.facts.items()
        if hasattr(facts, "subtree_members")
    }


def _refresh_part(
    top: str,
    paths: list[str],
    below: dict[str, int],
    at: dt.date,
    report: RefreshReport,
    families: list[str],
    *,
    record: bool,
) -> int:
    """Evaluate the organizations at ``paths`` (``top`` the highest of them) on their own
    rolls, with the members of the subtrees below them that are not evaluated here
    (``below``: path → members); how many organizations were evaluated."""
    orgs = _orgs_under(Q(path__in=paths))
    code = next((c for c, (_pk, path) in orgs.items() if path == top), None)
    if code is None:
        return 0
    ids = [pk for pk, _path in orgs.values()]
    began = timezone.now()
    result = run_check(
        SYSTEM,
        rules=families,
        org_code=code,
        at=at,
        cache={"part": {"ids": ids, "paths": paths, "below": below}},
        marks=True,
    )
    part = _Part(orgs, Q(org_id__in=ids), Q(org_id__in=ids))
    _write(part, result, began, at, report, families, record=record)
    return len(orgs)


# --- open findings by rule: the counts of each subtree -------------------------------------------

#: the key of a :class:`FindingCount` row
COUNT_KEY = ["org_id", "rule", "severity"]
COUNT_COLUMN = "sub_findings"


def _count(into: dict[tuple[int, str, str], int], key: tuple[int, str, str], change: int) -> None:
    into[key] = into.get(key, 0) + change


def _add_counts(own: Mapping[tuple[int, str, str], int], paths: Mapping[int, str]) -> None:
    """Add the changes of organizations' own open findings (organization id, rule, severity →
    change; ``paths``: id → path) to the counts of each and of every organization above it, in
    the caller's transaction (:func:`dangjian.core.rollup.add_to_rows`: subtree totals only, so
    the store's own listener queues no refresh for them)."""
    wanted = {key: n for key, n in own.items() if n}
    if not wanted:
        return
    ids = ids_by_path(p for org_id, _r, _s in wanted for p in ancestor_paths(paths[org_id]))
    deltas: rollup.Deltas = {}
    for (org_id, rule, severity), n in wanted.items():
        for path in ancestor_paths(paths[org_id]):
            above = ids.get(path)
            if above is not None:
                rollup.merge(deltas, (above, rule, severity), COUNT_COLUMN, n)
    rollup.add_to_rows(FindingCount, COUNT_KEY, deltas)


def _own_counts(rows: QuerySet[StoredFinding]) -> dict[tuple[int, str, str], int]:
    """(organization id, rule, severity) → number of the open ``rows`` (one grouped query)."""
    grouped = rows.filter(OPEN).order_by().values("org_id", "rule", "severity")
    return {
        (org_id, rule, severity): int(n)
        for org_id, rule, severity, n in grouped.annotate(n=Count("pk")).values_list(
            "org_id", "rule", "severity", "n"
        )
    }


def counts_moved(org_id: int, old_path: str, new_path: str) -> None:
    """The subtree of ``org_id`` moved from ``old_path`` to ``new_path``: its counts leave the
    organizations above the old place and join those above the new one."""
    moved = {
        (rule, severity): n
        for rule, severity, n in FindingCount.objects.filter(org_id=org_id).values_list(
            "rule", "severity", COUNT_COLUMN
        )
        if n
    }
    if not moved:
        return
    old, new = ancestor_paths(old_path)[:-1], ancestor_paths(new_path)[:-1]
    ids = ids_by_path(old + new)
    deltas: rollup.Deltas = {}
    for paths, sign in ((old, -1), (new, 1)):
        for path in paths:
            if path in ids:
                for (rule, severity), n in moved.items():
                    rollup.merge(deltas, (ids[path], rule, severity), COUNT_COLUMN, sign * n)
    rollup.add_to_rows(FindingCount, COUNT_KEY, deltas)


def org_deleting(sender: Any, instance: Any, **kwargs: Any) -> None:
    """``pre_delete`` of an organization (before any row of a deleted subtree is): its own open
    findings leave the counts of every organization above it. Each organization of a deleted
    subtree takes its own away, so those above the subtree lose its whole count once."""
    if not isinstance(instance, Organization) or not instance.pk:
        return
    own = _own_counts(StoredFinding.objects.filter(org_id=instance.pk))
    if own:
        _add_counts({key: -n for key, n in own.items()}, {instance.pk: instance.path})


def _depths(org: Organization | None) -> range:
    """The depths of the organizations of ``org``'s subtree (of every tree with ``None``)."""
    orgs = Organization.objects.order_by()
    if org is not None:
        orgs = orgs.filter(path__startswith=org.path)
    deepest = orgs.aggregate(deepest=Max("depth"))["deepest"] or 0
    return range(org.depth if org is not None else 1, deepest + 1)


def _grouped_at(org: Organization | None, depth: int) -> Iterator[tuple[int, str, str, int]]:
    """(organization id, rule, severity, open findings) of the organizations at ``depth`` of
    ``org``'s subtree, from the open stored rows: one grouped query by the rows'
    organizations' paths cut at that depth, streamed (no Python pass over every finding, no
    list of every count, whatever the size of the tree)."""
    orgs = Organization.objects.filter(depth=depth).order_by()
    rows = StoredFinding.objects.filter(OPEN, org__depth__gte=depth).order_by()
    if org is not None:
        orgs = orgs.filter(path__startswith=org.path)
        rows = rows.filter(org__path__startswith=org.path)
    ids = dict(orgs.values_list("path", "pk").iterator(chunk_size=10000))
    grouped = (
        rows.annotate(above=Substr("org__path", 1, STEP * depth))
        .values("above", "rule", "severity")
        .annotate(n=Count("pk"))
        .values_list("above", "rule", "severity", "n")
    )
    for above, rule, severity, n in grouped.iterator(chunk_size=10000):
        if above in ids:
            yield ids[above], rule, severity, int(n)


def _expected_at(org: Organization | None, depth: int) -> rollup.Deltas:
    return {
        (org_id, rule, severity): {COUNT_COLUMN: n}
        for org_id, rule, severity, n in _grouped_at(org, depth)
    }


def _stored_at(org: Organization | None, depth: int) -> rollup.Deltas:
    rows = FindingCount.objects.filter(org__depth=depth)
    if org is not None:
        rows = rows.filter(org__path__startswith=org.path)
    return rollup.stored_rows(rows, COUNT_KEY, [COUNT_COLUMN])


def counts_rebuild(org: Organization | None = None) -> int:
    """Recompute the counts of ``org``'s subtree (every organization with ``None``) from the
    open stored rows, a depth of the tree at a time; the number of rows written."""
    written = 0
    with transaction.atomic():
        rows = FindingCount.objects.all()
        if org is not None:
            rows = rows.filter(org__path__startswith=org.path)
        rows.delete()
        for depth in _depths(org):
            batch: list[FindingCount] = []
            for org_id, rule, severity, n in _grouped_at(org, depth):
                batch.append(
                    FindingCount(org_id=org_id, rule=rule, severity=severity, sub_findings=n)
                )
                if len(batch) >= BATCH:
                    FindingCount.objects.bulk_create(batch)
                    written += len(batch)
                    batch = []
            FindingCount.objects.bulk_create(batch)
            written += len(batch)
    return written


def counts_differences(org: Organization | None = None) -> list[str]:
    """The counts that differ from a recount (Chinese lines, for ``dangjian rollups check``)."""
    out: list[str] = []
    for depth in _depths(org):
        expected, stored = _expected_at(org, depth), _stored_at(org, depth)
        for key in sorted(set(expected) | set(stored)):
            want = expected.get(key, {}).get(COUNT_COLUMN, 0)
            have = stored.get(key, {}).get(COUNT_COLUMN, 0)
            if want != have:
                out.append(
                    f"检查发现汇总：组织 {key[0]} 规则 {rule_title(key[1])}（{key[2]}）"
                    f"汇总 {have}，按记录应为 {want}"
                )
    return out


def _orgs_under(where: Q) -> dict[str, tuple[int, str]]:
    rows = Organization.objects.order_by().filter(where).values_list("code", "pk", "path")
    return {code: (pk, path) for code, pk, path in rows}


def _write(
    part: _Part,
    result: Any,
    now: dt.datetime,
    at: dt.date,
    report: RefreshReport,
    families: list[str],
    *,
    record: bool = True,
) -> None:
    """Store the difference between the findings of ``result`` (a run over ``part``'s
    organizations, evaluated from ``now`` on) and the part's open rows of ``families``, in one
    transaction; with SETUP among them, the subtree's members it counted on the states."""
    findings: list[Finding] = result.findings
    members = _members_of(result, families)
    by_code = part.orgs
    others = _subject_orgs(findings, by_code)
    found: dict[Key, tuple[Finding, str]] = {}
    for f in findings:
        org = by_code.get(f.subject) or others.get(f.subject)
        if org is None:
            report.skipped += 1
            logger.warning("finding %s about %s: no such organization", f.rule, f.subject)
            continue
        key = _key_of(f, org[0], f.subject in others)
        if key in found:
            # another finding of the rule for the same subject and period (a plan's priority
            # groups, a case's votes): told apart by its content
            key = (*key[:2], f"{key[2]}#{_digest(f)}"[-64:], key[3])
        if key in found:
            report.skipped += 1
            logger.warning("finding %s of %s for %s found twice", f.rule, f.subject, f.period)
            continue
        found[key] = (f, org[1])
    report.found += len(found)
    with transaction.atomic():
        stored = StoredFinding.objects.filter(OPEN).order_by().filter(part.rows)
        stored = stored.filter(family__in=families)
        to_update: list[StoredFinding] = []
        gone: list[int] = []
        seen: set[Key] = set()
        # (organization id, rule, severity) → change of its open findings; the paths of the
        # organizations, for the counts of those above (:func:`_add_counts`)
        counts: dict[tuple[int, str, str], int] = {}
        paths = {pk: path for pk, path in by_code.values()}
        for row in stored.only("id", "rule", "org_id", "subject_key", "period", *CONTENT):
            key = (row.rule, row.org_id, row.subject_key, row.period)
            hit = found.get(key)
            paths.setdefault(row.org_id, row.org_path)
            if hit is None:
                gone.append(row.pk)
                _count(counts, (row.org_id, row.rule, row.severity), -1)
                continue
            seen.add(key)
            f, path = hit
            if f.severity != row.severity:
                _count(counts, (row.org_id, row.rule, row.severity), -1)
                _count(counts, (row.org_id, row.rule, f.severity), 1)
            new = {
                "severity": f.severity,
                "message": f.message,
                "source": f.source,
                "evidence": f.evidence,
                "due_date": f.due_date,
                "org_path": path,
            }
            if any(getattr(row, name) != value for name, value in new.items()):
                for name, value in new.items():
                    setattr(row, name, value)
                to_update.append(row)
        for chunk in _chunks(gone):
            StoredFinding.objects.filter(pk__in=chunk).update(resolved_at=now)
        for chunk in _chunks(to_update):
            StoredFinding.objects.bulk_update(chunk, list(CONTENT))
        # every open row of the subtree (the updated ones included) was seen for ``at``: the
        # rows seen for an earlier date take the date and the time (a refresh later the same
        # day writes no row that did not change; FindingsState has each evaluation's time)
        stored.exclude(at=at).update(at=at, last_seen=now)
        new_rows = [
            StoredFinding(
                rule=f.rule,
                family=family_of(f.rule),
                org_id=key[1],
                org_path=path,
                subject_key=key[2],
                period=key[3],
                severity=f.severity,
                message=f.message,
                source=f.source,
                evidence=f.evidence,
                due_date=f.due_date,
                at=at,
                first_seen=now,
                last_seen=now,
            )
            for key, (f, path) in found.items()
            if key not in seen
        ]
        StoredFinding.objects.bulk_create(new_rows, batch_size=BATCH)
        for new_row in new_rows:
            paths.setdefault(new_row.org_id, new_row.org_path)
            _count(counts, (new_row.org_id, new_row.rule, new_row.severity), 1)
        _add_counts(counts, paths)
        counted = members or {}
        if not record:
            states = []
            FindingsState.objects.bulk_update(
                [
                    FindingsState(org_id=pk, members=counted[code])
                    for code, (pk, _path) in by_code.items()
                    if code in counted
                ],
                ["members"],
                batch_size=BATCH,
            )
        else:
            states = [
                FindingsState(
                    org_id=pk,
                    org_path=path,
                    at=at,
                    evaluated_at=now,
                    config=config_digest(),
                    members=counted.get(code),
                )
                for code, (pk, path) in by_code.items()
            ]
        FindingsState.objects.bulk_create(
            states,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["org"],
            update_fields=["org_path", "at", "evaluated_at", "config"]
            + (["members"] if members is not None else []),
        )
        if record and "LIFE" in families and result.marks is not None:
            for listener in WRITTEN:
                listener(by_code, result.marks, at)
        if record:
            # the writes noted before this evaluation began are in it; a later one stays noted
            FindingsState.objects.filter(part.states, dirty_since__lte=now).update(dirty_since=None)
            _local.marked = set()  # a write after this in the same transaction notes again
    report.created += len(new_rows)
    report.updated += len(to_update)
    report.resolved += len(gone)


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """The store's answer for a scope: its checking date and when its organizations were
    evaluated (the oldest and the newest evaluation)."""

    at: dt.date
    oldest: dt.datetime
    newest: dt.datetime


def evaluation(prefix: str, at: dt.date | None = None) -> Evaluation | None:
    """The evaluation the store holds for the subtree ``prefix`` when every organization of it
    was evaluated for ``at`` (today when ``None``) with the rule parameters in force now;
    ``None`` when the store cannot answer (off, an organization not evaluated yet, evaluated
    for another date or with other parameters, or changed by a write since: see
    :func:`touched`). A fixed number of index reads in one statement, whatever the size of the
    subtree: every organization has a state from its first write on (:func:`_mark_dirty` adds
    one, noted; organizations added in bulk without a write's signal have higher ids than every
    state),
    so "not evaluated for ``at``" is a state of the subtree that is noted, or for another date
    or parameters (indexed columns), and the oldest and newest evaluation are the first rows
    of the subtree along the ``evaluated_at`` index."""
    if not enabled():
        return None
    at = at or timezone.localdate()
    config = config_digest()
    states = FindingsState.objects.order_by()
    if prefix:
        states = states.filter(org_path__startswith=prefix)
    other = (
        Q(dirty_since__isnull=False)
        | Q(at__lt=at)
        | Q(at__gt=at)
        | Q(config__lt=config)
        | Q(config__gt=config)
    )
    times = states.values("evaluated_at")
    read = read_at_once(
        top_org=first_value(Organization.objects.order_by("-pk").values("pk")),
        top_state=first_value(FindingsState.objects.order_by("-org").values("org_id")),
        other=Exists(states.filter(other)),
        oldest=first_value(times.order_by("evaluated_at")),
        newest=first_value(times.order_by("-evaluated_at")),
    )
    top_org, top_state = read["top_org"], read["top_state"]
    if top_state is None or top_org is None or top_org > top_state or read["other"]:
        return None
    oldest, newest = read["oldest"], read["newest"]
    if oldest is None or newest is None:
        return None
    return Evaluation(at=at, oldest=oldest, newest=newest)


def version() -> list[Any]:
    """What changes when a write notes organizations (:func:`touched`) or organizations are
    added: the latest note and the highest organization id (two index reads, one statement), for the
    pages' cache key while the store is on (:mod:`dangjian.web.cached`)."""
    noted = FindingsState.objects.order_by("-dirty_since").filter(dirty_since__isnull=False)
    read = read_at_once(
        noted=first_value(noted.values("dirty_since")),
        top_org=first_value(Organization.objects.order_by("-pk").values("pk")),
    )
    return [read["noted"], read["top_org"]]


def open_rows(
    prefix: str,
    *,
    families: Sequence[str] = ("SETUP",),
    rule_ids: Iterable[str] | None = None,
    severity: Iterable[str] | None = None,
    sector: str | None = None,
    region: str | None = None,
    labelled: bool = True,
) -> QuerySet[StoredFinding]:
    """The open stored findings of the subtree ``prefix`` with the pages' filters (indexed:
    path prefix, rule, severity, family); ``labelled``: in tree order (path, rule, period),
    each with its organization's code and name (``org_code``, ``org_name``)."""
    rows = StoredFinding.objects.filter(OPEN)
    if prefix:
        rows = rows.filter(org_path__startswith=prefix)
    rows = rows.filter(family__in=list(families))
    ids = [r.strip().upper() for r in rule_ids or [] if r and r.strip()]
    if ids:
        rows = rows.filter(rule__in=ids)
    severities = [s for s in severity or [] if s]
    if severities:
        rows = rows.filter(severity__in=severities)
    if sector:
        rows = rows.filter(org__sector=sector)
    if region:
        rows = rows.filter(org__region_code__startswith=region)
    if not labelled:
        return rows.order_by()
    return rows.annotate(org_code=models.F("org__code"), org_name=models.F("org__name")).order_by(
        "org_path", "rule", "period", "subject_key", "pk"
    )


@dataclass
class Stored:
    """The store's answer to a question of a page or the API: the open rows (paged by the
    caller) and the evaluation they come from."""

    rows: QuerySet[StoredFinding]
    evaluation: Evaluation
    prefix: str
    families: list[str]
    filters: dict[str, Any]

    def per_rule(self) -> list[tuple[str, int]]:
        """(rule id, number of findings) of the answer, in rule order (one query): from the
        subtree counts of the organization at the prefix (of the trees' roots for every tree,
        :class:`FindingCount`) unless the answer is narrowed to a sector or a region; else one
        grouped query over the rows."""
        if not self.filters.get("sector") and not self.filters.get("region"):
            return _counts_by_rule(self.prefix, self.families, **self.filters)
        counts = (
            open_rows(self.prefix, families=self.families, labelled=False, **self.filters)
            .values("rule")
            .annotate(n=Count("rule"))  # a column of the index: no row is read
            .values_list("rule", "n")
        )
        return sorted((rule, int(n)) for rule, n in counts)


def _counts_by_rule(
    prefix: str,
    families: Sequence[str],
    *,
    rule_ids: Iterable[str] | None = None,
    severity: Iterable[str] | None = None,
    **_other: Any,
) -> list[tuple[str, int]]:
    """The open findings of the subtree ``prefix`` by rule, from :class:`FindingCount`."""
    rows = FindingCount.objects.order_by()
    # one organization's rows; every tree's: their roots'
    rows = rows.filter(org__path=prefix) if prefix else rows.filter(org__depth=1)
    ids = [r.strip().upper() for r in rule_ids or [] if r and r.strip()]
    if ids:
        rows = rows.filter(rule__in=ids)
    severities = [s for s in severity or [] if s]
    if severities:
        rows = rows.filter(severity__in=severities)
    wanted = set(families)
    totals: dict[str, int] = {}
    for rule, n in rows.values_list("rule", COUNT_COLUMN):
        if n and family_of(rule) in wanted:
            totals[rule] = totals.get(rule, 0) + n
    return sorted(totals.items())


def answer(actor: Any, **filters: Unpack[CheckFilters]) -> Stored | None:
    """The stored findings answering :func:`dangjian.rules.runner.run_check`'s question for
    ``actor`` (same filters), or ``None`` when the store cannot answer it: switched off, a
    family or a window it does not keep, a date it was not evaluated for, an organization of
    the scope not evaluated yet — and whatever the runner refuses (an unknown filter, an
    organization outside the scope), so the caller asks the runner, which gives its error."""
    if not enabled():
        return None
    families = [f.upper() for f in as_list(filters.get("rules", "SETUP"))]
    kept = stored_families()
    if not families or any(f not in kept for f in families):
        return None
    day = filters.get("at") or timezone.localdate()
    since = filters.get("since")
    if since is not None and since != dt.date(day.year, 1, 1):
        return None
    ids = [r.upper() for r in as_list(filters.get("rule_ids"))]
    if any(r not in REGISTRY or family_of(r) not in families for r in ids):
        return None
    severities = as_list(filters.get("severity"))
    sector, region = filters.get("sector"), filters.get("region")
    if any(s not in SEVERITIES for s in severities):
        return None
    if sector and sector not in Sector.values:
        return None
    prefix = scope_prefix(actor, Perm.FINDING_VIEW)
    if prefix is None:
        return None
    if "RECRUIT" in families and scope_prefix(actor, Perm.RECRUIT_VIEW) != prefix:
        return None  # the check shows the cases the actor may view (Perm.RECRUIT_VIEW)
    org_code = filters.get("org_code")
    if org_code:
        path = (
            Organization.objects.filter(code=org_code, path__startswith=prefix)
            .values_list("path", flat=True)
            .first()
        )
        if path is None:
            return None
        prefix = path
    found = evaluation(prefix, day)
    if found is None:
        return None
    narrow: dict[str, Any] = {
        "rule_ids": ids,
        "severity": severities,
        "sector": sector or None,
        "region": (region or "").strip() or None,
    }
    rows = open_rows(prefix, families=families, **narrow)
    return Stored(rows=rows, evaluation=found, prefix=prefix, families=families, filters=narrow)


def findings_of(rows: Iterable[StoredFinding]) -> list[Finding]:
    """Stored rows (from :func:`open_rows`) as the runner's findings."""
    return [row.as_finding(row.org_code) for row in rows]  # type: ignore[attr-defined]


# --- triggers -----------------------------------------------------------------------------------


def _schedule(pending: set[int], queued: dt.datetime) -> None:
    from .tasks import refresh_orgs_task

    try:
        refresh_orgs_task.enqueue(sorted(pending), queued.isoformat())
    except Exception:  # the queue is unavailable: the nightly refresh catches up
        logger.exception("enqueueing the refresh of the findings of %s failed", sorted(pending))


def touched(org_ids: Iterable[int]) -> None:
    """Note that a write changed what the findings of ``org_ids`` are computed from: they are
    refreshed by a task enqueued once the write's transaction commits (at once outside one).
    Costs a set update per call; one task per transaction."""
    if not enabled() or getattr(_local, "paused", False):
        return
    ids = {int(pk) for pk in org_ids if pk is not None}
    if not ids:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _mark_dirty(ids)
        _schedule(ids, timezone.now())
        return
    pending: set[int] | None = getattr(_local, "pending", None)
    if pending is not None and any(
        getattr(func, "func", None) is _flush and func.args[0] is pending  # type: ignore[attr-defined]
        for _sids, func, _robust in connection.run_on_commit
    ):
        marked: set[int] = getattr(_local, "marked", set())
        _mark_dirty(ids - marked)
        _local.marked = marked | ids
        pending.update(ids)
        return
    _mark_dirty(ids)
    _local.marked = set(ids)
    pending = set(ids)
    _local.pending = pending
    transaction.on_commit(partial(_flush, pending))


def _mark_dirty(ids: set[int]) -> None:
    """Note, in the write's transaction, that the stored findings of ``ids`` may be out of date
    (one query per new set of organizations of a transaction, two more for organizations with
    no state yet: a new one gets a state, noted, so the readers see it is not evaluated); the
    readers ask the check until the refresh that reads the write clears the note."""
    if not ids:
        return
    now = timezone.now()
    FindingsState.objects.filter(org_id__in=sorted(ids), dirty_since__isnull=True).update(
        dirty_since=now
    )
    known = set(FindingsState.objects.filter(org_id__in=sorted(ids)).values_list("org", flat=True))
    new = sorted(ids - known)
    if new:
        paths = Organization.objects.filter(pk__in=new).values_list("pk", "path")
        FindingsState.objects.bulk_create(
            [
                FindingsState(
                    org_id=pk, org_path=path, at=dt.date.min, evaluated_at=now, dirty_since=now
                )
                for pk, path in paths
            ],
            ignore_conflicts=True,
        )


def _flush(pending: set[int]) -> None:
    # the time after the commit: a refresh that started later reads this write
    if getattr(_local, "pending", None) is pending:
        _local.pending = None
    _schedule(pending, timezone.now())


def rows_changed(
    model: type[models.Model], key_fields: Sequence[str], deltas: Mapping[Any, Mapping[str, int]]
) -> None:
    """The listener of :func:`dangjian.core.rollup.add_to_rows`: the organizations of the
    rollup rows written (the key field ``org_id`` / ``org``) whose own counts changed — not
    those whose subtree totals (``sub_*`` columns) alone changed: the ancestors of a write are
    evaluated by the tree-wide pass of :func:`refresh` anyway."""
    names = list(key_fields)
    for name in ("org_id", "org"):
        if name in names:
            index = names.index(name)
            touched(
                key[index]
                for key, row in deltas.items()
                if any(not column.startswith("sub_") for column in row)
            )
            return


def org_moved(org_id: int, old_path: str, new_path: str) -> None:
    """The move hook of :func:`dangjian.orgs.services.org_moved`: the moved subtree's rows
    take their new paths (its refresh), its counts by rule move with it."""
    counts_moved(org_id, old_path, new_path)
    touched([org_id])


#: the apps whose rows the stored families (SETUP, LIFE, RECRUIT) read: the tree, the roll,
#: the records of organizational life, the recruitment cases and plans. A write elsewhere (an
#: assessment's results, a survey's responses, an API token, the audit trail, the store
#: itself) changes no stored finding and queues no refresh
WATCHED_APPS = frozenset({"orgs", "members", "life", "recruit"})


def _orgs_of(instance: models.Model) -> list[int]:
    """The organizations a row names: its foreign keys to an organization (a meeting's ``org``
    and ``lecturer_org`` …) or, one step away, the ``org`` of the row it belongs to (a
    member's standing, a meeting's attendance)."""
    direct = [
        value
        for field in instance._meta.concrete_fields
        if field.many_to_one
        and field.related_model is Organization
        and isinstance(value := getattr(instance, field.attname, None), int)
    ]
    if direct:
        return direct
    found = _org_one_step(instance)
    return [found] if found is not None else []


def _org_one_step(instance: models.Model) -> int | None:
    for field in instance._meta.concrete_fields:
        target = field.related_model
        if not field.many_to_one or target is None or isinstance(target, str):
            continue
        if not any(f.name == "org" for f in target._meta.concrete_fields):
            continue
        value = getattr(instance, field.attname, None)
        if value is None:
            continue
        found = target._default_manager.filter(pk=value).values_list("org_id", flat=True)
        return next(iter(found), None)
    return None


#: models whose rows the store's own evaluations write (a domain app's counters kept through
#: :data:`WRITTEN`): their rows change nothing the findings are computed from
DERIVED: set[type[models.Model]] = set()


def row_saved(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """``post_save`` / ``post_delete``: an organization, or a row that belongs to one."""
    if kwargs.get("raw") or not enabled() or sender._meta.app_label not in WATCHED_APPS:
        return
    if sender in DERIVED:
        return  # (deleted with an organization: noting it would give the deleted one a state)
    if isinstance(instance, Organization):
        if instance.pk is not None:
            touched([instance.pk])
        if kwargs.get("signal") is post_delete and len(instance.path) > STEP:
            # gone with its rows: the tree above it is refreshed through its parent
            parent = Organization.objects.filter(path=instance.path[:-STEP])
            touched(parent.values_list("pk", flat=True))
        return
    touched(_orgs_of(instance))
