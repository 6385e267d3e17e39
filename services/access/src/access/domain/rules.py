"""The gate's rules and the terms', free of frameworks: what a clearance allows, what induction
needs, what the gate says. Everything here is a pure function of its arguments, so it is tested
directly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from access.domain.lifecycle import ClearanceStatus, GrantState
from shared.clock import end_of_london_day, london_date
from shared.events.vocabulary import WEEKDAYS as EVENT_WEEKDAYS

ACCESS_RANK = {"ESCORTED": 0, "UNESCORTED": 1, "KEY_HOLDING": 2}
ESCORTED_ONLY = "ESCORTED_ONLY"
# Monday first, as the event contracts name them.
WEEKDAYS = EVENT_WEEKDAYS
SECURITY_BRIEFING, ID_BADGE, KEY_TRAINING = "SECURITY_BRIEFING", "ID_BADGE", "KEY_TRAINING"
INDUCTION_ITEMS = (SECURITY_BRIEFING, ID_BADGE, KEY_TRAINING)

# Prisons in England keep English days: "Tuesdays only" means a Tuesday in London.
LOCAL_TIME = ZoneInfo("Europe/London")

# Why the gate says no, in the words the gate officer reads.
GATE_REASONS = {
    "ALLOWED": "Access allowed.",
    "NO_GRANT": "No access at this establishment.",
    "PENDING_REVIEW": "Access not yet decided by this establishment.",
    "APPROVED": "Approved, but induction is not complete.",
    "SUSPENDED": "Access is suspended.",
    "REFUSED": "Access was refused.",
    "REVOKED": "Access was revoked.",
    "ENDED": "Access has ended.",
    "EXCLUDED": "Excluded from this establishment.",
    "CLEARANCE_NOT_ACTIVE": "The security clearance is not in force.",
    "EXPIRED": "Access has expired.",
    "NOT_PERMITTED_TODAY": "Access is not permitted on this day.",
    "SEVERAL_MATCHES": "Several people match: choose the person at the gate.",
}


EXCLUDE_PREFIX = "EXCLUDE_ESTABLISHMENT:"


def conditions_for(conditions: Sequence[str], code: str) -> tuple[list[str], bool]:
    """What of a clearance's conditions one establishment may know: all it must enforce, and an
    exclusion only if it names this establishment (one naming another points at a connection
    with someone in custody there: theirs alone). Also whether anything was withheld, so the
    team sees that other conditions apply."""
    shown = [
        c
        for c in conditions
        if not c.startswith(EXCLUDE_PREFIX) or c.removeprefix(EXCLUDE_PREFIX) == code
    ]
    return shown, len(shown) != len(conditions)


def max_access(clearance_access: str, clearance_conditions: Sequence[str]) -> str:
    """The most a clearance allows: its access, or escorted only when it says so."""
    if ESCORTED_ONLY in clearance_conditions:
        return "ESCORTED"
    return clearance_access


def within(access_type: str, allowed: str) -> bool:
    return ACCESS_RANK[access_type] <= ACCESS_RANK[allowed]


def induction_required(access_type: str | None) -> tuple[str, ...]:
    """Briefing and badge for everyone; key training before anyone may draw keys."""
    if access_type == "KEY_HOLDING":
        return INDUCTION_ITEMS
    return (SECURITY_BRIEFING, ID_BADGE)


def induction_outstanding(induction: Mapping[str, Any], access_type: str | None) -> list[str]:
    return [item for item in induction_required(access_type) if item not in induction]


def through_the_day(moment: datetime) -> datetime:
    """A validity as people read it: "valid until 3 June" holds to the end of 3 June in London,
    whatever time of day it was set at."""
    return end_of_london_day(london_date(moment))


def last_day(*moments: datetime | None) -> date:
    """The last London date of the earliest of these validities."""
    return min(london_date(moment) for moment in moments if moment is not None)


def terms_problems(
    *,
    access_type: str,
    allowed: str,
    valid_until: datetime,
    clearance_expires_at: datetime,
    moment: datetime,
    permitted_days: Sequence[str] | None,
) -> dict[str, list[str]]:
    """Field errors for an approval's terms: nothing above the clearance, nothing past it.
    Both are dates as people read them (London): the clearance's last day may be the grant's."""
    problems: dict[str, list[str]] = {}
    if not within(access_type, allowed):
        problems["access_type"] = [
            f"The clearance allows at most {allowed}; {access_type} is above it."
        ]
    until, expires = london_date(valid_until), london_date(clearance_expires_at)
    if until > expires:
        problems["valid_until"] = [
            f"Must not be after the clearance expires ({expires.day} {expires:%B %Y})."
        ]
    elif until < london_date(moment):
        problems["valid_until"] = ["Must not be in the past."]
    if permitted_days is not None and not permitted_days:
        problems["permitted_days"] = ["Give at least one day, or leave out for every day."]
    return problems


@dataclass(frozen=True)
class GateView:
    """The one row the gate reads (a grant), as plain values."""

    grant_id: str
    status: str
    clearance_status: str
    clearance_expires_at: datetime
    access_type: str | None
    conditions: Sequence[str]
    permitted_days: Sequence[str] | None
    permitted_areas: Sequence[str]
    valid_until: datetime | None
    forenames: str | None
    surname: str | None
    date_of_birth: date | None
    badge_number: str | None


@dataclass(frozen=True)
class GateResult:
    allowed: bool
    reason: str
    grant: GateView | None = None
    message: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "message", GATE_REASONS[self.reason])


def ends_at(view: GateView) -> datetime:
    """The last instant the grant holds: the end (London) of its last day or its clearance's."""
    return end_of_london_day(last_day(view.valid_until, view.clearance_expires_at))


def gate_decision(view: GateView | None, moment: datetime) -> GateResult:
    """May this person come in now? Every way of saying no has its own reason."""
    if view is None:
        return GateResult(False, "NO_GRANT")
    if view.status != GrantState.ACTIVE:
        return GateResult(False, view.status, view)
    if view.clearance_status != ClearanceStatus.ACTIVE:
        return GateResult(False, "CLEARANCE_NOT_ACTIVE", view)
    if moment > ends_at(view):
        return GateResult(False, "EXPIRED", view)
    if view.permitted_days:
        today = WEEKDAYS[moment.astimezone(LOCAL_TIME).weekday()]
        if today not in view.permitted_days:
            return GateResult(False, "NOT_PERMITTED_TODAY", view)
    return GateResult(True, "ALLOWED", view)
