"""docs/operations.md is a runbook someone follows at 3 a.m.: what it tells them to type must
exist. Every `python -m <module> <command...>` in it names a command of that CLI (checked, for
every page, by test_docs.py), every environment variable is one the code reads or one the
document lists as another program's, and every `make` target is in the Makefile."""

from __future__ import annotations

import re
from pathlib import Path

from shared.config import KNOWN_ENV_VARS
from shared.startup_secrets import REQUIRED_SECRETS
from tests.support.doc_pages import MAKE, ROOT, SERVICES, documented_commands
from tests.support.doc_pages import code as _code

DOC = ROOT / "docs" / "operations.md"
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
        "IN_PROGRESS",
        "UNTRUSTED_PUBLISHER",
        "RETIRED_SUBSCRIPTIONS",
        "ACCESS_REFUSED",
        "KNOWN_DEFAULTS",
        "REQUIRED_SECRETS",
        "STAFF_ROLES",
    }
)
OTHERS_HEADING = "## Variables that are not the services' own"

VARIABLE = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?![\w-])")


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_the_document_names_commands_of_every_kind():
    commands = documented_commands(_doc())
    assert {module for module, _ in commands} >= {*SERVICES, "subject_access_bundle"}
    assert len(commands) > 40


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


def _front_door_setting(name: str, source: str) -> bool:
    from shared.frontdoor.door import SETTING_NAMES

    return any(
        name == f"{prefix}_{setting}"
        for prefix in re.findall(r'env_prefix="([A-Z0-9_]+)"', source)
        for setting in SETTING_NAMES
    )


def test_every_environment_variable_named_is_read_by_something():
    text = _doc()
    others = _other_programs_variables(text)
    assert others, f"no variables listed under {OTHERS_HEADING!r}"
    # The others must really be read by what the table says: the dev stack, the bundle,
    # compose, the Kubernetes manifests.
    elsewhere = (
        _source_text(ROOT / "shared" / "src", ROOT / "tools")
        + (ROOT / "docker-compose.yml").read_text()
        + (ROOT / "Makefile").read_text()
        + (ROOT / "Dockerfile").read_text()
        + "".join(path.read_text() for path in sorted((ROOT / "deploy" / "k8s").rglob("*.yaml")))
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
        if name in {entry.variable for entry in REQUIRED_SECRETS}:
            continue  # every process's start-up check reads it (shared.startup_secrets)
        owner = next((s for s in SERVICES if name.startswith(s.upper() + "_")), None)
        if owner is not None and f'"{name}"' in service_sources[owner]:
            continue  # a service's own setting, read through Settings.extra
        if owner is not None and _front_door_setting(name, service_sources[owner]):
            continue  # a front door's, read as <its env_prefix>_<setting> (shared.frontdoor)
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
