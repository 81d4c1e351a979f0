"""The dependency-direction check of the dangjian package: ``python tools/layers.py``.

Every module of ``dangjian`` gets a layer (see ``layer_of``):

- L0 ``core`` (and ``settings``): shared mechanisms, no domain;
- L1 the base apps ``accounts``, ``orgs``, ``members``, in that order
  (core ← accounts ← orgs ← members);
- L2 ``rules``: the rules engine only;
- L3 the domain apps, and every app's own ``<app>/rules.py`` and the ``<app>/facts.py`` its rules
  read (``orgs.rules`` and ``orgs.facts`` are L3 though they sit in orgs);
- L4 the interface: ``web``, ``api``, ``cli``, ``demo``, the project's ``urls``/``wsgi``, and in
  every app its ``views``, ``urls``, ``api*``, ``forms``, ``templatetags``, ``management``,
  ``admin`` and ``apps`` modules (``apps.py`` is Django's wiring: its ``ready()`` registers rules
  and signals; nothing imports it).

Reported:

- an import of a higher layer;
- a cycle between apps of one layer below the interface (L1 is ordered, so an import from accounts
  to orgs or members, or from orgs to members, is reported even without a cycle). The interface
  layer is where the apps are put together (the project's ``urls`` and ``api.urls`` include every
  app's routes, whose views use ``web``'s and ``api``'s shared pieces), so it is not checked for
  cycles; nothing imports it;
- a name or module starting with ``_`` imported from another app;
- a seed (demo data) module outside ``dangjian/demo``.

Imports under ``if TYPE_CHECKING:`` are ignored; imports inside functions count. Migrations are not
read (they are frozen history). Exit status 1 when anything is reported.
"""

from __future__ import annotations

import ast
import fnmatch
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE = "dangjian"
ROOT = Path(__file__).resolve().parent.parent

LAYER_NAMES = {0: "L0 core", 1: "L1 base", 2: "L2 rules engine", 3: "L3 domain", 4: "L4 interface"}

APP_LAYERS = {
    "core": 0,
    "settings": 0,
    "accounts": 1,
    "orgs": 1,
    "members": 1,
    "rules": 2,
    "life": 3,
    "recruit": 3,
    "assess": 3,
    "rectify": 3,
    "survey": 3,
    "service": 3,
    "open311": 3,
    "notify": 3,
    "exchange": 3,
    "batch": 3,
    "training": 3,
    "care": 3,
    "dues": 3,
    "mobile": 3,
    "web": 4,
    "api": 4,
    "cli": 4,
    "demo": 4,
    "urls": 4,
    "wsgi": 4,
    "__main__": 4,
    "transfer": 3,
    "review": 3,
    "inspection": 3,
    "liangxin": 3,
    "exemplar": 3,
}

# The order of the base apps: an app may import only the apps before it.
BASE_ORDER = ("accounts", "orgs", "members")

# Modules of an app that belong to the interface layer, by their first name inside the app.
INTERFACE_MODULES = {"views", "urls", "forms", "templatetags", "management", "admin", "apps"}

# Modules of a lower app that belong to the domain layer: its own rules and the facts they read.
DOMAIN_MODULES = {"rules", "facts"}

# Imports that break a rule today and are being removed by another branch of the same issue.
# Each entry: (importing module pattern, imported module pattern, why it is still here).
# Patterns are fnmatch patterns over dotted module names. An entry that matches nothing is reported.
ALLOWED: list[tuple[str, str, str]] = []


@dataclass(frozen=True)
class Import:
    path: str  # file, relative to the root
    line: int
    importer: str  # dotted module
    imported: str  # dotted module (the longest prefix that is a module of the package)
    names: tuple[str, ...] = ()  # the names taken with ``from … import``


@dataclass
class Report:
    problems: list[str] = field(default_factory=list)

    def add(self, text: str) -> None:
        self.problems.append(text)


def app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def layer_of(module: str) -> int | None:
    """The layer of a dotted module name of the package, None when its app has no layer."""
    parts = module.split(".")
    if len(parts) < 2:
        return 0  # the package itself
    app, rest = parts[1], parts[2:]
    if app not in APP_LAYERS:
        return None
    base = APP_LAYERS[app]
    if base == 4 or not rest:
        return base
    first = rest[0]
    if first in INTERFACE_MODULES or first.startswith("api"):
        return 4
    if first in DOMAIN_MODULES and app != "rules":
        return 3
    return base


def unit_of(module: str) -> tuple[int | None, str]:
    """The node of the cycle graph: (layer, app)."""
    return layer_of(module), app_of(module)


