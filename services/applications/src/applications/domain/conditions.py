"""What an organisation may know of the conditions on its volunteer's clearance.

A condition naming a prison to keep the volunteer out of points at a connection with someone
held there: only that prison is told which. The organisation learns that such a condition
exists (what it must plan around), not where.
"""

from __future__ import annotations

EXCLUSION_PREFIX = "EXCLUDE_ESTABLISHMENT:"
EXCLUSIONS_APPLY = "ESTABLISHMENT_RESTRICTIONS_APPLY"


def organisation_conditions(conditions: list[str]) -> list[str]:
    kept = [c for c in conditions if not c.startswith(EXCLUSION_PREFIX)]
    return [*kept, EXCLUSIONS_APPLY] if len(kept) < len(conditions) else kept
