"""docs/operations.md is a runbook someone follows at 3 a.m.: what it tells them to type must
exist. Every `python -m <module> <command...>` in it names a command of that CLI (checked by
invoking the command path with --help), every environment variable is one the code reads or one
the document lists as another program's, and every `make` target is in the Makefile."""

from __future__ import annotations

import importlib
import importlib.util
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from shared.cli import make_cli
from shared.config import KNOWN_ENV_VARS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "operations.md"
SERVICES = ("applications", "vetting", "access", "notifications")
# A placeholder service in the document means: every service has this command.
SERVICE_PLACEHOLDERS = ("<service>", "<svc>")
# Upper-case words with underscores that are not environment variables.
NOT_VARIABLES = frozenset(
    {
        "PRECONDITION_FAILED",
        "KNOWN_ENV_VARS",
        "DEFAULT_PORTS",
        "ORGANISATION_ID",
        "KEY_ID",
        "TABLE_DATA",
        "CURRENT_TIMESTAMP",
        "SUBSCRIPTIONS",
        "IN_PROGRESS",
        "UNTRUSTED_PUBLISHER",
        "RETIRED_SUBSCRIPTIONS",
    }
)
OTHERS_HEADING = "## Variables that are not the services' own"

COMMAND = re.compile(r"python -m ([\w.<>]+)((?:[ \t]+[a-z][\w-]*)*)")
VARIABLE = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\w-])")
MAKE = re.compile(r"(?:^|[`\s(])make ([a-z][\w-]*)", re.MULTILINE)


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _code(text: str) -> str:
    """The code in the document: fenced blocks and inline spans (prose says "make" freely)."""
    fenced = re.findall(r"```[^\n]*\n(.*?)```", text, flags=re.DOTALL)
    without_fences = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return "\n".join(fenced + re.findall(r"`([^`\n]+)`", without_fences))


def _service_cli(service: str) -> click.Group:
    definition = importlib.import_module(f"{service}.service").definition()
    return make_cli(definition, f"{service}.app:create_app()")


def _cli(module: str) -> click.Command:
    if module in SERVICES:
        return _service_cli(module)
    main = getattr(importlib.import_module(module), "main", None)
    if main is None and importlib.util.find_spec(f"{module}.__main__") is not None:
        entry = importlib.import_module(f"{module}.__main__")  # `python -m` runs this
        main = getattr(entry, "main", None) or getattr(entry, "cli", None)
    assert isinstance(main, click.Command), f"python -m {module}: no click command `main`"
    return main


def _command_path(root: click.Command, words: list[str]) -> list[str]:
    """The leading words that name (sub)commands; the rest are arguments."""
    path: list[str] = []
    command = root
    for word in words:
        if not isinstance(command, click.Group) or word not in command.commands:
            break
        path.append(word)
        command = command.commands[word]
    return path


def documented_commands(text: str) -> list[tuple[str, list[str]]]:
    """(module, the words after it) for each `python -m` in the document's code, placeholders
    expanded to every service."""
    found: list[tuple[str, list[str]]] = []
    code = _code(text)
    for match in COMMAND.finditer(code):
        module, rest = match.groups()
        if not rest.strip() and re.match(r"[ \t]*(?:…|<command)", code[match.end() :]):
            continue  # a sentence about commands in general: "python -m <service> …"
        modules = SERVICES if module in SERVICE_PLACEHOLDERS else (module,)
        found.extend((name, rest.split()) for name in modules)
    return found


def test_the_document_names_commands_of_every_kind():
    commands = documented_commands(_doc())
    assert {module for module, _ in commands} >= {*SERVICES, "shared.subject_access_bundle"}
    assert len(commands) > 40


@pytest.mark.parametrize(
    "module, words", sorted({(m, tuple(w)) for m, w in documented_commands(_doc())})
)
def test_every_documented_command_exists(module: str, words: tuple[str, ...]):
    root = _cli(module)
    path = _command_path(root, list(words))
    if isinstance(root, click.Group):
        # A service command line must name a command; what follows may be its arguments.
        assert path, (
            f"`python -m {module} {' '.join(words)}`: {words[0] if words else '(none)'}"
            f" is not a command of {module} (has: {', '.join(sorted(root.commands))})"
        )
        command = root
        for word in path:
            command = command.commands[word]  # type: ignore[attr-defined]
        assert not isinstance(command, click.Group), (
            f"`python -m {module} {' '.join(path)}` is a group: name one of its commands "
            f"({', '.join(sorted(command.commands))})"
        )
    result = CliRunner().invoke(root, [*path, "--help"])
    assert result.exit_code == 0, (
        f"`python -m {module} {' '.join(path)} --help` exited {result.exit_code}: "
        f"{result.output}{result.exception!r}"
    )


def _other_programs_variables(text: str) -> dict[str, str]:
    section = text.split(OTHERS_HEADING, 1)
    assert len(section) == 2, f"the document needs the section {OTHERS_HEADING!r}"
    body = section[1].split("\n## ", 1)[0]
    return {
        match.group(1): match.group(2).strip()
        for match in re.finditer(r"^\| `([A-Z0-9_]+)` \| (.+?) \|$", body, re.MULTILINE)
    }


def _source_text(*roots: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8") for root in roots for path in sorted(root.rglob("*.py"))
    )


def test_every_environment_variable_named_is_read_by_something():
    text = _doc()
    others = _other_programs_variables(text)
    assert others, f"no variables listed under {OTHERS_HEADING!r}"
    # The others must really be read by what the table says: the dev stack, the bundle, compose.
    elsewhere = (
        _source_text(ROOT / "shared" / "src")
        + (ROOT / "docker-compose.yml").read_text()
        + (ROOT / "Makefile").read_text()
    )
    problems = [
        f"{name}: listed as read by {who!r}, but nothing there reads it"
        for name, who in others.items()
        if name not in elsewhere
    ]
    service_sources = {
        service: _source_text(ROOT / "services" / service / "src") for service in SERVICES
    }
    for name in sorted(set(VARIABLE.findall(text))):
        if name in KNOWN_ENV_VARS or name in others or name in NOT_VARIABLES:
            continue
        owner = next((s for s in SERVICES if name.startswith(s.upper() + "_")), None)
        if owner is not None and f'"{name}"' in service_sources[owner]:
            continue  # a service's own setting, read through Settings.extra
        problems.append(
            f"{name}: not in shared.config.KNOWN_ENV_VARS, not read by a service, "
            f"and not listed under {OTHERS_HEADING!r}"
        )
    assert not problems, "docs/operations.md:\n" + "\n".join(problems)


def test_every_make_target_named_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][\w-]*):", makefile, re.MULTILINE))
    named = set(MAKE.findall(_code(_doc())))
    assert named, "the document names no make target"
    assert named <= targets, f"make targets not in the Makefile: {sorted(named - targets)}"


def test_the_checker_reads_commands_placeholders_and_code_only():
    sample = (
        "Run `python -m <service> outbox lag` or:\n```sh\n"
        "DATABASE_URL=x python -m vetting dead-letters replay 7 --all\n```\n"
        "and make sure (prose) then `make run`."
    )
    commands = documented_commands(sample)
    assert ("vetting", ["dead-letters", "replay"]) in commands
    assert {m for m, w in commands if w == ["outbox", "lag"]} == set(SERVICES)
    assert MAKE.findall(_code(sample)) == ["run"]
