"""Data for bench/scale.py: grants and vetting cases bulk-loaded with COPY, written through the
services' own column types (encrypted columns as Fernet tokens under the keyring the servers
are given), so the servers read them exactly as rows they wrote themselves."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any

import psycopg
from gate_data import GRANT_COLUMNS, Person, grant_rows  # bench/ is on sys.path
from harness import log
from sqlalchemy import JSON, FromClause, Table

from shared.clock import process_clock
from shared.crypto.at_rest import Keyring, encrypted_columns, install

QUEUE_CODE = "WWI"  # the establishment whose queue is listed
QUEUE_AT_LEAST = 60  # requests awaiting review there at every size: a full first page
PAGE = 50  # both services' default page


def install_keyring(key: str) -> None:
    """The key the servers get in DATA_ENCRYPTION_KEYS, installed in this process so the
    column types encrypt what is loaded."""
    install(Keyring([key]))


def _encoders(table: Table, columns: list[str]) -> list[Any]:
    """Per column: how its value goes into COPY (the column type's own encryption for the
    encrypted ones, JSON text for JSON, the value as it is otherwise)."""
    encrypted = {
        name
        for found, names in encrypted_columns(table.metadata)
        if found is table
        for name in names
    }
    encoders: list[Any] = []
    for name in columns:
        column_type = table.c[name].type
        if name in encrypted:
            encoders.append(lambda value, t=column_type: t.process_bind_param(value, None))
        elif isinstance(column_type, JSON):
            encoders.append(lambda value: None if value is None else json.dumps(value))
        else:
            encoders.append(None)
    return encoders


def copy_rows(url: str, table: FromClause, columns: list[str], rows: list[tuple]) -> None:
    """COPY `rows` (tuples of Python values in `columns` order) into `table`, then VACUUM
    ANALYZE it (the planner sees the table as it is, as it would after autovacuum)."""
    assert isinstance(table, Table), "copy_rows: a mapped class's __table__, a Table"
    encoders = _encoders(table, columns)
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        [
                            value if encode is None else encode(value)
                            for encode, value in zip(encoders, row, strict=True)
                        ]
                    )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"VACUUM ANALYZE {table.name}")


# ------------------------------------------------------------------------------------------
# Grants (access): gatecheck.py's realistic mix, plus a full queue page at QUEUE_CODE
# ------------------------------------------------------------------------------------------


def _pending_at_queue(count: int, rng: random.Random, now: datetime) -> list[tuple]:
    """`count` PENDING_REVIEW grants at QUEUE_CODE (gatecheck's shape for that state)."""
    status_at, code_at = GRANT_COLUMNS.index("status"), GRANT_COLUMNS.index("establishment_code")
    rows: list[tuple] = []
    while len(rows) < count:
        batch, _ = grant_rows(500, rng, now)
        rows += [
            (*row[:code_at], QUEUE_CODE, *row[code_at + 1 :])
            for row in batch
            if row[status_at] == "PENDING_REVIEW"
        ]
    return rows[:count]


def _decoded(row: tuple) -> tuple:
    """gatecheck's rows carry JSON columns as JSON text (for a plain COPY): back to values, so
    every column goes through its type here."""
    return tuple(
        json.loads(value) if GRANT_COLUMNS[i] in _GRANT_JSON else value
        for i, value in enumerate(row)
    )


_GRANT_JSON = {
    "clearance_conditions",
    "conditions",
    "permitted_days",
    "permitted_areas",
    "induction",
}


def load_grants(url: str, count: int, seed: int) -> list[Person]:
    from scale_lists import named_for_finding

    from access.models import Grant

    rng, now = random.Random(seed), process_clock().now()
    rows, people = grant_rows(count - QUEUE_AT_LEAST, rng, now)
    rows += _pending_at_queue(QUEUE_AT_LEAST, rng, now)
    # Every grant with its search name (as the service keeps it), a few of one name to find.
    named = named_for_finding([_decoded(row) for row in rows], GRANT_COLUMNS)
    copy_rows(url, Grant.__table__, [*GRANT_COLUMNS, "search_name"], named)
    return people


# ------------------------------------------------------------------------------------------
# Vetting cases: the officers' queue, mostly closed cases, some waiting
# ------------------------------------------------------------------------------------------

CASE_COLUMNS = [
    "id",
    "application_id",
    "status",
    "applicant_name",
    "role",
    "establishments",
    "requested_access",
    "frequency",
    "opened_at",
    "required_level",
    "checks",
    "policy_version",
    "person_id",
    "organisation_id",
    "renewal_of",
    "applicant",
    "dbs_level",
    "closed_at",
    "updated_at",
    "waiting_on",
    "waiting_since",
    "waited_s",
    "resume_status",
    "risk",
    "refusal",
    "reconsideration",
    "clearance_id",
]
CASE_STATES = (
    ("CLEARED", 0.60),
    ("REFUSED", 0.05),
    ("WITHDRAWN", 0.05),
    ("OPEN", 0.12),
    ("AWAITING_DECISION", 0.12),
    ("INFO_REQUESTED", 0.04),
    ("REFUSAL_PENDING", 0.02),
)
WAITING = {
    "OPEN": "PROVIDER",
    "AWAITING_DECISION": "OFFICER",
    "INFO_REQUESTED": "APPLICANT",
    "REFUSAL_PENDING": "MANAGER",
}  # a countersignature is a manager's
CHECKS = ["IDENTITY", "DBS", "REFERENCES", "ADDRESS_HISTORY", "DECLARATIONS"]


def case_rows(count: int, rng: random.Random, now: datetime) -> list[tuple]:
    from applications.schemas.examples import sample_application

    states, weights = zip(*CASE_STATES, strict=True)
    rows = []
    for index in range(count):
        status = rng.choices(states, weights)[0]
        opened = now - timedelta(seconds=rng.randint(3600, 700 * 86400))
        closed = opened + timedelta(days=rng.randint(3, 40)) if status not in WAITING else None
        application = sample_application(
            f"scale-{index}@example.org",
            establishments=tuple(rng.sample(("WWI", "BMI", "ACI", "ASI", "DMI"), 2)),
        )
        applicant = application["applicant"]
        risk = (
            {
                "recommendation": rng.choice(("CLEAR", "REVIEW", "REFUSE")),
                "factors": [{"check": "DECLARATIONS", "finding": "A spent conviction, declared."}],
            }
            if status != "OPEN"
            else None
        )
        refusal = (
            {
                "proposed_by": "vo-ann",
                "proposed_at": opened.isoformat(),
                "reasons": "Undeclared recent conviction.",
            }
            if status in ("REFUSED", "REFUSAL_PENDING")
            else None
        )
        rows.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                str(uuid.uuid4()),
                status,
                {"forenames": applicant["forenames"], "surname": applicant["surname"]},
                application["role"],
                application["establishments"],
                application["requested_access"],
                application["frequency"],
                opened,
                "ENHANCED",
                CHECKS,
                "2026.1",
                None,
                str(uuid.UUID(int=1)),
                None,
                applicant,
                "ENHANCED",
                closed,
                closed or opened,
                WAITING.get(status),
                opened if status in WAITING else None,
                {"PROVIDER": 3600.0, "OFFICER": 7200.0} if status != "OPEN" else {},
                None,
                risk,
                refusal,
                None,
                str(uuid.uuid4()) if status == "CLEARED" else None,
            )
        )
    return rows


def load_cases(url: str, count: int, seed: int) -> None:
    from vetting.models import VettingCase

    rows = case_rows(count, random.Random(seed), process_clock().now())
    copy_rows(url, VettingCase.__table__, CASE_COLUMNS, rows)
    log(f"{count:,} vetting cases loaded")
