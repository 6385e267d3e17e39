"""Expiry is a date, on both backends: a clearance issued at any time of day is valid through
its last day in London (the sweep leaves it alone at 23:30 that day, expires it just after
midnight), on either side of a clock change, and its events say so."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from dateutil.relativedelta import relativedelta

from shared.clock import LONDON, end_of_london_day, london_date
from tests.support.vetting_harness import Vetting, cleared
from vetting.models import Clearance
from vetting.service import policy
from vetting.service_layer.clearances import sweep


def london(day: date, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=LONDON).astimezone(
        UTC
    )


def run_sweep(vetting: Vetting, at: datetime) -> dict[str, int]:
    with vetting.platform.unit_of_work() as uow:
        found = sweep(uow, policy(vetting.platform), at)
        uow.commit()
    return found


def test_a_clearance_is_valid_to_the_end_of_its_last_day_in_london(vetting):
    _app, clearance = cleared(vetting)
    issued = datetime.fromisoformat(clearance["issued_at"])
    last_day = london_date(issued) + relativedelta(months=36)  # the policy's STANDARD
    assert datetime.fromisoformat(clearance["expires_at"]) == end_of_london_day(last_day)
    [granted] = vetting.published("vetting.clearance_granted")
    assert datetime.fromisoformat(granted["expires_at"]).astimezone(LONDON).date() == last_day
    assert run_sweep(vetting, london(last_day, 9, 15))["expired"] == 0
    assert run_sweep(vetting, london(last_day, 23, 30))["expired"] == 0
    assert run_sweep(vetting, london(last_day + relativedelta(days=1), 0, 0, 1)) == {
        "reminded": 0,
        "expired": 1,
    }


@pytest.mark.parametrize(
    "last_day", [date(2029, 7, 10), date(2029, 12, 10)], ids=["summer-time", "winter-time"]
)
def test_the_last_day_holds_on_either_side_of_a_clock_change(vetting, last_day):
    _app, clearance = cleared(vetting)
    with vetting.platform.session_factory() as session:
        row = session.get(Clearance, clearance["id"])
        assert row is not None
        row.expires_at, row.reminders_sent = end_of_london_day(last_day), [90, 30, 7]
        session.commit()
    assert run_sweep(vetting, london(last_day, 23, 30))["expired"] == 0
    assert vetting.call("GET", f"/clearances/{clearance['id']}").json["status"] == "ACTIVE"
    assert run_sweep(vetting, london(last_day + relativedelta(days=1), 0, 0, 1))["expired"] == 1
    assert vetting.call("GET", f"/clearances/{clearance['id']}").json["status"] == "EXPIRED"
