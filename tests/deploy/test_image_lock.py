"""The images' locked dependency sets (deploy/requirements/<service>.txt, `make lock`): every
pin of the pyprojects is in its service's lock at the same version, every package there is
pinned with its hashes (so `pip --require-hashes` installs exactly those files), and none of our
own packages is among them. A pyproject changed without `make lock` fails here."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("applications", "vetting", "access", "notifications")
PIN = re.compile(r"^([A-Za-z0-9._-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def _lock_module():
    spec = importlib.util.spec_from_file_location("deploy_lock", ROOT / "deploy" / "lock.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def _locked(service: str) -> dict[str, tuple[str, int]]:
    """name → (version, how many hashes) of deploy/requirements/<service>.txt."""
    entries: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "deploy" / "requirements" / f"{service}.txt").read_text().splitlines():
        match = PIN.match(line)
        if match:
            current = _name(match.group(1))
            entries[current] = (match.group(2), 0)
        elif "--hash=sha256:" in line and current is not None:
            version, hashes = entries[current]
            entries[current] = (version, hashes + 1)
    return entries


@pytest.mark.parametrize("service", SERVICES)
def test_the_lock_holds_every_pin_of_the_pyprojects_with_hashes(service):
    lock = _lock_module()
    locked = _locked(service)
    assert len(locked) > 20
    for requirement in lock.direct_requirements(service):
        match = PIN.match(requirement)
        assert match, f"{requirement}: the pyprojects pin exact versions"
        name, version = _name(match.group(1)), match.group(2)
        assert name in locked, f"{name} is not in {service}.txt: run `make lock`"
        assert locked[name][0] == version, f"{name}: {locked[name][0]} locked, {version} wanted"
    for name, (_version, hashes) in locked.items():
        assert hashes >= 1, f"{name} has no hash"
        assert not name.startswith("ma-"), f"{name}: our own packages are built, not locked"
    source = (ROOT / "deploy" / "requirements" / f"{service}.in").read_text().splitlines()
    assert [line for line in source if not line.startswith("#")] == lock.direct_requirements(
        service
    )
