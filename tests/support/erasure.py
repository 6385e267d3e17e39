"""Driving one service's erasure in a test: handing it events, reading what it reported and
what it left in its outbox (tests/integration/test_erasure_services.py)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, insert, select, update

from shared.db import dead_letters_table, outbox_table
from shared.event_copies import mentions
from tests.support.clock import iso_now, now
from tests.support.events import hand as hand_to
from tests.support.service_harness import ServiceHarness


def hand(harness: ServiceHarness, event_type: str, data: dict[str, Any], subject: str) -> None:
    """An event to the service's handlers as its consumer would run them (inbox, tombstones)."""
    hand_to(harness.platform, harness.service, event_type, data, subject=subject)


def person_erased(
    harness: ServiceHarness, person_id: str | None, application_ids: list[str]
) -> str:
    erasure_id = str(uuid.uuid4())
    hand(
        harness,
        "vetting.person_erased",
        {
            "erasure_id": erasure_id,
            "person_id": person_id,
            "application_ids": application_ids,
            "counts": {"cases": 1},
            "erased_at": iso_now(),
        },
        application_ids[0],
    )
    return erasure_id


def dead_letter(harness: ServiceHarness, application_id: str, secret: str) -> None:
    """A dead-lettered copy of an event about the application, carrying a personal value."""
    body = f'{{"application_id": "{application_id}", "x": "{secret}"}}'
    with harness.platform.engine.begin() as connection:
        connection.execute(
            insert(dead_letters_table),
            {
                "event_id": str(uuid.uuid4()),
                "event_type": "application.info_provided",
                "handler": "h",
                "body": body,
                "mentions": mentions(body),
                "error": "boom",
                "attempts": 1,
                "created_at": now(),
            },
        )


def report(harness: ServiceHarness, event_type: str, erasure_id: str) -> dict[str, Any]:
    [found] = [e for e in harness.published(event_type) if e["erasure_id"] == erasure_id]
    return found


def mark_published(harness: ServiceHarness) -> None:
    """What the relay would have done by the time a second request comes."""
    with harness.platform.engine.begin() as connection:
        connection.execute(update(outbox_table).values(published_at=now()))


def last_outbox_id(harness: ServiceHarness) -> int:
    with harness.platform.engine.connect() as connection:
        return connection.execute(select(func.max(outbox_table.c.id))).scalar() or 0


def emitted_since(harness: ServiceHarness, last_id: int) -> list[str]:
    with harness.platform.engine.connect() as connection:
        return list(
            connection.execute(
                select(outbox_table.c.event_type)
                .where(outbox_table.c.id > last_id)
                .order_by(outbox_table.c.id)
            ).scalars()
        )


def zeros(counts: dict[str, int], *published_copies: str) -> dict[str, int]:
    return {k: v for k, v in counts.items() if k not in published_copies and v}
