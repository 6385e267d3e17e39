"""The import graph of the project's own packages, read from the source, and its cycles.

Every import statement counts, wherever it stands: at module level, inside a function, under
`if TYPE_CHECKING:` — an import deferred into a function still ties the two modules together,
it only hides the cycle from the interpreter. Relative imports are resolved. `from a import b`
is an edge to `a` and, when `b` is a module, to `a.b`; a name that is not one of the project's
modules counts as the nearest enclosing one that is (`shared.db.make_engine` is `shared.db`).
Alembic's migration scripts are left out: Alembic loads them by path, nothing imports them.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SKIPPED = ("migrations/versions",)

Graph = dict[str, set[str]]


def package_roots(repo: Path = REPO) -> list[Path]:
    """`shared` and every service's package (services/<name>/src/<package>)."""
    services = sorted(p.parent for p in repo.glob("services/*/src/*/__init__.py"))
    return [repo / "shared" / "src" / "shared", *services]


def module_files(roots: Iterable[Path]) -> dict[str, Path]:
    """Dotted module name -> its file (a package is its __init__.py)."""
    found: dict[str, Path] = {}
    for root in roots:
        for path in sorted(root.rglob("*.py")):
            if any(part in path.as_posix() for part in SKIPPED):
                continue
            parts = path.relative_to(root.parent).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    return [base, *(f"{base}.{alias.name}" for alias in node.names)]


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def build_graph(modules: Mapping[str, Path]) -> Graph:
    """Each module -> the project's modules it imports (itself excluded)."""
    graph: Graph = {name: set() for name in modules}
    for module, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _imported(module, path, node):
                    target = _known(name, modules)
                    if target is not None and target != module:
                        graph[module].add(target)
    return graph


def project_graph(repo: Path = REPO) -> Graph:
    return build_graph(module_files(package_roots(repo)))


def strongly_connected(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The groups of two or more modules that reach one another (Tarjan's algorithm, without
    recursion), each sorted, in a stable order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph[successor]))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))
    return sorted(groups)


def a_cycle(graph: Mapping[str, set[str]], group: list[str]) -> list[str]:
    """One loop through a strongly connected group, first module repeated at the end: the
    shortest way from the group's first module back to itself."""
    members, start = set(group), group[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for successor in sorted(graph[node] & members):
                if successor == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if successor not in previous:
                    previous[successor] = node
                    following.append(successor)
        frontier = following
    raise ValueError(f"{group} is not strongly connected")
