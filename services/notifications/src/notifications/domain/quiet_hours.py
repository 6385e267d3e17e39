"""Quiet hours: no text message arrives in the night.

A text wakes a phone; an email waits in an inbox. So only SMS is held back: one due inside the
quiet window waits for the window's end, in London time (the volunteers and the prisons are in
England), with the clocks' changes taken into account. `next_send_time` is pure so that the
queueing code and the sender agree on it and it can be tested on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
DEFAULT_QUIET_HOURS = "21:00-08:00"
# The channels quiet hours hold back.
QUIET_CHANNELS = frozenset({"SMS"})

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class QuietHoursError(ValueError):
    """A quiet-hours setting that cannot be read."""


@dataclass(frozen=True)
class QuietHours:
    """From `start` (inclusive) to `end` (exclusive), local wall-clock time in `zone`. When
    `start` is after `end` the window spans midnight (the usual case: 21:00-08:00)."""

    start: time
    end: time
    zone: ZoneInfo = LONDON

    def contains(self, local: time) -> bool:
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_quiet_hours(text: str | None, zone: ZoneInfo = LONDON) -> QuietHours | None:
    """ "HH:MM-HH:MM" → QuietHours; "" (or None) → None: no quiet hours."""
    if text is None or not text.strip():
        return None
    match = _WINDOW.match(text)
    if match is None:
        raise QuietHoursError(f"quiet hours must look like 21:00-08:00 (or be empty), not {text!r}")
    hours_start, minutes_start, hours_end, minutes_end = (int(g) for g in match.groups())
    try:
        start, end = time(hours_start, minutes_start), time(hours_end, minutes_end)
    except ValueError as exc:
        raise QuietHoursError(f"quiet hours {text!r}: {exc}") from None
    if start == end:
        raise QuietHoursError(
            f"quiet hours {text!r} start and end at the same time; leave the setting empty for none"
        )
    return QuietHours(start, end, zone)


def next_send_time(
    channel: str, moment: datetime, quiet_hours: QuietHours | str | None
) -> datetime:
    """The earliest time at or after `moment` (aware) that a message on `channel` may be sent:
    `moment` itself, unless it is an SMS inside quiet hours, then the end of those quiet hours
    (London wall-clock time, so 08:00 is 08:00 in GMT and in BST alike). Returned in UTC."""
    if moment.tzinfo is None:
        raise ValueError("moment must be timezone-aware")
    window = parse_quiet_hours(quiet_hours) if isinstance(quiet_hours, str) else quiet_hours
    moment = moment.astimezone(UTC)
    if window is None or channel not in QUIET_CHANNELS:
        return moment
    local = moment.astimezone(window.zone)
    if not window.contains(local.time()):
        return moment
    day = local.date()
    if window.start > window.end and local.time() >= window.start:
        day += timedelta(days=1)  # the evening part of a window spanning midnight
    # Wall-clock end on that day. Should it fall in a spring-forward gap, zoneinfo reads it with
    # the earlier offset, i.e. just after the gap: still the first moment the window is over.
    end = datetime.combine(day, window.end, tzinfo=window.zone).astimezone(UTC)
    if end <= moment:
        # An end time the autumn change repeats, and `moment` in the repeat: the later one.
        end = datetime.combine(day, window.end, tzinfo=window.zone).replace(fold=1)
        end = end.astimezone(UTC)
    return max(end, moment)