def describe(module: str) -> str:
    layer = layer_of(module)
    return f"{module} ({'no layer' if layer is None else LAYER_NAMES[layer]})"


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(nodes: Iterable[ast.AST]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in nodes:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and is_type_checking(node.test):
            yield from _walk(node.orelse)  # the body is for the type checker only
        else:
            yield from _walk(ast.iter_child_nodes(node))


class Package:
    def __init__(self, root: Path, package: str = PACKAGE) -> None:
        self.root = root
        self.package = package
        self.files = {
            module_name(path, root): path
            for path in sorted((root / package).rglob("*.py"))
            if "migrations" not in path.relative_to(root).parts
        }

    def is_module(self, name: str) -> bool:
        return name in self.files

    def resolve(self, name: str) -> str:
        """The longest prefix of a dotted name that is a module of the package."""
        parts = name.split(".")
        while parts and not self.is_module(".".join(parts)):
            parts.pop()
        return ".".join(parts) or name

    def imports(self) -> Iterator[Import]:
        for module, path in self.files.items():
            rel = str(path.relative_to(self.root))
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=rel)
            is_package = path.name == "__init__.py"
            for node in _walk(tree.body):
                yield from self._imports_of(node, module, is_package, rel)

    def _imports_of(
        self, node: ast.Import | ast.ImportFrom, module: str, is_package: bool, rel: str
    ) -> Iterator[Import]:
        pkg = self.package
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == pkg or alias.name.startswith(pkg + "."):
                    yield Import(rel, node.lineno, module, self.resolve(alias.name))
            return
        base = node.module or ""
        if node.level:
            anchor = module.split(".")
            if not is_package:
                anchor = anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, base] if base else anchor)
        if base != pkg and not base.startswith(pkg + "."):
            return
        by_target: dict[str, list[str]] = {}
        for alias in node.names:
            full = f"{base}.{alias.name}"
            target = full if self.is_module(full) else self.resolve(base)
            by_target.setdefault(target, []).append(alias.name)
        for target, names in by_target.items():
            yield Import(rel, node.lineno, module, target, tuple(names))


def _allowed(imp: Import, used: set[int]) -> bool:
    for index, (importer, imported, _why) in enumerate(ALLOWED):
        if fnmatch.fnmatchcase(imp.importer, importer) and fnmatch.fnmatchcase(
            imp.imported, imported
        ):
            used.add(index)
            return True
    return False


def _private(imp: Import) -> list[str]:
    module_parts = imp.imported.split(".")[1:]
    private = [p for p in module_parts if p.startswith("_") and not p.startswith("__")]
    private += [n for n in imp.names if n.startswith("_") and not n.startswith("__")]
    return private


def _cycles(edges: dict[tuple[int, str], dict[tuple[int, str], Import]]) -> list[list[tuple]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[tuple, int] = {}
    low: dict[tuple, int] = {}
    stack: list[tuple] = []
    on_stack: set[tuple] = set()
    found: list[list[tuple]] = []

    def visit(node: tuple) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(edges.get(node, {})):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def check(root: Path = ROOT, package: str = PACKAGE) -> list[str]:
    """Every problem found, as readable lines (empty when the layering holds)."""
    pkg = Package(root, package)
    report = Report()
    used: set[int] = set()
    edges: dict[tuple[int, str], dict[tuple[int, str], Import]] = {}
    for imp in pkg.imports():
        where = f"{imp.path}:{imp.line}"
        src_layer, src_app = unit_of(imp.importer)
        dst_layer, dst_app = unit_of(imp.imported)
        if src_layer is None or dst_layer is None:
            module = imp.importer if src_layer is None else imp.imported
            report.add(f"{where}: {module} belongs to no layer (add its app to tools/layers.py)")
            continue
        problems = []
        if dst_layer > src_layer:
            problems.append(
                f"upward import: {describe(imp.importer)} imports {describe(imp.imported)}"
            )
        elif (
            dst_layer == src_layer == 1
            and src_app != dst_app
            and BASE_ORDER.index(dst_app) > BASE_ORDER.index(src_app)
        ):
            problems.append(
                f"base apps are ordered {' ← '.join(('core', *BASE_ORDER))}: "
                f"{imp.importer} imports {imp.imported}"
            )
        private = _private(imp) if src_app != dst_app else []
        if private:
            problems.append(
                f"private name imported from another app: {', '.join(private)} "
                f"from {imp.imported} into {imp.importer}"
            )
        if _allowed(imp, used):
            continue
        for problem in problems:
            report.add(f"{where}: {problem}")
        if dst_layer == src_layer < 4 and src_app != dst_app:
            edges.setdefault((src_layer, src_app), {}).setdefault((dst_layer, dst_app), imp)
    for module in pkg.files:
        if module.split(".")[-1] == "seed" and app_of(module) != "demo":
            placement = Import(str(pkg.files[module].relative_to(root)), 1, module, module)
            if not _allowed(placement, used):
                report.add(
                    f"{placement.path}: seed data builders live in {package}/demo/, not in {module}"
                )
    for component in _cycles(edges):
        layer = component[0][0]
        apps = ", ".join(app for _layer, app in component)
        lines = [f"cycle between apps of {LAYER_NAMES[layer]}: {apps}"]
        members = set(component)
        for node in component:
            for succ, imp in sorted(edges.get(node, {}).items()):
                if succ in members:
                    lines.append(
                        f"    {node[1]} → {succ[1]}: {imp.path}:{imp.line} imports {imp.imported}"
                    )
        report.add("\n".join(lines))
    for index, (importer, imported, why) in enumerate(ALLOWED):
        if index not in used:
            report.add(
                f"allowlist entry matches nothing, remove it: {importer} → {imported} ({why})"
            )
    return report.problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    root = Path(argv[0]).resolve() if argv else ROOT
    problems = check(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"\n{len(problems)} layer problem(s); the layers are described in tools/layers.py.")
        return 1
    print("layers: no upward imports, no cycles between apps, no private names across apps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
