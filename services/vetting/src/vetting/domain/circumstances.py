"""Reports of a change of circumstances: where a change joins the applicant's data, a report's
status (OPEN while an officer's review holds it, DONE once its outcome is final), and how a
review's outcome is told to the reporting organisation."""

from __future__ import annotations

from enum import StrEnum

# Where each kind of change joins the applicant's details: (section or None, list).
CHANGE_SECTIONS = {
    "NEW_CONVICTION": ("declarations", "convictions"),
    "NEW_CONNECTION": (None, "connections"),
    "CHANGE_OF_ADDRESS": (None, "addresses"),
}
# A review's outcome, as the reporting organisation is told it.
REVIEW_OUTCOMES = {"CONTINUE": "NO_CHANGE", "SUSPEND": "SUSPENDED", "REVOKE": "CLEARANCE_REVOKED"}


class ReportStatus(StrEnum):
    OPEN = "OPEN"
    DONE = "DONE"
