"""What the request's clearance level needs of the application: the vetting policy's level for
the access, frequency and establishments (from the packaged summary, `shared.clearance`), and
the sections that level's checks read. A section the level does not need is not checked, and
readiness says so in plain words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from applications.domain.readiness.placement import requested
from applications.domain.readiness.problems import ReadinessPolicy
from shared.clearance import ClearanceLevel, visit_words

# The sections a coordinator may leave out when the level does not need them: (path, words).
OPTIONAL = {
    "address_history": ("applicant.addresses", "Addresses before the current one"),
    "declarations": ("applicant.declarations", "Declarations of convictions and cautions"),
    "referees": ("applicant.referees", "Referees"),
}


@dataclass(frozen=True)
class NotNeeded:
    section: str  # the path of the section, e.g. "applicant.referees"
    message: str


@dataclass(frozen=True)
class Needs:
    level: ClearanceLevel
    visit: str  # "a one-off escorted visit"; "" until access and frequency are chosen

    def needs(self, section: str) -> bool:
        return section in self.level.sections

    @property
    def not_needed(self) -> list[NotNeeded]:
        why = self.visit or "this request"
        return [
            NotNeeded(
                path,
                f"{words} are not needed for {why} (clearance level: {self.level.label}).",
            )
            for section, (path, words) in OPTIONAL.items()
            if not self.needs(section)
        ]


def clearance_needs(
    application: dict[str, Any], establishments: Mapping[str, Any], policy: ReadinessPolicy
) -> Needs:
    sites = [establishments[c] for c in requested(application) if c in establishments]
    access, frequency = application.get("requested_access"), application.get("frequency")
    return Needs(
        policy.clearance.level_for(access, frequency, sites), visit_words(access, frequency)
    )
