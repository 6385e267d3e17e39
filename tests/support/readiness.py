"""Shared by the readiness tests: a valid application, and each mistake as a change to it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from applications.domain.readiness import Problem, check_readiness
from shared.reference import load_establishments
from tests.support.properties import property_settings

TODAY = date(2026, 11, 27)
WINDOW_START = date(2021, 11, 27)  # five years before TODAY
ESTABLISHMENTS = load_establishments()
DAY = timedelta(days=1)
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
ADDRESS_CODES = {
    "ADDRESS_HISTORY_TOO_SHORT",
    "ADDRESS_GAP",
    "ADDRESSES_OVERLAP",
    "NO_CURRENT_ADDRESS",
}
PROPERTY = property_settings(200, deadline=None)


def spoken(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def address(n: int, start: date, end: date | None, postcode: str = "LS1 1AA") -> dict[str, Any]:
    return {
        "line1": f"{n} High Street",
        "line2": None,
        "town": "Leeds",
        "postcode": postcode,
        "from_date": start,
        "to_date": end,
    }


def valid_application() -> dict[str, Any]:
    return {
        "applicant": {
            "forenames": "Alex",
            "middle_names": "Jordan",
            "surname": "Taylor",
            "previous_names": [
                {
                    "forenames": "Alex",
                    "surname": "Smith",
                    "from_date": date(1980, 5, 1),
                    "to_date": date(2004, 6, 30),
                }
            ],
            "date_of_birth": date(1980, 5, 1),
            "contact": {
                "email": "alex@example.org",
                "mobile": "07700 900123",
                "preferred_channel": "SMS",
            },
            "addresses": [
                address(1, date(2023, 3, 4), None),
                address(2, date(2019, 1, 1), date(2022, 12, 31), postcode="YO1 7HH"),
            ],
            # 1 January to 3 March 2023: 62 days with no address, explained.
            "address_gap_explanations": [
                {
                    "from_date": date(2023, 1, 1),
                    "to_date": date(2023, 3, 3),
                    "explanation": "Travelling in Spain",
                }
            ],
            "place_of_birth": {"town": "Cork", "country": "Ireland"},
            "identity_documents": [
                {"type": "PASSPORT", "number": "534791234", "expiry": date(2030, 1, 1)}
            ],
            "declarations": {
                "convictions": [
                    {
                        "kind": "CONVICTION",
                        "offence": "Theft",
                        "date": date(2010, 3, 1),
                        "disposal": "CUSTODY",
                    }
                ],
                "on_licence": False,
                "release_date": date(2011, 2, 1),
            },
            "connections": [
                {"name": "Sam Jones", "relationship": "friend", "establishment": "LPI"}
            ],
            "previous_volunteering": [
                {
                    "organisation": "AA",
                    "establishment": "BMI",
                    "from_date": date(2015, 1, 1),
                    "to_date": None,
                    "clearance_level": None,
                }
            ],
            "dbs_certificate": {
                "number": "001234567890",
                "level": "ENHANCED",
                "update_service": True,
            },
            "referees": [
                # Same surname, other postcode; same postcode, other surname: neither is flagged.
                {
                    "forenames": "Chris",
                    "surname": "Taylor",
                    "email": "chris@example.org",
                    "relationship": "friend from AA",
                    "postcode": "LS2 8AA",
                    "years_known": 10,
                },
                {
                    "forenames": "Pat",
                    "surname": "Lee",
                    "email": "pat@example.org",
                    "relationship": "employer",
                    "postcode": "LS1 1AA",
                    "years_known": 4,
                },
            ],
        },
        "role": "GROUP_FACILITATOR",
        "establishments": ["WWI", "LEI"],
        "requested_access": "ESCORTED",
        "frequency": "REGULAR",
    }


def check(application: dict[str, Any], **kwargs: Any) -> list[Problem]:
    return check_readiness(
        application, today=kwargs.pop("today", TODAY), establishments=ESTABLISHMENTS, **kwargs
    )


def codes(problems: list[Problem]) -> list[str]:
    return [p.code for p in problems]


def edit(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with value DELETE, remove) the item at a dotted path like 'applicant.surname'."""

    def apply(application: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = application
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is DELETE:
            del target[last]
        elif isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return apply


DELETE = object()
A = "applicant"

# (expected code, field, changes): each breaks exactly one thing in the valid application.
CASES: list[tuple[str, str, list[Callable[[dict[str, Any]], None]]]] = [
    ("MISSING_FORENAMES", "applicant.forenames", [edit(f"{A}.forenames", "  ")]),
    ("MISSING_SURNAME", "applicant.surname", [edit(f"{A}.surname", DELETE)]),
    ("MISSING_DATE_OF_BIRTH", "applicant.date_of_birth", [edit(f"{A}.date_of_birth", None)]),
    (
        "MISSING_PLACE_OF_BIRTH",
        "applicant.place_of_birth",
        [edit(f"{A}.place_of_birth.country", " ")],
    ),
    ("MISSING_EMAIL", "applicant.contact.email", [edit(f"{A}.contact.email", DELETE)]),
    ("MISSING_ADDRESS", "applicant.addresses", [edit(f"{A}.addresses", [])]),
    (
        "MISSING_IDENTITY_DOCUMENT",
        "applicant.identity_documents",
        [edit(f"{A}.identity_documents", DELETE)],
    ),
    ("MISSING_ROLE", "role", [edit("role", None)]),
    ("MISSING_REQUESTED_ACCESS", "requested_access", [edit("requested_access", DELETE)]),
    ("MISSING_FREQUENCY", "frequency", [edit("frequency", "")]),
    ("MISSING_DECLARATIONS", "applicant.declarations", [edit(f"{A}.declarations", DELETE)]),
    ("MIDDLE_NAMES_NOT_CONFIRMED", "applicant.middle_names", [edit(f"{A}.middle_names", None)]),
    ("MIDDLE_NAMES_CONTRADICTORY", "applicant.no_middle_name", [edit(f"{A}.no_middle_name", True)]),
    (
        "MIDDLE_NAME_PLACEHOLDER",
        "applicant.no_middle_name",
        [edit(f"{A}.middle_names", " N/A ")],
    ),
    ("SMS_WITHOUT_MOBILE", "applicant.contact.mobile", [edit(f"{A}.contact.mobile", None)]),
    (
        "ADDRESS_HISTORY_TOO_SHORT",
        "applicant.addresses[1].from_date",
        [edit(f"{A}.addresses.1.from_date", WINDOW_START + DAY)],
    ),
    ("ADDRESS_GAP", "applicant.addresses[1].to_date", [edit(f"{A}.address_gap_explanations", [])]),
    (
        "ADDRESSES_OVERLAP",
        "applicant.addresses[0].from_date",
        [edit(f"{A}.addresses.1.to_date", date(2023, 3, 5))],
    ),
    (
        "NO_CURRENT_ADDRESS",
        "applicant.addresses",
        [edit(f"{A}.addresses.0.to_date", TODAY - 28 * DAY)],
    ),
    (
        # A key holder at a high security prison needs a CTC; the current address is abroad.
        "UK_RESIDENCE_SHORT",
        "applicant.addresses[0].country",
        [
            edit("requested_access", "KEY_HOLDING"),
            edit("establishments", ["FKI"]),
            edit(f"{A}.addresses.0.country", "France"),
        ],
    ),
    (
        "APPLICANT_UNDER_18",
        "applicant.date_of_birth",
        [edit(f"{A}.date_of_birth", date(2008, 11, 28))],
    ),
    (
        "IDENTITY_DOCUMENT_EXPIRED",
        "applicant.identity_documents[0].expiry",
        [edit(f"{A}.identity_documents.0.expiry", TODAY - DAY)],
    ),
    (
        "IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING",
        "applicant.identity_documents[0].expiry",
        [edit(f"{A}.identity_documents.0.expiry", TODAY + 12 * 7 * DAY - DAY)],
    ),
    ("TOO_FEW_REFEREES", "applicant.referees", [edit(f"{A}.referees.1", "not a referee")]),
    (
        "REFEREE_IS_RELATIVE",
        "applicant.referees[0].relationship",
        [edit(f"{A}.referees.0.relationship", "Step-Sister")],
    ),
    (
        "REFEREE_MAY_BE_RELATIVE",
        "applicant.referees[1]",
        [edit(f"{A}.referees.1.surname", " tay lor"), edit(f"{A}.referees.1.postcode", "ls11aa")],
    ),
    ("NO_ESTABLISHMENT", "establishments", [edit("establishments", [])]),
    ("UNKNOWN_ESTABLISHMENT", "establishments[1]", [edit("establishments.1", "XYZ")]),
    (
        "DUPLICATE_ESTABLISHMENT",
        "establishments[2]",
        [edit("establishments", ["WWI", "LEI", "WWI"])],
    ),
    (
        "UNKNOWN_CONNECTION_ESTABLISHMENT",
        "applicant.connections[0].establishment",
        [edit(f"{A}.connections.0.establishment", "ZZZ")],
    ),
    (
        "CONNECTION_AT_REQUESTED_ESTABLISHMENT",
        "applicant.connections[0].establishment",
        [edit(f"{A}.connections.0.establishment", "LEI")],
    ),
    (
        "DATE_IN_FUTURE",
        "applicant.previous_volunteering[0].from_date",
        [edit(f"{A}.previous_volunteering.0.from_date", TODAY + DAY)],
    ),
    (
        "RELEASE_BEFORE_CONVICTION",
        "applicant.declarations.release_date",
        [edit(f"{A}.declarations.release_date", date(2010, 2, 28))],
    ),
    (
        "MISSING_RELEASE_DATE",
        "applicant.declarations.release_date",
        [edit(f"{A}.declarations.release_date", None)],
    ),
    (
        "ON_LICENCE_WITHOUT_RELEASE_DATE",
        "applicant.declarations.release_date",
        [edit(f"{A}.declarations.release_date", None), edit(f"{A}.declarations.on_licence", True)],
    ),
]


def broken(changes: list[Callable[[dict[str, Any]], None]]) -> dict[str, Any]:
    application = valid_application()
    for change in changes:
        change(application)
    return application
