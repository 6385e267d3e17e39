"""Every documentation page stays true to the code: the README, each page under docs/ and
bench/README.md. What a page tells a reader to open, type or set must exist: its relative links
and their #anchors, the repository paths and dotted names in its code, every `python -m`
command (checked by invoking it with --help), every `make` target, and every upper-case name
with an underscore (a setting, a code, an enum member) somewhere in the code or configuration.
The README is the guide: under 150 lines, `make run` and `make test` first, the rule for
transactions, and a link to every page under docs/. The house plan (docs/house-plan.md) is what
every service's package holds: the entries it requires, and nothing it does not name.

The operations page's variables and the data map have stricter checks of their own
(test_operations_doc.py, test_data_protection_doc.py); the event catalogue is generated
(test_events.py)."""

from __future__ import annotations

import importlib
import re
from functools import cache
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from shared.config import KNOWN_ENV_VARS
from shared.events.catalogue import build_registry
from tests.support import doc_pages
from tests.support.doc_pages import ROOT

PAGES = doc_pages.pages()
README = ROOT / "README.md"
README_MAX_LINES = 150
# Upper-case names in pages that are placeholders, other programs' output or SQL, not our code.
OTHERS_NAMES = frozenset(
    {
        "ORG_ID",
        "ORGANISATION_ID",
        "KEY_ID",
        "STAFF_ID",
        "TABLE_DATA",
        "CURRENT_TIMESTAMP",
        "PRECONDITION_FAILED",
        "ACCESS_REFUSED",
    }
)
# Where a name a page gives may be read or defined.
SOURCE_GLOBS = (
    "shared/src/**/*.py",
    "services/*/src/**/*.py",
    "services/*/src/**/*.yaml",
    "tools/**/*.py",
    "tests/**/*.py",
    "bench/**/*.py",
    "deploy/**/*.py",
    "deploy/**/*.sh",
    "deploy/**/*.json",
    "deploy/.env.example",
    "Makefile",
    "docker-compose.yml",
    "Dockerfile",
    "deploy/k8s/**/*.yaml",
    "pyproject.toml",
    ".ci/*",
)


def _ids(paths: list[Path]) -> list[str]:
    return [str(path.relative_to(ROOT)) for path in paths]


def _name(page: Path) -> str:
    return str(page.relative_to(ROOT))


@cache
def _sources() -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for pattern in SOURCE_GLOBS
        for path in sorted(ROOT.glob(pattern))
        if path.is_file()
    )


@cache
def _table_columns() -> frozenset[str]:
    """`table.column` of every service's models: a page may name a column so."""
    return frozenset(
        f"{table.name}.{column.name}"
        for service in doc_pages.SERVICES
        for table in importlib.import_module(f"{service}.models").Base.metadata.sorted_tables
        for column in table.columns
    )


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_link_and_anchor_resolves(page: Path):
    problems = []
    for target in doc_pages.links(page.read_text(encoding="utf-8")):
        path_part, _, anchor = target.partition("#")
        destination = (page.parent / path_part).resolve() if path_part else page
        if not destination.exists():
            problems.append(f"{target}: no such file ({destination.relative_to(ROOT)})")
            continue
        if anchor and destination.suffix == ".md":
            if anchor not in doc_pages.anchors(destination.read_text(encoding="utf-8")):
                problems.append(f"{target}: {_name(destination)} has no heading #{anchor}")
    assert not problems, f"{_name(page)}: broken links:\n" + "\n".join(problems)


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_repository_path_named_exists(page: Path):
    text = page.read_text(encoding="utf-8")
    relative_to = page.parent if page.parent != ROOT / "docs" else ROOT
    missing = sorted(
        path
        for path in doc_pages.repository_paths(text)
        if not (ROOT / path).exists() and not (relative_to / path).exists()
    )
    assert not missing, (
        f"{_name(page)} names paths that do not exist (moved? name the package or folder):\n"
        + "\n".join(missing)
    )


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_dotted_name_imports(page: Path):
    text = page.read_text(encoding="utf-8")
    events = {spec.type for spec in build_registry()}
    missing = sorted(
        name
        for name in doc_pages.dotted_names(text)
        if name not in events
        and name not in _table_columns()
        and not re.search(r"\.(inbox|retry|events|dead-letter)$", name)
        and not doc_pages.resolves(name)
    )
    assert not missing, f"{_name(page)} names what does not import:\n" + "\n".join(missing)


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_upper_case_name_is_in_the_code(page: Path):
    sources = _sources()
    missing = sorted(
        name
        for name in doc_pages.upper_case_names(page.read_text(encoding="utf-8"))
        if name not in OTHERS_NAMES
        and name not in KNOWN_ENV_VARS
        and not re.search(rf"\b{name}\b", sources)
    )
    assert not missing, (
        f"{_name(page)} names settings or codes nothing reads or defines:\n" + "\n".join(missing)
    )


