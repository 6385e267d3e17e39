"""The notifications service keeps the house plan: its top-level entries, a pure domain, events
published only from service_layer.outgoing, and use cases that never commit."""

from __future__ import annotations

import ast
from pathlib import Path

import notifications

ROOT = Path(notifications.__file__).parent
FORBIDDEN_IN_DOMAIN = (
    "flask",
    "flask_smorest",
    "sqlalchemy",
    "shared.uow",
    "shared.db",
    "shared.web",
    "notifications.routes",
    "notifications.service_layer",
    "notifications.models",
)


def _modules(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts)


def _runtime_imports(path: Path) -> set[str]:
    """What a module imports outside `if TYPE_CHECKING:` blocks."""
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _calls(path: Path, attribute: str) -> list[int]:
    tree = ast.parse(path.read_text("utf-8"))
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attribute
    ]


def _entries(folder: Path) -> set[str]:
    # A folder holding nothing but bytecode is what a checkout keeps of a moved package.
    return {
        p.name
        for p in folder.iterdir()
        if p.name != "__pycache__"
        and (p.is_file() or any(p.rglob("*.py")) or p.name == "templates")
    }


def test_the_top_level_entries_are_the_house_plans():
    entries = _entries(ROOT)
    assert entries == {
        "__init__.py",
        "__main__.py",
        "app.py",
        "service.py",
        "models.py",
        "routes",
        "schemas",
        "service_layer",
        "domain",
        "migrations",
        "adapters",
        "workers",
        "templates",
    }


def test_the_domain_is_pure():
    for path in _modules(ROOT / "domain"):
        bad = {
            name
            for name in _runtime_imports(path)
            for forbidden in FORBIDDEN_IN_DOMAIN
            if name == forbidden or name.startswith(forbidden + ".")
        }
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_only_outgoing_emits_events():
    emitting = {
        path.relative_to(ROOT).as_posix() for path in _modules(ROOT) if _calls(path, "emit")
    }
    assert emitting == {"service_layer/outgoing.py"}


def test_use_cases_never_commit():
    for path in _modules(ROOT / "service_layer") + _modules(ROOT / "domain"):
        assert not _calls(path, "commit"), f"{path.name} commits"
