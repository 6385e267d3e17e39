"""No import cycles in shared/ or any service: each module can be read, and moved, knowing
only what it imports. A cycle is usually code in the wrong module; hiding it behind an import
inside a function does not count as breaking it (tests.support.import_graph)."""

from __future__ import annotations

from pathlib import Path

from tests.support.import_graph import (
    a_cycle,
    build_graph,
    module_files,
    package_roots,
    project_graph,
    strongly_connected,
)


def test_shared_and_the_services_import_no_cycle() -> None:
    graph = project_graph()
    loops = [
        f"{' -> '.join(a_cycle(graph, group))}   (all tied: {', '.join(group)})"
        for group in strongly_connected(graph)
    ]
    assert not loops, "import cycles:\n" + "\n".join(loops)


def test_the_graph_covers_shared_and_every_service() -> None:
    packages = {root.name for root in package_roots()}
    assert packages == {"shared", "applications", "vetting", "access", "notifications"}
    graph = project_graph()
    assert "shared.db" in graph["shared.platform"]
    assert not any(".migrations.versions." in module for module in graph)


def _package(root: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return build_graph(module_files([root / "pkg"]))


def test_an_import_inside_a_function_is_still_a_cycle(tmp_path: Path) -> None:
    graph = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import thing\n",
            "pkg/b.py": "def thing():\n    from .a import other\n",
        },
    )
    assert strongly_connected(graph) == [["pkg.a", "pkg.b"]]
    assert a_cycle(graph, ["pkg.a", "pkg.b"]) == ["pkg.a", "pkg.b", "pkg.a"]


def test_a_package_that_imports_a_submodule_importing_the_package_is_a_cycle(
    tmp_path: Path,
) -> None:
    graph = _package(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.sub import views\n",
            "pkg/sub/__init__.py": "",
            "pkg/sub/views.py": "from .. import sub\nfrom . import forms\n",
            "pkg/sub/forms.py": "import pkg.sub.views as v\n",
        },
    )
    assert graph["pkg.sub.views"] == {"pkg", "pkg.sub", "pkg.sub.forms"}
    assert strongly_connected(graph) == [["pkg", "pkg.sub.forms", "pkg.sub.views"]]


def test_modules_that_import_one_way_are_no_cycle(tmp_path: Path) -> None:
    graph = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "import json\nfrom pkg import b\nfrom pkg.b import missing_name\n",
            "pkg/b.py": "from typing import TYPE_CHECKING\n",
        },
    )
    assert graph == {"pkg": set(), "pkg.a": {"pkg", "pkg.b"}, "pkg.b": set()}
    assert strongly_connected(graph) == []
