"""The vetting service keeps the house plan: its top-level entries, a pure domain, events
published only from service_layer.outgoing, use cases that never commit, and states named by
their enums (never bare strings) outside domain/."""

from __future__ import annotations

import ast
from pathlib import Path

import vetting
from vetting.domain.lifecycles.case import CaseState
from vetting.domain.lifecycles.check import CheckState
from vetting.domain.lifecycles.clearance import ClearanceState

ROOT = Path(vetting.__file__).parent
FORBIDDEN_IN_DOMAIN = (
    "flask",
    "flask_smorest",
    "sqlalchemy",
    "shared.uow",
    "shared.db",
    "shared.web",
    "vetting.routes",
    "vetting.service_layer",
    "vetting.models",
)
STATES = {str(s) for enum in (CaseState, CheckState, ClearanceState) for s in enum}


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


def _state_literals(node: ast.AST) -> bool:
    """A bare state name, or a tuple/list/set of them."""
    if isinstance(node, ast.Constant):
        return node.value in STATES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_state_literals(item) for item in node.elts)
    return False


def _bare_states(path: Path) -> list[int]:
    """Where a state is compared with, moved to or assigned as a bare string."""
    found = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
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
        if any(_state_literals(side) for side in sides):
            found.append(node.lineno)
    return found


def test_the_top_level_entries_are_the_house_plans() -> None:
    entries = {p.name for p in ROOT.iterdir() if p.name != "__pycache__"}
    assert entries == {
        "__init__.py",
        "__main__.py",
        "app.py",
        "cli.py",
        "service.py",
        "models.py",
        "routes",
        "schemas",
        "service_layer",
        "domain",
        "migrations",
        "adapters",
        "workers",
    }


def test_no_module_is_named_common() -> None:
    assert not [p for p in _modules(ROOT) if p.name == "common.py"]


def test_the_domain_is_pure() -> None:
    for path in _modules(ROOT / "domain"):
        bad = {
            name
            for name in _runtime_imports(path)
            for forbidden in FORBIDDEN_IN_DOMAIN
            if name == forbidden or name.startswith(forbidden + ".")
        }
        assert not bad, f"{path.name} imports {sorted(bad)}"


def test_only_outgoing_emits_events() -> None:
    emitting = {
        path.relative_to(ROOT).as_posix() for path in _modules(ROOT) if _calls(path, "emit")
    }
    assert emitting == {"service_layer/outgoing.py"}


def test_use_cases_never_commit() -> None:
    for path in _modules(ROOT / "service_layer") + _modules(ROOT / "domain"):
        assert not _calls(path, "commit"), f"{path.name} commits"


def test_states_are_enum_members_outside_the_domain() -> None:
    outside = [p for p in _modules(ROOT) if "domain" not in p.relative_to(ROOT).parts]
    bare = {
        path.relative_to(ROOT).as_posix(): lines
        for path in outside
        if (lines := _bare_states(path))
    }
    assert not bare
