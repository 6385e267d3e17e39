"""A complete, ready application in the API's JSON form: for the demo, tests, benchmarks and
the API docs. Dates are relative to `today` so it stays ready whenever it is used."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from shared.clock import process_clock
from shared.clock import today as london_today


def sample_application(
    email: str | None = None,
    today: date | None = None,
    establishments: tuple[str, ...] = ("WWI", "BMI"),
    passport: str | None = None,
) -> dict[str, Any]:
    today = today or london_today(process_clock())
    moved_in = today - timedelta(days=3 * 365)
    return {
        "applicant": {
            "forenames": "Siobhán",
            "middle_names": "Máire",
            "surname": "O'Connor",
            "date_of_birth": (today - timedelta(days=45 * 365)).isoformat(),
            "contact": {
                "email": email or f"v-{uuid.uuid4().hex[:10]}@example.org",
                "mobile": "07700 900123",
                "preferred_channel": "EMAIL",
            },
            "addresses": [
                {
                    "line1": "12 Canal Street",
                    "town": "Manchester",
                    "postcode": "M1 3HE",
                    "from_date": (today - timedelta(days=9 * 365)).isoformat(),
                    "to_date": (moved_in - timedelta(days=1)).isoformat(),
                },
                {
                    "line1": "4 Mill Lane",
                    "town": "Leeds",
                    "postcode": "LS1 4AP",
                    "from_date": moved_in.isoformat(),
                    "to_date": None,
                },
            ],
            "place_of_birth": {"town": "Cork", "country": "Ireland"},
            "identity_documents": [
                {
                    "type": "PASSPORT",
                    "number": passport or "5347917Q2Z",
                    "expiry": (today + timedelta(days=900)).isoformat(),
                }
            ],
            "declarations": {
                "convictions": [
                    {
                        "kind": "CONVICTION",
                        "offence": "Took goods from a shop",
                        "category": "THEFT",
                        "disposal": "FINE",
                        "spent": True,
                        # Under the 11 years after which a single adult conviction is filtered.
                        "date": (today - timedelta(days=8 * 365)).isoformat(),
                    }
                ],
                "on_licence": False,
                "release_date": None,
            },
            "connections": [],
            "previous_volunteering": [],
            "referees": [
                {
                    "forenames": "Tom",
                    "surname": "Hughes",
                    "email": "tom@example.org",
                    "relationship": "Group secretary",
                    "postcode": "LS2 7HY",
                    "years_known": 6,
                },
                {
                    "forenames": "Priya",
                    "surname": "Shah",
                    "email": "priya@example.org",
                    "relationship": "Employer",
                    "postcode": "LS6 1AN",
                    "years_known": 4,
                },
            ],
        },
        "role": "GROUP_FACILITATOR",
        "establishments": list(establishments),
        "requested_access": "ESCORTED",
        "frequency": "REGULAR",
    }
