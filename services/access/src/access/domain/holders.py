"""Who holds access here: the filters and orders of an establishment's list of grants, free of
frameworks (the service layer turns them into a query; the API and the console read them).

Only current grants are listed (a closed grant a later clearance superseded is history, shown
on the person's page). The filters combine: every one given must hold.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from access.domain.lifecycle import LIVE
from shared.clock import end_of_london_day, london_date

KEY_HOLDING = "KEY_HOLDING"
# How a list may be ordered; every order ends on the grant's id, so pages never overlap.
SORTS = ("name", "valid_until", "status", "granted_at", "requested_at", "badge")
DIRECTIONS = ("asc", "desc")
MAX_EXPIRING_DAYS = 366
# "Expiring" concerns access someone holds: a refused or ended grant does not expire.
EXPIRING_STATES = frozenset(LIVE)


@dataclass(frozen=True)
class HolderFilters:
    statuses: tuple[str, ...] = ()
    access_types: tuple[str, ...] = ()
    key_holders: bool = False
    expiring_within_days: int | None = None
    review_due: bool = False
    awaiting_induction: bool = False

    @classmethod
    def of(cls, data: dict[str, Any]) -> HolderFilters:
        """From a loaded query (unknown keys, such as the order and the page, ignored)."""
        return cls(
            statuses=tuple(sorted(set(data.get("status") or ()))),
            access_types=tuple(sorted(set(data.get("access_type") or ()))),
            key_holders=bool(data.get("key_holders")),
            expiring_within_days=data.get("expiring_within_days"),
            review_due=bool(data.get("review_due")),
            awaiting_induction=bool(data.get("awaiting_induction")),
        )

    def given(self) -> dict[str, Any]:
        """The filters in use, as query parameters (for links, the audit entry and the CSV
        link): statuses and codes, never a person."""
        given: dict[str, Any] = {}
        if self.statuses:
            given["status"] = list(self.statuses)
        if self.access_types:
            given["access_type"] = list(self.access_types)
        for name in ("key_holders", "review_due", "awaiting_induction"):
            if getattr(self, name):
                given[name] = "true"
        if self.expiring_within_days is not None:
            given["expiring_within_days"] = self.expiring_within_days
        return given


@dataclass(frozen=True)
class Order:
    sort: str = "name"
    direction: str = "asc"

    @property
    def descending(self) -> bool:
        return self.direction == "desc"


def expiring_window(moment: datetime, days: int) -> tuple[datetime, datetime]:
    """From now to the end of the London day `days` days from today: "expiring within 30 days"
    includes the whole thirtieth day, as "valid until" means through that day."""
    return moment, end_of_london_day(london_date(moment) + timedelta(days=days))


def review_due_by(moment: datetime) -> date:
    """An exclusion is due for review once its review date (a London date) has come."""
    return london_date(moment)
