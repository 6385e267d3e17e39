"""How bench/chaos.py counts: which emails each application must produce (worked out from the
notifications service's own MESSAGES table, not written down by hand), which it got, and every
effect done twice, from the emails and from the four databases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import psycopg

from notifications.domain.messages import (
    CONFIRMATION,
    COORDINATOR,
    MESSAGES,
    SECURITY_INBOX,
    VOLUNTEER,
)
from notifications.service import DEFAULT_SECURITY_INBOX

# What happens to each application in this run, and so which events notifications hears of:
# received, a case opened, cleared by the officer, and access (per establishment) opening a
# request.
FLOW_EVENTS = (
    "application.received",
    "vetting.case_opened",
    "vetting.clearance_announced",
    "access.request_opened",
)
# Events (by the service whose outbox holds them) that this flow emits exactly so many times
# per application; more is an effect doubled.
ONCE = {
    "applications": ("application.submitted", "application.received"),
    "vetting": (
        "vetting.case_opened",
        "vetting.clearance_granted",
        "vetting.application_cleared",
        "vetting.clearance_announced",
    ),
}


def expected_emails(
    volunteer: str, coordinator: str, establishments: Iterable[str]
) -> set[tuple[str, str]]:
    """(template, recipient) of every email one application should produce: each flow event's
    messages (access.request_opened once per establishment), to each of their recipients. The
    volunteer never confirms their address in this run, so the one email they get is the link
    to confirm it: what is meant for them is held, never sent to an unconfirmed address."""
    codes = list(establishments)
    expected: set[tuple[str, str]] = {
        (message.template, volunteer) for message in MESSAGES[CONFIRMATION]
    }
    for event_type in FLOW_EVENTS:
        for message in MESSAGES[event_type]:
            for kind in message.recipients:
                if kind == VOLUNTEER:
                    continue  # held: see above
                if kind == COORDINATOR:
                    expected.add((message.template, coordinator))
                elif kind == SECURITY_INBOX:
                    expected |= {
                        (message.template, DEFAULT_SECURITY_INBOX.format(code=code.lower()))
                        for code in codes
                    }
    return expected


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, connect_timeout=3) as conn:
        return list(conn.execute(query))


@dataclass
class Snapshot:
    cleared: set[str] = field(default_factory=set)  # application ids CLEARED
    # notification id -> (application id, template); filled as the rows appear
    notifications: dict[str, tuple[str, str]] = field(default_factory=dict)


def refresh(snapshot: Snapshot, db: Mapping[str, str]) -> None:
    """Read what is new (raises psycopg.Error while PostgreSQL is down)."""
    snapshot.cleared = {
        row[0]
        for row in _rows(db["applications"], "SELECT id FROM applications WHERE status = 'CLEARED'")
    }
    for notification_id, application_id, template in _rows(
        db["notifications"], "SELECT id, application_id, template FROM notifications"
    ):
        snapshot.notifications[notification_id] = (application_id, template)


def received_by_application(
    snapshot: Snapshot, received: Iterable[tuple[str, str, float]]
) -> tuple[dict[str, Counter], dict[str, float], list[str]]:
    """Per application: Counter of (template, recipient) received, when its last expected
    email could have arrived (the latest arrival), and notification ids nobody knows."""
    counts: dict[str, Counter] = {}
    latest: dict[str, float] = {}
    unknown: list[str] = []
    for notification_id, to, at in received:
        known = snapshot.notifications.get(notification_id)
        if known is None:
            unknown.append(notification_id)
            continue
        application_id, template = known
        counts.setdefault(application_id, Counter())[(template, to)] += 1
        latest[application_id] = max(latest.get(application_id, 0.0), at)
    return counts, latest, unknown


def complete(
    application_id: str,
    expected: set[tuple[str, str]],
    snapshot: Snapshot,
    counts: Mapping[str, Counter],
) -> bool:
    got = counts.get(application_id, Counter())
    return application_id in snapshot.cleared and all(got[key] >= 1 for key in expected)


def database_duplicates(
    db: Mapping[str, str], ids: set[str], establishments: int
) -> dict[str, int]:
    """Effects done twice, as the databases record them, for the run's applications."""
    found: dict[str, int] = {}

    def count(name: str, url: str, query: str) -> None:
        found[name] = sum(1 for row in _rows(url, query) if row[0] in ids)

    # One entry per kind, except notification_sent: one per message sent (its detail, which
    # names the template, is encrypted), by email or by SMS (the volunteer's confirmation
    # code), so no more of those than notifications sent for that application.
    count(
        "timeline_entries",
        db["applications"],
        "SELECT application_id FROM timeline_entries WHERE kind NOT LIKE 'notification_%' "
        "GROUP BY application_id, kind HAVING count(*) > 1",
    )
    sent = dict(
        _rows(
            db["notifications"],
            "SELECT application_id, count(*) FROM notifications "
            "WHERE status = 'SENT' GROUP BY application_id",
        )
    )
    found["timeline_notifications"] = sum(
        1
        for application_id, entries in _rows(
            db["applications"],
            "SELECT application_id, count(*) FROM timeline_entries "
            "WHERE kind = 'notification_sent' GROUP BY application_id",
        )
        if application_id in ids and entries > sent.get(application_id, 0)
    )
    count(
        "cases",
        db["vetting"],
        "SELECT application_id FROM vetting_cases GROUP BY application_id HAVING count(*) > 1",
    )
    count(
        "clearances",
        db["vetting"],
        "SELECT application_id FROM clearances GROUP BY application_id HAVING count(*) > 1",
    )
    count(
        "notifications",
        db["notifications"],
        "SELECT application_id FROM notifications GROUP BY application_id, template, "
        "recipient, channel HAVING count(*) > 1",
    )
    count(
        "grants",
        db["access"],
        "SELECT application_id FROM grants "
        "GROUP BY application_id, establishment_code HAVING count(*) > 1",
    )
    for service, types in ONCE.items():
        listed = ", ".join(f"'{t}'" for t in types)
        count(
            f"{service}_events",
            db[service],
            f"SELECT subject FROM outbox WHERE event_type IN ({listed}) "
            "GROUP BY subject, event_type HAVING count(*) > 1",
        )
    # access opens one request per establishment: more than that for one application is
    # a request opened twice.
    count(
        "access_events",
        db["access"],
        "SELECT subject FROM outbox WHERE event_type = "
        f"'access.request_opened' GROUP BY subject HAVING count(*) > {int(establishments)}",
    )
    return found


def dead_letters(db: Mapping[str, str]) -> dict[str, int]:
    return {
        service: _rows(url, "SELECT count(*) FROM dead_letters")[0][0]
        for service, url in db.items()
    }
