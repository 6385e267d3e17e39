"""Clearance levels as the services other than vetting see them: a packaged summary of the
vetting policy (`shared/data/clearance_levels.yaml`, checked against the policy by a test).

Applications reads it to ask only for what the level of a request needs (a one-off escorted
visitor gives identity details only); every screen, email and document names a level by its
`label` ("Level 1 (identity)"), never by a word that is also a DBS certificate level.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

# The sections of an application each check reads. IDENTITY reads the applicant's names, date
# and place of birth, contact, identity documents and current address, which every level needs.
SECTIONS_BY_CHECK: Mapping[str, tuple[str, ...]] = {
    "ADDRESS_HISTORY": ("address_history",),
    "CRIMINAL_RECORD": ("declarations",),
    "DBS": ("declarations",),
    "REFERENCES": ("referees",),
    "CTC": ("uk_residence",),
}
SECTIONS = ("address_history", "declarations", "referees", "uk_residence")

ACCESS_WORDS = {"ESCORTED": "escorted", "UNESCORTED": "unescorted", "KEY_HOLDING": "key-holding"}
FREQUENCY_WORDS = {"ONE_OFF": "a one-off", "OCCASIONAL": "an occasional", "REGULAR": "a regular"}


@dataclass(frozen=True)
class ClearanceLevel:
    code: str
    label: str
    rank: int
    checks: tuple[str, ...]
    light_path: bool = False

    @property
    def sections(self) -> frozenset[str]:
        """The optional sections of an application this level needs (see SECTIONS)."""
        return frozenset(s for check in self.checks for s in SECTIONS_BY_CHECK.get(check, ()))


@dataclass(frozen=True)
class ClearanceSummary:
    policy_version: str
    levels: tuple[ClearanceLevel, ...]  # lowest rank first
    level_by_access: Mapping[str, Mapping[str, str]]
    minimum_level_where: Mapping[str, str]  # establishment flag -> level code
    address_history_years: int
    ctc_minimum_uk_residence_years: int

    def level(self, code: str) -> ClearanceLevel:
        for level in self.levels:
            if level.code == code:
                return level
        raise KeyError(code)

    @property
    def highest(self) -> ClearanceLevel:
        return self.levels[-1]

    def level_for(
        self, access: object, frequency: object, establishments: Iterable[Any]
    ) -> ClearanceLevel:
        """The level a request needs; the highest while access or frequency is unknown (a draft
        is asked for everything until it says what it is for). `establishments` are objects
        with the reference data's flags as attributes (unknown codes are left out)."""
        by_frequency = self.level_by_access.get(access) if isinstance(access, str) else None
        code = by_frequency.get(frequency) if by_frequency and isinstance(frequency, str) else None
        if code is None:
            return self.highest
        level = self.level(code)
        if level.light_path:
            return level
        for site in establishments:
            for flag, floor in self.minimum_level_where.items():
                if getattr(site, flag, False) and self.level(floor).rank > level.rank:
                    level = self.level(floor)
        return level

    def label(self, code: object) -> str:
        """The level's label, or the code itself for one the summary does not know."""
        try:
            return self.level(str(code)).label
        except KeyError:
            return str(code or "")


def visit_words(access: object, frequency: object) -> str:
    """'a one-off escorted visit'; '' when either is unknown."""
    if access in ACCESS_WORDS and frequency in FREQUENCY_WORDS:
        return f"{FREQUENCY_WORDS[str(frequency)]} {ACCESS_WORDS[str(access)]} visit"
    return ""


def summary_from_mapping(data: Mapping[str, Any]) -> ClearanceSummary:
    levels = tuple(
        ClearanceLevel(
            code=code,
            label=str(level["label"]),
            rank=rank,
            checks=tuple(level["checks"]),
            light_path=bool(level.get("light_path", False)),
        )
        for rank, (code, level) in enumerate(data["levels"].items(), start=1)
    )
    return ClearanceSummary(
        policy_version=str(data["policy_version"]),
        levels=levels,
        level_by_access={a: dict(f) for a, f in data["level_by_access"].items()},
        minimum_level_where=dict(data.get("minimum_level_where") or {}),
        address_history_years=int(data["address_history_years"]),
        ctc_minimum_uk_residence_years=int(data["ctc_minimum_uk_residence_years"]),
    )


@cache
def load_summary() -> ClearanceSummary:
    """The packaged summary (read once per process)."""
    text = resources.files("shared.data").joinpath("clearance_levels.yaml").read_text("utf-8")
    return summary_from_mapping(yaml.safe_load(text))


def clearance_label(code: object) -> str:
    """'Level 1 (identity)' for ESCORTED_VISITOR: how people read a clearance level."""
    return load_summary().label(code)


def dbs_certificate_label(code: object) -> str:
    """'Enhanced with barred lists' for ENHANCED_WITH_BARRED_LISTS: a DBS certificate level,
    always shown after the words "DBS certificate" so it is never read as a clearance level."""
    words = str(code or "").replace("_", " ").strip().lower()
    return words[:1].upper() + words[1:] if words else "None"
