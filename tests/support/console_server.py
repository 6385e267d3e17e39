"""The security console as the browser tests drive it: the access web process for real, the
officers at the test identity provider, a seeder, and the system's Chromium (never a
downloaded browser)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.access_harness import Access

CHROMIUM = os.environ.get("CONSOLE_CHROMIUM", "/usr/bin/chromium")
# Headless and quiet: nothing phones home, nothing updates itself, no sandbox (root in CI).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Users at the test identity provider: username -> (name, role, establishment).
OFFICERS = {
    "ann": ("Ann Shaw", "security_officer", "WWI"),
    "dan": ("Dan Okafor", "security_officer", "BMI"),
}


@dataclass
class ConsoleServer:
    url: str
    env: dict[str, str]
    seeder: Access
    shots: Path

    def seed_request(self, surname: str, code: str = "WWI", **clearance: Any) -> tuple[str, str]:
        """A cleared person asking to come into `code` (the clearance's other fields as given):
        (grant id, person id)."""
        data = self.seeder.grant_clearance(
            establishments=(code,), forenames="Rosa", surname=surname, **clearance
        )
        return self.seeder.grant_id(data["person_id"], code), data["person_id"]

    def seed_reopened(self, surname: str) -> str:
        """A person Wandsworth admitted then revoked, cleared again: the new request's id."""
        grant_id, person_id = self.seed_request(surname)
        self.seeder.activate(grant_id)
        self.seeder.decide(grant_id, "revocation", {"reason": "Passed a package."}, who="head")
        self.seeder.grant_clearance(person_id=person_id, forenames="Rosa", surname=surname)
        return self.seeder.grant_id(person_id)
