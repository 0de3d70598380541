"""The static layer check: which of our packages may import which, read from the source with `ast`.

Layers, bottom to top: core < connectors < handoff < {bot, console}
< socialcare. An import may point down or stay inside its own package; bot and console never
import each other; sandbox (the fake platform) may use core only; nothing imports socialcare
but socialcare. Module-level and function-level imports both count, relative ones resolved.
Also checked: no cycle between top-level packages, no module over 400 lines, no
`except ImportError` around an import of our own modules. The self-tests run the same
checks on a synthetic tree, so each rule provably catches what it should.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple, Union

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 400

# What each top-level package may import besides itself.
ALLOWED: Dict[str, FrozenSet[str]] = {
    "core": frozenset(),
    "connectors": frozenset({"core"}),
    "handoff": frozenset({"core", "connectors"}),
    "bot": frozenset({"core", "connectors", "handoff"}),
    "console": frozenset({"core", "connectors", "handoff"}),
    "sandbox": frozenset({"core"}),
    "socialcare": frozenset({"core", "connectors", "handoff", "bot", "console", "sandbox"}),
}
PACKAGES = tuple(ALLOWED)
IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
ImportNode = Union[ast.Import, ast.ImportFrom]


@dataclass(frozen=True)
class ImportEdge:
    """One import statement of one module: `source` (dotted) imports `target` (dotted) at `line`."""

    source: str
    target: str
    line: int

    @property
    def source_package(self) -> str:
        return self.source.split(".")[0]

    @property
    def target_package(self) -> str:
        return self.target.split(".")[0]

    def __str__(self) -> str:
        return f"{self.source}:{self.line} -> {self.target}"


@dataclass
class Scan:
    """Everything the checks look at, for one source tree."""

    edges: List[ImportEdge] = field(default_factory=list)
    lines: Dict[str, int] = field(default_factory=dict)
    guarded: List[ImportEdge] = field(default_factory=list)


def module_name(path: Path, root: Path) -> str:
    """Dotted name of the module in `path` (a package's __init__.py is the package)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def resolve(node: ImportNode, module: str, is_package: bool) -> List[str]:
    """The dotted modules an Import / ImportFrom node names, relative ones made absolute."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not node.level:
        return [node.module or ""]
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    if node.module:
        return [".".join([*base, node.module])]
    return [".".join([*base, alias.name]) for alias in node.names]


def is_ours(target: str) -> bool:
    """True for a module of one of our top-level packages."""
    return target.split(".")[0] in PACKAGES


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    """True when an except clause catches ImportError or ModuleNotFoundError (alone or in a tuple)."""
    kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(kind, ast.Name) and kind.id in IMPORT_ERRORS for kind in kinds)


def _imports(tree: ast.AST) -> Iterator[ImportNode]:
    return (node for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom)))


def scan_file(path: Path, root: Path, scan: Scan) -> None:
    """Adds the imports, line count and guarded imports of one file to `scan`."""
    text = path.read_text(encoding="utf-8")
    module = module_name(path, root)
    is_package = path.name == "__init__.py"
    scan.lines[module] = len(text.splitlines())
    tree = ast.parse(text, filename=str(path))
    for node in _imports(tree):
        for target in resolve(node, module, is_package):
            if is_ours(target):
                scan.edges.append(ImportEdge(module, target, node.lineno))
    for guard in ast.walk(tree):
        if isinstance(guard, ast.Try) and any(catches_import_error(h) for h in guard.handlers):
            for statement in guard.body:
                for imp in _imports(statement):
                    for target in resolve(imp, module, is_package):
                        if is_ours(target):
                            scan.guarded.append(ImportEdge(module, target, imp.lineno))


def scan_tree(root: Path, packages: Sequence[str] = PACKAGES) -> Scan:
    """Scans every .py file of `packages` under `root`."""
    scan = Scan()
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            scan_file(path, root, scan)
    return scan


def layer_violations(edges: Sequence[ImportEdge]) -> List[ImportEdge]:
    """Imports that point up or across: the target package is not allowed for the source."""
    return [e for e in edges
            if e.source_package != e.target_package and e.target_package not in ALLOWED[e.source_package]]


def package_cycles(edges: Sequence[ImportEdge]) -> List[Tuple[str, ...]]:
    """The cycles between top-level packages: strongly connected groups of two or more (Tarjan)."""
    graph: Dict[str, Set[str]] = {}
    for e in edges:
        if e.source_package != e.target_package:
            graph.setdefault(e.source_package, set()).add(e.target_package)
            graph.setdefault(e.target_package, set())
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    groups: List[Tuple[str, ...]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(tuple(sorted(group)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def cycle_edges(edges: Sequence[ImportEdge], group: Tuple[str, ...]) -> List[ImportEdge]:
    """The imports between the packages of one cycle (what to cut)."""
    members = set(group)
    return [e for e in edges if e.source_package != e.target_package
            and e.source_package in members and e.target_package in members]


def long_modules(lines: Dict[str, int], limit: int = MAX_LINES) -> List[Tuple[str, int]]:
    """(module, lines) of every module over `limit` lines."""
    return sorted((m, n) for m, n in lines.items() if n > limit)


def _listing(items: Sequence[object], title: str) -> str:
    return f"{title} ({len(items)}):\n" + "\n".join(f"  {item}" for item in items)


_SCAN: Optional[Scan] = None


def project_scan() -> Scan:
    """The project's scan (read once per test session)."""
    global _SCAN
    if _SCAN is None:
        _SCAN = scan_tree(ROOT)
    return _SCAN


# --- the project ---------------------------------------------------------------------------

def test_every_package_is_scanned():
    scan = project_scan()
    assert {m.split(".")[0] for m in scan.lines} == set(PACKAGES)
    assert any(e.target_package == "core" for e in scan.edges)


def test_no_import_points_up_or_across():
    bad = layer_violations(project_scan().edges)
    assert not bad, _listing(bad, "imports against the layers (source:line -> target)")


def test_no_cycle_between_packages():
    scan = project_scan()
    groups = package_cycles(scan.edges)
    report = "\n".join(_listing(cycle_edges(scan.edges, g), " <-> ".join(g)) for g in groups)
    assert not groups, "cycles between packages:\n" + report


def test_no_module_is_over_400_lines():
    bad = long_modules(project_scan().lines)
    assert not bad, _listing([f"{m}: {n} lines" for m, n in bad], f"modules over {MAX_LINES} lines")


def test_no_import_error_guard_around_our_modules():
    bad = project_scan().guarded
    assert not bad, _listing(bad, "imports of our modules inside try/except ImportError")


# --- self-test on a synthetic tree ---------------------------------------------------------

def _write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _synthetic(tmp_path: Path) -> Scan:
    for package in ("core", "connectors", "handoff", "bot", "console", "sandbox", "socialcare"):
        _write(tmp_path, f"{package}/__init__.py", "")
    _write(tmp_path, "core/settings.py", "import os\nfrom . import paths\n")
    _write(tmp_path, "core/paths.py", "def where():\n    from handoff import tickets  # up\n    return tickets\n")
    _write(tmp_path, "connectors/channels.py", "from core.settings import env_int\nfrom handoff.tickets import T\n")
    _write(tmp_path, "handoff/tickets.py", "from connectors import channels\nT = 1\n")
    _write(tmp_path, "handoff/sub/__init__.py", "from .. import tickets\nfrom ..tickets import T\n")
    _write(tmp_path, "bot/actions.py", "import console.views\ntry:\n    import bot.extra\nexcept (OSError, ImportError):\n"
                                       "    pass\ntry:\n    import numpy\nexcept ImportError:\n    numpy = None\n")
    _write(tmp_path, "sandbox/app.py", "from connectors.channels import x\n")
    _write(tmp_path, "socialcare/cli.py", "import bot.actions, console, sandbox.app\n")
    _write(tmp_path, "console/views.py", "import socialcare.cli\n" + "x = 1\n" * MAX_LINES)
    return scan_tree(tmp_path)


def test_self_test_relative_imports_are_resolved(tmp_path):
    scan = _synthetic(tmp_path)
    targets = {(e.source, e.target) for e in scan.edges}
    assert ("core.settings", "core.paths") in targets
    assert ("handoff.sub", "handoff.tickets") in targets
    assert not any(e.target == "numpy" for e in scan.edges)


def test_self_test_catches_upward_and_sideways_imports(tmp_path):
    bad = {(e.source, e.target) for e in layer_violations(_synthetic(tmp_path).edges)}
    assert bad == {
        ("core.paths", "handoff"),  # a function-level import, pointing up
        ("connectors.channels", "handoff.tickets"),  # up
        ("bot.actions", "console.views"),  # across siblings
        ("sandbox.app", "connectors.channels"),  # sandbox may use core only
        ("console.views", "socialcare.cli"),  # nothing imports socialcare
    }


def test_self_test_catches_cycles(tmp_path):
    scan = _synthetic(tmp_path)
    groups = package_cycles(scan.edges)
    assert set(groups) == {("connectors", "core", "handoff"), ("bot", "console", "socialcare")}
    acyclic = [e for e in scan.edges if e.target_package != "handoff" and e.target_package != "socialcare"]
    assert package_cycles(acyclic) == []
    assert package_cycles([ImportEdge("a.x", "b.y", 1), ImportEdge("b.y", "a.z", 2)]) == [("a", "b")]
    assert {str(e) for e in cycle_edges(scan.edges, ("connectors", "handoff"))} == {
        "connectors.channels:2 -> handoff.tickets", "handoff.tickets:1 -> connectors"}


def test_self_test_catches_long_modules_and_import_error_guards(tmp_path):
    scan = _synthetic(tmp_path)
    assert long_modules(scan.lines) == [("console.views", MAX_LINES + 1)]
    assert [(e.source, e.target) for e in scan.guarded] == [("bot.actions", "bot.extra")]
