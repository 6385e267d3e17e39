"""A clearance's expiry is a date as people read it: valid to the end of its last day in
London, whatever time it was issued, on either side of a clock change."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from shared.clock import LONDON
from vetting.service_layer.clearances import expiry


@pytest.mark.parametrize(
    ("issued_london", "months", "last_instant_london"),
    [
        # Issued in the morning in winter; last day in winter (GMT).
        (datetime(2026, 12, 3, 9, 15), 36, datetime(2029, 12, 3, 23, 59, 59, 999999)),
        # Issued in summer (BST) late in the evening, which is the next day in neither zone.
        (datetime(2026, 7, 10, 23, 30), 12, datetime(2027, 7, 10, 23, 59, 59, 999999)),
        # Issued in winter, ending in summer, and the other way round.
        (datetime(2026, 1, 31, 0, 30), 6, datetime(2026, 7, 31, 23, 59, 59, 999999)),
        (datetime(2026, 6, 1, 0, 30), 5, datetime(2026, 11, 1, 23, 59, 59, 999999)),
    ],
)
def test_a_clearance_ends_at_the_end_of_its_last_day_in_london(
    issued_london, months, last_instant_london
):
    issued = issued_london.replace(tzinfo=LONDON).astimezone(UTC)
    assert expiry(issued, months) == last_instant_london.replace(tzinfo=LONDON).astimezone(UTC)
