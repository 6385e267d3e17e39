"""People made of sentinels: a unique, recognisable value in every personal and special-category
field of an application, valid where the API validates it, and the needles to search for them
(tests/e2e/test_log_sentinels.py)."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta
from typing import Any

from tests.support.clock import today


class Sentinels:
    """A unique value per field, recognisable in any text, valid where it must be."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.mobiles: list[str] = []
        self._rng = random.Random()

    def _token(self) -> str:
        return "".join(self._rng.choice(string.ascii_lowercase) for _ in range(8))

    def text(self, name: str) -> str:
        value = f"Zq{name.replace('_', '').title()}{self._token()}"
        self.values[name] = value
        return value

    def email(self, name: str) -> str:
        value = f"zq{name.replace('_', '')}{self._token()}@example.org"
        self.values[name] = value
        return value

    def mobile(self, name: str) -> str:
        digits = "07" + "".join(self._rng.choice(string.digits) for _ in range(9))
        self.values[name] = digits
        self.mobiles.append(name)
        return f"{digits[:5]} {digits[5:]}"  # as typed; scanned without the space too

    def postcode(self, name: str) -> str:
        # A valid UK postcode no log would contain by chance: "ZE" district, random rest.
        value = (
            f"ZE{self._rng.randint(10, 99)} {self._rng.randint(0, 9)}"
            f"{self._rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{self._rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        )
        self.values[name] = value
        return value

    def document_number(self, name: str) -> str:
        value = "ZQ" + "".join(
            self._rng.choice(string.ascii_uppercase + string.digits) for _ in range(10)
        )
        self.values[name] = value
        return value

    def ni_number(self, name: str) -> str:
        # A valid National Insurance number: the "ZX" prefix, random digits.
        value = f"ZX{self._rng.randint(0, 999999):06d}D"
        self.values[name] = value
        return value

    def birth_date(self, name: str) -> date:
        value = date(1950, 1, 1) + timedelta(days=self._rng.randint(0, 365 * 25))
        self.values[name] = value.isoformat()
        return value

    def needles(self) -> dict[str, str]:
        """What to look for: each value, lower-cased (a mobile without its space too)."""
        found = {name: value.lower() for name, value in self.values.items()}
        for name in self.mobiles:
            value = self.values[name]
            found[f"{name} (as typed)"] = f"{value[:5]} {value[5:]}"
        return found


def applicant(s: Sentinels, prefix: str, *, channel: str = "EMAIL") -> dict[str, Any]:
    on = today()
    moved_in = on - timedelta(days=3 * 365)
    return {
        "forenames": s.text(f"{prefix}_forenames"),
        "middle_names": s.text(f"{prefix}_middle_names"),
        "surname": s.text(f"{prefix}_surname"),
        "previous_names": [
            {
                "forenames": s.text(f"{prefix}_previous_forenames"),
                "surname": s.text(f"{prefix}_previous_surname"),
                "from_date": "1990-01-01",
                "to_date": "2001-06-30",
            }
        ],
        "date_of_birth": s.birth_date(f"{prefix}_date_of_birth").isoformat(),
        "contact": {
            "email": s.email(f"{prefix}_email"),
            "mobile": s.mobile(f"{prefix}_mobile"),
            "preferred_channel": channel,
        },
        "addresses": [
            {
                "line1": f"12 {s.text(f'{prefix}_street_earlier')} Street",
                "town": s.text(f"{prefix}_town_earlier"),
                "postcode": s.postcode(f"{prefix}_pc1"),
                "from_date": (on - timedelta(days=9 * 365)).isoformat(),
                "to_date": (moved_in - timedelta(days=1)).isoformat(),
            },
            {
                "line1": f"4 {s.text(f'{prefix}_street_current')} Lane",
                "line2": s.text(f"{prefix}_address_line2"),
                "town": s.text(f"{prefix}_town_current"),
                "postcode": s.postcode(f"{prefix}_pc2"),
                "from_date": moved_in.isoformat(),
                "to_date": None,
            },
        ],
        "address_gap_explanations": [
            {
                "from_date": "2001-07-01",
                "to_date": "2001-12-31",
                "explanation": s.text(f"{prefix}_gap_explanation"),
            }
        ],
        "place_of_birth": {
            "town": s.text(f"{prefix}_birth_town"),
            "country": s.text(f"{prefix}_birth_country"),
        },
        "national_insurance_number": s.ni_number(f"{prefix}_ni_number"),
        "identity_documents": [
            {
                "type": "PASSPORT",
                "number": s.document_number(f"{prefix}_passport_number"),
                "expiry": (on + timedelta(days=900)).isoformat(),
            }
        ],
        "declarations": {
            "convictions": [
                {
                    "kind": "CONVICTION",
                    "offence": s.text(f"{prefix}_offence"),
                    "disposal": "FINE",
                    "date": (on - timedelta(days=15 * 365)).isoformat(),
                }
            ],
            "on_licence": False,
            "release_date": None,
        },
        "connections": [
            {
                "name": s.text(f"{prefix}_connection_name"),
                "relationship": s.text(f"{prefix}_connection_relationship"),
                "establishment": "BMI",
            }
        ],
        "previous_volunteering": [
            {
                "organisation": s.text(f"{prefix}_previous_organisation"),
                "from_date": "2015-01-01",
                "to_date": "2016-01-01",
            }
        ],
        "referees": [
            {
                "forenames": s.text(f"{prefix}_referee1_forenames"),
                "surname": s.text(f"{prefix}_referee1_surname"),
                "email": s.email(f"{prefix}_referee1_email"),
                "relationship": "Group secretary",
                "postcode": s.postcode(f"{prefix}_referee1_postcode"),
                "years_known": 6,
            },
            {
                "forenames": s.text(f"{prefix}_referee2_forenames"),
                "surname": s.text(f"{prefix}_referee2_surname"),
                "email": s.email(f"{prefix}_referee2_email"),
                "relationship": "Employer",
                "postcode": s.postcode(f"{prefix}_referee2_postcode"),
                "years_known": 4,
            },
        ],
    }


def application(s: Sentinels, prefix: str, **kwargs: Any) -> dict[str, Any]:
    return {
        "applicant": applicant(s, prefix, **kwargs),
        "role": "GROUP_FACILITATOR",
        "establishments": ["WWI", "BMI"],
        "requested_access": "ESCORTED",
        "frequency": "REGULAR",
    }
