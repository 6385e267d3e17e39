"""The vetting policy as frozen dataclasses, and the names the service fixes.

The service fixes the vocabulary (check names, DBS levels, access types, frequencies,
establishment flags) because code depends on it; the policy file fixes everything else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

CHECKS = (
    "IDENTITY",
    "ADDRESS_HISTORY",
    "CRIMINAL_RECORD",
    "DBS",
    "REFERENCES",
    "OFFENDER_CONNECTIONS",
    "CTC",
)
# Lowest first: a certificate at a later level satisfies a requirement for an earlier one.
DBS_LEVELS = ("BASIC", "STANDARD", "ENHANCED", "ENHANCED_WITH_BARRED_LISTS")
ACCESS_TYPES = ("ESCORTED", "UNESCORTED", "KEY_HOLDING")
FREQUENCIES = ("ONE_OFF", "OCCASIONAL", "REGULAR")
ESTABLISHMENT_FLAGS = ("high_security", "womens_estate", "children_held")
# What a change of circumstances can be, and when the policy may let one suspend a clearance
# before an officer has looked: ANY report of the kind, or only a reported offence in an
# unmanageable-risk category.
CHANGE_KINDS = ("NEW_CONVICTION", "NEW_CONNECTION", "CHANGE_OF_ADDRESS")
SUSPEND_WHEN = ("ANY", "UNMANAGEABLE_OFFENCE")
MAX_VALIDITY_MONTHS = 120  # fact: staff are re-vetted every 10 years


def dbs_rank(level: str | None) -> int:
    """0 for no DBS check, then 1.. in DBS_LEVELS order."""
    return 0 if level is None else DBS_LEVELS.index(level) + 1


class PolicyError(Exception):
    """The policy file is missing, unreadable or invalid. `errors` maps field paths to messages."""

    def __init__(self, message: str, errors: Mapping[str, list[str]] | None = None):
        super().__init__(message)
        self.errors: dict[str, list[str]] = dict(errors or {})


@dataclass(frozen=True)
class Level:
    name: str
    rank: int
    description: str
    checks: tuple[str, ...]
    dbs_level: str | None
    validity_months: int
    light_path: bool = False


@dataclass(frozen=True)
class EstablishmentRule:
    minimum_level: str | None = None
    minimum_dbs_level: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """Under `refer_within_years` => REFER; under `escorted_only_within_years` => escorted only."""

    refer_within_years: int
    escorted_only_within_years: int


@dataclass(frozen=True)
class OffenceCategory:
    name: str
    unmanageable: bool
    patterns: tuple[re.Pattern[str], ...]
    thresholds: Thresholds | None = None

    def matches(self, offence: str) -> bool:
        return any(pattern.search(offence) for pattern in self.patterns)


@dataclass(frozen=True)
class RiskPolicy:
    undeclared_match_window_days: int
    release: Thresholds
    offence: Thresholds
    offence_categories: tuple[OffenceCategory, ...]

    def categorise(self, offence: str) -> tuple[OffenceCategory, ...]:
        """Every category whose patterns match the free-text offence (none: uncategorised)."""
        return tuple(c for c in self.offence_categories if c.matches(offence))

    def offence_thresholds(self, categories: Iterable[OffenceCategory]) -> Thresholds:
        """The strictest (longest) thresholds among the categories', or the default."""
        found = [c.thresholds for c in categories if c.thresholds is not None] or [self.offence]
        return Thresholds(
            max(t.refer_within_years for t in found),
            max(t.escorted_only_within_years for t in found),
        )

    def longest_threshold_years(self) -> int:
        """No offence or release older than this many years raises a recency factor."""
        every = [self.release, self.offence] + [
            c.thresholds for c in self.offence_categories if c.thresholds is not None
        ]
        return max(t.escorted_only_within_years for t in every)


@dataclass(frozen=True)
class Policy:
    version: str
    checks: Mapping[str, str]  # check name -> description
    levels: tuple[Level, ...]  # lowest rank first
    level_by_access: Mapping[str, Mapping[str, str]]  # access -> frequency -> level name
    establishment_rules: Mapping[str, EstablishmentRule]  # flag -> rule
    address_history_years: int
    ctc_minimum_uk_residence_years: int
    dbs_update_service_accepted: bool
    dbs_certificate_retention_months: int
    reminder_days_before_expiry: tuple[int, ...]  # largest first
    risk: RiskPolicy
    # Change kind -> when a report of it suspends the clearance at once (SUSPEND_WHEN). A kind
    # not named here never does: the report waits for an officer's review.
    suspend_at_once: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # The conditions officers may pick when clearing (code -> words), and how long an "other"
    # condition, in the officer's words, may be.
    managed_conditions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    other_condition_max_length: int = 200
    # Days after an information request's chaser before it lapses to the officer as overdue.
    information_chase_grace_days: int = 10

    def suspends_at_once(self, kind: str, details: Mapping[str, object]) -> bool:
        """Whether a reported change of `kind` suspends the clearance before review."""
        when = self.suspend_at_once.get(kind)
        if when == "ANY":
            return True
        if when == "UNMANAGEABLE_OFFENCE":
            offence = str(details.get("offence") or "")
            return any(c.unmanageable for c in self.risk.categorise(offence))
        return False

    def level(self, name: str) -> Level:
        for level in self.levels:
            if level.name == name:
                return level
        raise KeyError(name)

    @property
    def highest_level(self) -> Level:
        return self.levels[-1]
