"""Bulk helpers for materialized-path trees (django-treebeard ``MP_Node``), and tree repair.

treebeard keeps three columns per node that must agree with each other:

* ``path``: the parent's path plus one step of ``steplen`` characters from ``alphabet``
  (``"0001"``, ``"0002"`` … ``"ZZZZ"``; position 1 is the first child);
* ``depth``: ``len(path) // steplen``;
* ``numchild``: the number of nodes whose path is this path plus exactly one step.

Its node API (``add_child``) costs a few queries per insert, which is fine for a form and far too
slow for a seed or an import of tens of thousands of organizations. :class:`TreeBuilder` hands out
paths in memory (one query per *existing* parent to find its last child), keeps ``numchild`` of
the new nodes right as children are added, and writes everything with ``bulk_create`` plus one
``UPDATE`` per distinct increment for existing parents. Run it inside ``transaction.atomic()``.

:func:`tree_problems` checks the three columns in one pass over ``(pk, path, depth, numchild)``
(set-based, unlike treebeard's ``find_problems`` which queries once per node), and
:func:`tree_repair` fixes what can be fixed (``depth`` and ``numchild``, with treebeard's
``fix_tree``) and writes one audit entry.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.db import transaction
from django.db.models import F, Max
from treebeard.exceptions import PathOverflow
from treebeard.mp_tree import MP_Node

from dangjian.core.audit import audit_record

if TYPE_CHECKING:
    from dangjian.accounts.scope import Actor
from .audit import AuditAction

N = TypeVar("N", bound=MP_Node)


def step_key(model: type[MP_Node], position: int) -> str:
    """The path step for 1-based ``position`` among siblings, e.g. ``7`` → ``"0007"``."""
    alphabet, steplen = model.alphabet, model.steplen
    base = len(alphabet)
    if position < 1:
        raise ValueError("positions start at 1")
    digits = []
    n = position
    while n:
        n, rem = divmod(n, base)
        digits.append(alphabet[rem])
    key = "".join(reversed(digits))
    if len(key) > steplen:
        raise PathOverflow(f"节点数超过树的单层容量（{base**steplen - 1}）")
    return alphabet[0] * (steplen - len(key)) + key


def step_position(model: type[MP_Node], step: str) -> int:
    """The inverse of :func:`step_key`."""
    alphabet = model.alphabet
    base = len(alphabet)
    n = 0
    for ch in step:
        n = n * base + alphabet.index(ch)
    return n


class TreeBuilder(Generic[N]):
    """Allocates paths for many new nodes and inserts them with a few queries.

    ``add(node, parent)`` fills ``node.path``, ``node.depth`` and ``node.numchild``; ``parent`` is
    ``None`` (a new root), an existing saved node, or a node added earlier to this builder.
    ``flush()`` writes the pending nodes in path order (parents before children) and bumps
    ``numchild`` of the existing parents that received children.
    """

    def __init__(self, model: type[N], *, using: str | None = None) -> None:
        self.model = model
        self.using = using
        self._next: dict[str, int] = {}  # parent path ("" for roots) → next free position
        self._pending: dict[str, N] = {}  # path → unsaved node
        self._bumps: Counter[str] = Counter()  # saved parent path → children added
        self.created = 0

    def _manager(self) -> Any:
        manager = self.model._default_manager
        return manager.db_manager(self.using) if self.using else manager

    def _first_free(self, parent_path: str) -> int:
        """The next position under ``parent_path`` according to the database."""
        steplen = self.model.steplen
        depth = len(parent_path) // steplen + 1
        qs = self._manager().filter(depth=depth)
        if parent_path:
            qs = qs.filter(path__startswith=parent_path)
        last = qs.order_by().aggregate(last=Max("path"))["last"]
        return step_position(self.model, last[-steplen:]) + 1 if last else 1

    def add(self, node: N, parent: N | None) -> N:
        parent_path = parent.path if parent is not None else ""
        if parent is not None and not parent.path:
            raise ValueError("the parent has no path: add it to the builder first")
        fresh_parent = parent_path in self._pending
        if parent_path not in self._next:
            # a parent made by this builder has no children in the database yet
            self._next[parent_path] = 1 if fresh_parent else self._first_free(parent_path)
        position = self._next[parent_path]
        self._next[parent_path] = position + 1
        node.path = parent_path + step_key(self.model, position)
        node.depth = len(node.path) // self.model.steplen
        node.numchild = 0
        if parent is not None:
            if fresh_parent:
                parent.numchild += 1
            else:
                self._bumps[parent_path] += 1
                if parent.pk is not None:
                    parent.numchild += 1  # keep the caller's instance current
        self._pending[node.path] = node
        return node

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self, *, batch_size: int = 2000) -> list[N]:
        """Write the pending nodes and the ``numchild`` of existing parents; returns the nodes."""
        nodes = [self._pending[p] for p in sorted(self._pending)]
        with transaction.atomic(using=self.using):
            self._manager().bulk_create(nodes, batch_size=batch_size)
            by_increment: dict[int, list[str]] = defaultdict(list)
            for path, n in self._bumps.items():
                by_increment[n].append(path)
            for n, paths in by_increment.items():
                for i in range(0, len(paths), 500):
                    self._manager().filter(path__in=paths[i : i + 500]).update(
                        numchild=F("numchild") + n
                    )
        # nodes written now count as existing parents from here on
        self._bumps.clear()
        self._pending.clear()
        self.created += len(nodes)
        return nodes


@dataclass
class TreeProblems:
    """What is wrong with a tree; each list holds ``(pk, path)`` pairs."""

    bad_chars: list[tuple[Any, str]] = field(default_factory=list)
    bad_length: list[tuple[Any, str]] = field(default_factory=list)
    orphans: list[tuple[Any, str]] = field(default_factory=list)
    wrong_depth: list[tuple[Any, str]] = field(default_factory=list)
    wrong_numchild: list[tuple[Any, str]] = field(default_factory=list)
    checked: int = 0

    LABELS = {
        "bad_chars": "路径含非法字符",
        "bad_length": "路径长度不是步长的整数倍",
        "orphans": "上级节点不存在（孤立节点）",
        "wrong_depth": "层级（depth）与路径不符",
        "wrong_numchild": "下级数（numchild）与实际不符",
    }
    #: problems ``fix_tree`` repairs; the others need a person to decide where the node belongs
    FIXABLE = ("wrong_depth", "wrong_numchild")

    @property
    def ok(self) -> bool:
        return not any(getattr(self, name) for name in self.LABELS)

    @property
    def fixable(self) -> bool:
        return any(getattr(self, name) for name in self.FIXABLE)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in self.LABELS}

    def as_dict(self, *, limit: int = 20) -> dict[str, Any]:
        """Counts plus the first ``limit`` paths of each kind (for reports and the audit entry)."""
        return {
            "checked": self.checked,
            "counts": self.counts(),
            "examples": {
                name: [path for _, path in getattr(self, name)[:limit]]
                for name in self.LABELS
                if getattr(self, name)
            },
        }


def tree_problems(model: type[MP_Node], *, using: str | None = None) -> TreeProblems:
    """Check ``path``/``depth``/``numchild`` of every node in one query and one pass."""
    manager = model._default_manager.db_manager(using) if using else model._default_manager
    steplen, alphabet = model.steplen, set(model.alphabet)
    rows = list(manager.order_by().values_list("pk", "path", "depth", "numchild"))
    paths = {path for _, path, _, _ in rows}
    children: Counter[str] = Counter()
    for _, path, _, _ in rows:
        if len(path) > steplen and len(path) % steplen == 0:
            children[path[:-steplen]] += 1
    found = TreeProblems(checked=len(rows))
    for pk, path, depth, numchild in rows:
        if not path or not set(path) <= alphabet:
            found.bad_chars.append((pk, path))
        elif len(path) % steplen:
            found.bad_length.append((pk, path))
        elif len(path) > steplen and path[:-steplen] not in paths:
            found.orphans.append((pk, path))
        elif depth != len(path) // steplen:
            found.wrong_depth.append((pk, path))
        elif numchild != children.get(path, 0):
            found.wrong_numchild.append((pk, path))
    return found


def tree_repair(
    model: type[MP_Node], *, actor: Actor, fix: bool = True, using: str | None = None
) -> tuple[TreeProblems, TreeProblems]:
    """Find problems and, with ``fix``, repair ``depth`` and ``numchild`` (audited).

    Returns ``(before, after)``; ``after`` is ``before`` when nothing was changed. Bad paths and
    orphans are reported, never guessed at: moving a node is a decision for a person.
    """
    before = tree_problems(model, using=using)
    if not fix or not before.fixable:
        return before, before
    manager: Any = model._default_manager.db_manager(using) if using else model._default_manager
    with transaction.atomic(using=using):
        manager.fix_tree(fix_paths=False)
        after = tree_problems(model, using=using)
        audit_record(
            actor=actor,
            action=AuditAction.TREE_REPAIR,
            object_type=model._meta.model_name or "tree",
            object_id="*",
            object_repr=f"{model._meta.verbose_name}树结构修复",
            before=before.as_dict(),
            after=after.as_dict(),
        )
    return before, after
