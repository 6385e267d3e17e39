"""Values the event contracts share with the services that validate the same things."""

from __future__ import annotations

from marshmallow import validate

ESTABLISHMENT_CODE = validate.Regexp(r"^[A-Z]{2,4}$", error="Not a valid establishment code.")
ACCESS_TYPES = ("ESCORTED", "UNESCORTED", "KEY_HOLDING")
FREQUENCIES = ("ONE_OFF", "OCCASIONAL", "REGULAR")
ROLES = ("GROUP_FACILITATOR", "VISITING_SPEAKER", "SPONSOR", "COORDINATOR")
CHANNELS = ("EMAIL", "SMS")
CHANGE_KINDS = ("NEW_CONVICTION", "NEW_CONNECTION", "CHANGE_OF_ADDRESS")
# Why an organisation stopped sponsoring a volunteer, as a code (the words stay with it).
SPONSORSHIP_END_REASONS = ("LEFT_ORGANISATION", "NO_LONGER_VOLUNTEERING", "CONDUCT", "OTHER")
CHECKS = (
    "IDENTITY",
    "ADDRESS_HISTORY",
    "CRIMINAL_RECORD",
    "DBS",
    "REFERENCES",
    "OFFENDER_CONNECTIONS",
    "CTC",
)
CHECK_OUTCOMES = ("PASSED", "ADVERSE")
# What became of a reported change of circumstances, as its reporting organisation is told:
# UNDER_REVIEW (an officer has it), SUSPENDED (the clearance is suspended meanwhile or as the
# review's outcome), NO_CHANGE (reviewed: the clearance continues), CLEARANCE_REVOKED,
# IN_VETTING (not cleared yet: the change joins the vetting under way), NO_LIVE_CLEARANCE
# (nothing to review: kept on file).
CIRCUMSTANCE_OUTCOMES = (
    "UNDER_REVIEW",
    "SUSPENDED",
    "NO_CHANGE",
    "CLEARANCE_REVOKED",
    "IN_VETTING",
    "NO_LIVE_CLEARANCE",
)
# Why a clearance was suspended, as a code: the reasons themselves stay in vetting.
SUSPENSION_REASONS = ("CHANGE_OF_CIRCUMSTANCES", "OFFICER_DECISION")
# An access grant's states at one establishment (DESIGN §3), and who moved it.
GRANT_STATUSES = (
    "PENDING_REVIEW",
    "APPROVED",
    "ACTIVE",
    "SUSPENDED",
    "REFUSED",
    "REVOKED",
    "ENDED",
    "EXCLUDED",
)
ACTED_BY = ("ESTABLISHMENT", "VETTING", "ORGANISATION")
# The days a grant may allow, Monday first.
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")

# The publishing service of each event type: the part of the type before the dot.
PUBLISHER_OF_PREFIX = {
    "application": "applications",
    # An organisation's own business (its portal members): the applications service owns it.
    "organisation": "applications",
    "vetting": "vetting",
    "access": "access",
    "notification": "notifications",
}


def publisher_of(event_type: str) -> str:
    return PUBLISHER_OF_PREFIX[event_type.split(".", 1)[0]]