@pytest.mark.parametrize("page", PAGES, ids=_ids(PAGES))
def test_every_make_target_named_exists(page: Path):
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    missing = doc_pages.make_targets(page.read_text(encoding="utf-8")) - targets
    assert not missing, f"{_name(page)}: make targets not in the Makefile: {sorted(missing)}"


def _all_commands() -> list[tuple[str, tuple[str, ...]]]:
    found = set()
    for page in PAGES:
        for module, words in doc_pages.documented_commands(page.read_text(encoding="utf-8")):
            found.add((module, tuple(words)))
    return sorted(found)


@pytest.mark.parametrize("module, words", _all_commands())
def test_every_documented_command_exists(module: str, words: tuple[str, ...]):
    root = doc_pages.cli(module)
    path = doc_pages.command_path(root, list(words))
    if isinstance(root, click.Group):
        # A service command line must name a command; what follows may be its arguments.
        assert path, (
            f"`python -m {module} {' '.join(words)}`: {words[0] if words else '(none)'}"
            f" is not a command of {module} (has: {', '.join(sorted(root.commands))})"
        )
        command: click.Command = root
        for word in path:
            assert isinstance(command, click.Group)
            command = command.commands[word]
        assert not isinstance(command, click.Group), (
            f"`python -m {module} {' '.join(path)}` is a group: name one of its commands "
            f"({', '.join(sorted(command.commands))})"
        )
    result = CliRunner().invoke(root, [*path, "--help"])
    assert result.exit_code == 0, (
        f"`python -m {module} {' '.join(path)} --help` exited {result.exit_code}: "
        f"{result.output}{result.exception!r}"
    )


# -- the README is the guide -------------------------------------------------------------------


def test_the_readme_is_short_and_starts_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) < README_MAX_LINES, (
        f"README.md has {len(lines)} lines: keep it under {README_MAX_LINES}; "
        "move reference into docs/"
    )
    first_block = re.search(r"```[^\n]*\n(.*?)```", text, flags=re.DOTALL)
    assert first_block, "README.md: no code block"
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands[:2] == ["make run", "make test"], (
        f"README.md's first commands must be `make run` then `make test`, not {commands[:2]}"
    )
    assert not re.search(r"`[^`]+`", text[: first_block.start()]), (
        "README.md names something before the two commands"
    )


def test_the_readme_states_the_rule_for_transactions():
    text = " ".join(README.read_text(encoding="utf-8").split())
    assert "entrypoints commit; use cases never do" in text.lower()
    for entrypoint in ("routes", "front-door pages", "handlers", "consumer", "CLI", "workers"):
        assert entrypoint in text, f"README.md's rule for transactions omits {entrypoint}"


def test_the_readme_links_every_page_under_docs():
    linked = {
        (ROOT / target.partition("#")[0]).resolve()
        for target in doc_pages.links(README.read_text(encoding="utf-8"))
    }
    unlinked = [_name(page) for page in sorted((ROOT / "docs").glob("*.md")) if page not in linked]
    assert not unlinked, f"README.md does not link: {unlinked} (add them to 'Where to read next')"


# -- the checker checks itself -----------------------------------------------------------------

SAMPLE = """# A page

## The `run`: one, two

See [there](other.md#a-heading) and [here](#the-run-one-two), `https://x.org/a` and
[out](https://example.org). Run `python -m <service> outbox lag`, `make run`, read
`vetting/lifecycle/check.py`, `services/<service>/src/<service>/routes/` and
`notifications/templates/<message>/<recipient>.txt`; `shared.clock.end_of_london_day` and
`vetting.clearance_granted`; set `RATE_LIMIT_API_KEY`.
```sh
DATABASE_URL=x python -m vetting dead-letters replay 7 --all   # and ../shared/DESIGN.md
```
"""


