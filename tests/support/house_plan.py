"""The house plan every service follows (docs/house-plan.md), read off the source tree.

`problems(package_dir)` lists where a service departs from it: unexpected or missing rooms,
a module called common.py, a domain module importing a framework or a session, an event built
outside service_layer/outgoing.py, a use case that commits.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REQUIRED = {
    "__init__.py",
    "app.py",
    "service.py",
    "models.py",
    "routes",
    "schemas",
    "service_layer",
    "domain",
    "migrations",
}
OPTIONAL = {"__main__.py", "cli.py", "adapters", "workers", "templates"}
# Each service may have one front door of its own, named for its users.
FRONT_DOORS = {"console", "workbench", "portal"}
IGNORED = {"__pycache__"}
# What a domain module may not import: a framework, a database session, or the layers above it.
DOMAIN_FORBIDDEN = (
    "flask",
    "flask_smorest",
    "flask_wtf",
    "sqlalchemy",
    "shared.uow",
    "shared.db",
    "shared.web",
    "kombu",
)
DOMAIN_FORBIDDEN_OWN = ("routes", "service_layer", "models", "console", "workers", "adapters")


def modules(directory: Path) -> Iterator[Path]:
    for path in sorted(directory.rglob("*.py")):
        if "migrations" not in path.relative_to(directory).parts:
            yield path


def _imports(tree: ast.Module) -> Iterator[tuple[str, int]]:
    """Imports outside `if TYPE_CHECKING:` blocks."""

    def walk(nodes: list[ast.stmt]) -> Iterator[tuple[str, int]]:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                yield from walk(node.orelse)
                continue
            if isinstance(node, ast.Import):
                yield from ((alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                yield node.module, node.lineno
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list):
                    yield from walk(
                        [n for n in inner if isinstance(n, ast.stmt)]
                        + [s for h in inner if isinstance(h, ast.ExceptHandler) for s in h.body]
                    )

    yield from walk(tree.body)


def _calls(tree: ast.Module, attribute: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attribute
    ]


def problems(package: Path) -> list[str]:
    name = package.name
    found: list[str] = []
    # A folder left holding only a bytecode cache (after a checkout moved its sources) is no room.
    entries = {
        p.name
        for p in package.iterdir()
        if p.name not in IGNORED
        and (p.is_file() or any(f.name not in IGNORED for f in p.iterdir()))
    }
    found += [f"{name}: missing {entry}" for entry in sorted(REQUIRED - entries)]
    doors = entries & FRONT_DOORS
    if len(doors) > 1:
        found.append(f"{name}: more than one front door: {sorted(doors)}")
    found += [
        f"{name}: unexpected {entry} at the top level"
        for entry in sorted(entries - REQUIRED - OPTIONAL - FRONT_DOORS)
    ]
    for required in ("service_layer/handlers.py", "service_layer/outgoing.py"):
        if not (package / required).is_file():
            found.append(f"{name}: missing {required}")
    for path in modules(package):
        where = path.relative_to(package)
        label = f"{name}/{where}"
        if path.name == "common.py":
            found.append(f"{label}: a module called common.py (name it for what it holds)")
        tree = ast.parse(path.read_text(), str(path))
        layer = where.parts[0] if len(where.parts) > 1 else ""
        if layer == "domain":
            for module, line in _imports(tree):
                own = module.removeprefix(f"{name}.")
                if module.startswith(DOMAIN_FORBIDDEN) or (
                    module.startswith(f"{name}.") and own.split(".")[0] in DOMAIN_FORBIDDEN_OWN
                ):
                    found.append(f"{label}:{line}: the domain imports {module}")
        if layer in ("service_layer", "domain"):
            found += [f"{label}:{line}: a use case commits" for line in _calls(tree, "commit")]
        if str(where) != "service_layer/outgoing.py":
            found += [
                f"{label}:{line}: an event built outside service_layer/outgoing.py"
                for line in _calls(tree, "emit")
            ]
    return found


def _state_names(package: Path) -> set[str]:
    """The values of every StrEnum the service's domain declares (its lifecycles' states)."""
    names: set[str] = set()
    for path in modules(package / "domain"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).endswith("StrEnum") for base in node.bases
            ):
                names |= {
                    item.value.value
                    for item in node.body
                    if isinstance(item, ast.Assign)
                    and isinstance(item.value, ast.Constant)
                    and isinstance(item.value.value, str)
                }
    return names


def _holds_state(node: ast.AST, states: set[str]) -> bool:
    if isinstance(node, ast.Constant):
        return node.value in states
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_holds_state(item, states) for item in node.elts)
    return False


def bare_states(package: Path) -> list[str]:
    """Outside the domain, where a state is compared with, moved to or stored as a bare string
    rather than its enum member."""
    states = _state_names(package)
    found: list[str] = []
    for path in modules(package):
        where = path.relative_to(package)
        if where.parts[0] == "domain":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
            elif isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                sides = [
                    *(node.args if name in ("move", "take", "in_", "not_in") else []),
                    *(k.value for k in node.keywords if k.arg == "status"),
                ]
            elif isinstance(node, ast.Assign):
                status = any(getattr(t, "attr", None) == "status" for t in node.targets)
                sides = [node.value] if status else []
            else:
                continue
            if any(_holds_state(side, states) for side in sides):
                found.append(f"{package.name}/{where}:{node.lineno}: a bare state string")
    return found
