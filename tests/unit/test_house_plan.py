"""Every service is laid out the same way (docs/house-plan.md): the same rooms, the handlers
and the outgoing events in one module each, a domain free of frameworks and sessions, use
cases that never commit, and states written as their enum members outside the domain."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.house_plan import bare_states, problems

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("applications", "vetting", "access", "notifications")


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_follows_the_house_plan(service: str) -> None:
    assert problems(ROOT / "services" / service / "src" / service) == []


@pytest.mark.parametrize("service", SERVICES)
def test_states_are_enum_members_outside_the_domain(service: str) -> None:
    assert bare_states(ROOT / "services" / service / "src" / service) == []


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_the_check_finds_each_kind_of_departure(tmp_path: Path) -> None:
    package = tmp_path / "svc"
    _write(
        package,
        {
            "__init__.py": "",
            "app.py": "",
            "service.py": "",
            "models.py": "",
            "routes/__init__.py": "",
            "routes/common.py": "",
            "schemas/__init__.py": "",
            "service_layer/__init__.py": "",
            "service_layer/handlers.py": "",
            "service_layer/grants.py": (
                "def approve(uow):\n    uow.emit('x', '1', {})\n    uow.commit()\n"
            ),
            "domain/__init__.py": "",
            "domain/rules.py": (
                "from typing import TYPE_CHECKING\nimport flask\nfrom svc.models import Grant\n"
                "if TYPE_CHECKING:\n    from sqlalchemy.orm import Session\n"
            ),
            "migrations/env.py": "",
            "helpers.py": "",
            "stale/__pycache__/x.pyc": "",
        },
    )
    assert problems(package) == [
        "svc: unexpected helpers.py at the top level",
        "svc: missing service_layer/outgoing.py",
        "svc/domain/rules.py:2: the domain imports flask",
        "svc/domain/rules.py:3: the domain imports svc.models",
        "svc/routes/common.py: a module called common.py (name it for what it holds)",
        "svc/service_layer/grants.py:3: a use case commits",
        "svc/service_layer/grants.py:2: an event built outside service_layer/outgoing.py",
    ]


def test_the_check_finds_a_state_written_as_a_bare_string(tmp_path: Path) -> None:
    package = tmp_path / "svc"
    _write(
        package,
        {
            "domain/lifecycle.py": (
                "from enum import StrEnum\n\n\nclass GrantState(StrEnum):\n"
                "    ACTIVE = 'ACTIVE'\n    ENDED = 'ENDED'\n"
            ),
            "service_layer/grants.py": (
                "from svc.domain.lifecycle import GrantState\n\n\ndef end(grant):\n"
                "    if grant.status == GrantState.ACTIVE:\n        grant.status = 'ENDED'\n"
                "    return grant.status in ('ACTIVE',)\n"
            ),
        },
    )
    assert bare_states(package) == [
        "svc/service_layer/grants.py:6: a bare state string",
        "svc/service_layer/grants.py:7: a bare state string",
    ]