def test_the_checker_reads_links_anchors_paths_names_and_commands():
    assert list(doc_pages.links(SAMPLE)) == ["other.md#a-heading", "#the-run-one-two"]
    assert doc_pages.anchors(SAMPLE) == {"a-page", "the-run-one-two"}
    assert doc_pages.repository_paths(SAMPLE) == {
        "services/vetting/src/vetting/lifecycle/check.py",
        *(f"services/{s}/src/{s}/routes" for s in doc_pages.SERVICES),
        "services/notifications/src/notifications/templates",
    }
    assert doc_pages.dotted_names(SAMPLE) == {
        "shared.clock.end_of_london_day",
        "vetting.clearance_granted",
    }
    assert doc_pages.upper_case_names(SAMPLE) == {"RATE_LIMIT_API_KEY", "DATABASE_URL"}
    assert doc_pages.make_targets(SAMPLE) == {"run"}
    commands = doc_pages.documented_commands(SAMPLE)
    assert ("vetting", ["dead-letters", "replay"]) in commands
    assert {m for m, w in commands if w == ["outbox", "lag"]} == set(doc_pages.SERVICES)
    assert doc_pages.resolves("shared.clock.end_of_london_day")
    assert not doc_pages.resolves("shared.clock.no_such_thing")


def test_anchors_are_githubs():
    assert doc_pages.slug("Broker users (`python -m shared broker-setup`)") == (
        "broker-users-python--m-shared-broker-setup"
    )
    assert (
        doc_pages.slug("`scale.py`: 1,000 and 100,000 records") == "scalepy-1000-and-100000-records"
    )
    assert doc_pages.anchors("# A\n## Twice\n## Twice\n```\n# not a heading\n```\n") == {
        "a",
        "twice",
        "twice-1",
    }


# -- the house plan is what the services hold -----------------------------------------------------

HOUSE_PLAN = ROOT / "docs" / "house-plan.md"


def house_plan_entries(text: str) -> tuple[set[str], set[str]]:
    """(required, optional) top-level entries of a service package, from the bullets under
    "## Inside a service": the code spans a bullet opens with, optional when it says so."""
    section = text.split("## Inside a service", 1)[1].split("\n## ", 1)[0]
    required: set[str] = set()
    optional: set[str] = set()
    for bullet in re.findall(r"^- (.+?)(?::|$)", section, flags=re.MULTILINE):
        names = set(re.findall(r"`([\w.]+/?)`", bullet))
        (optional if "(optional)" in bullet else required).update(names)
    doors = section.partition("front-door package (optional):")[2].split("\n- ", 1)[0]
    front_doors = re.findall(r"\w+'s is `(\w+/)`", doors)
    return required, optional | set(front_doors)


def _holds_source(entry: Path) -> bool:
    """A file, or a folder with a file in it that is not bytecode: a folder a move left behind
    with only __pycache__ in it (git does not remove it) is not part of the package."""
    if entry.name == "__pycache__":
        return False
    if entry.is_file():
        return True
    return any(
        path.is_file() and "__pycache__" not in path.relative_to(entry).parts
        for path in entry.rglob("*")
    )


def test_the_house_plan_names_what_each_service_holds():
    required, optional = house_plan_entries(HOUSE_PLAN.read_text(encoding="utf-8"))
    assert {"app.py", "service.py", "routes/", "service_layer/", "domain/"} <= required
    problems = []
    for service in doc_pages.SERVICES:
        package = ROOT / doc_pages.PACKAGE_DIRS[service]
        held = {
            entry.name + ("/" if entry.is_dir() else "")
            for entry in package.iterdir()
            if _holds_source(entry)
        }
        problems += [
            f"{service}: no {name} (the house plan requires it)" for name in required - held
        ]
        problems += [
            f"{service}: {name} is not in the house plan (docs/house-plan.md)"
            for name in sorted(held - required - optional)
        ]
        for module in ("service_layer/handlers.py", "service_layer/outgoing.py"):
            if not (package / module).exists():
                problems.append(f"{service}: no {module}")
    assert not problems, "\n".join(problems)
