"""The gate check's data and requests: grants of realistic shape loaded with COPY, staff tokens
per establishment, and the request mix (random existing badges and persons, a few misses)."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import psycopg
from harness import log

from shared.clock import process_clock

ESTABLISHMENTS = ("WWI", "BMI", "ACI", "ASI", "AYI", "BLI", "BXI", "DMI")

GRANT_COLUMNS = (
    "id",
    "establishment_code",
    "person_id",
    "forenames",
    "surname",
    "date_of_birth",
    "application_id",
    "clearance_id",
    "clearance_level",
    "clearance_access",
    "clearance_conditions",
    "clearance_expires_at",
    "clearance_status",
    "status",
    "resume_status",
    "suspended_locally",
    "access_type",
    "conditions",
    "permitted_days",
    "permitted_areas",
    "valid_until",
    "induction",
    "badge_number",
    "review_on",
    "awaiting_review",
    "status_reason",
    "opened_at",
    "decided_at",
    "decided_by",
    "activated_at",
    "updated_at",
)
FORENAMES = (
    "Siobhán",
    "Amir",
    "Grace",
    "Tomasz",
    "Aisha",
    "David",
    "Mei",
    "Olu",
    "Ruth",
    "Kwame",
    "Eilidh",
    "Jan",
)
SURNAMES = (
    "O'Neill",
    "Khan",
    "Okafor",
    "Nowak",
    "Smith",
    "Jones",
    "Chen",
    "Williams",
    "Brown",
    "Adeyemi",
    "MacLeod",
    "Evans",
)
AREAS = ("Chapel", "Education block", "Healthcare", "Visits hall", "Gym", "Workshops")


@dataclass
class Person:
    code: str
    person_id: str
    badge: str | None
    status: str


def grant_rows(count: int, rng: random.Random, now: datetime) -> tuple[list[tuple], list[Person]]:
    """`count` grants spread over ESTABLISHMENTS: ~85% ACTIVE with a badge (a fifth of them on
    some weekdays only, 1% past their end), 5% SUSPENDED, 4% ENDED, 2% REVOKED, 2% APPROVED
    (inducted in part), 2% PENDING_REVIEW."""
    rows, people = [], []
    serial = dict.fromkeys(ESTABLISHMENTS, 0)
    for _ in range(count):
        code = rng.choice(ESTABLISHMENTS)
        serial[code] += 1
        draw = rng.random()
        status = (
            "ACTIVE"
            if draw < 0.85
            else "SUSPENDED"
            if draw < 0.90
            else "ENDED"
            if draw < 0.94
            else "REVOKED"
            if draw < 0.96
            else "APPROVED"
            if draw < 0.98
            else "PENDING_REVIEW"
        )
        decided = status != "PENDING_REVIEW"
        badge = (
            f"{code}-{serial[code]:06d}" if status not in ("APPROVED", "PENDING_REVIEW") else None
        )
        opened = now - timedelta(days=rng.randint(30, 700))
        expires = now + timedelta(days=rng.randint(30, 1000))
        access = rng.choice(("ESCORTED", "UNESCORTED", "UNESCORTED", "KEY_HOLDING"))
        valid_until = expires if decided else None
        if status == "ACTIVE" and rng.random() < 0.01:
            valid_until = now - timedelta(days=rng.randint(1, 30))  # ends before clearance
        days = (
            sorted(rng.sample(("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"), rng.randint(1, 5)))
            if decided and rng.random() < 0.2
            else None
        )
        induction = (
            {
                "SECURITY_BRIEFING": {"at": opened.isoformat(), "by": "sec-ann"},
                "ID_BADGE": {"at": opened.isoformat(), "by": "sec-ann", "badge_number": badge},
            }
            if badge
            else {}
        )
        person_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        rows.append(
            (
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                code,
                person_id,
                rng.choice(FORENAMES),
                rng.choice(SURNAMES),
                date(1950, 1, 1) + timedelta(days=rng.randint(0, 20000)),
                str(uuid.uuid4()),
                str(uuid.uuid4()),
                "ENHANCED",
                access,
                json.dumps(
                    ["ESCORTED_ONLY"] if access == "ESCORTED" and rng.random() < 0.5 else []
                ),
                expires,
                "SUSPENDED" if status == "SUSPENDED" and rng.random() < 0.5 else "ACTIVE",
                status,
                "ACTIVE" if status == "SUSPENDED" else None,
                status == "SUSPENDED",
                access if decided else None,
                json.dumps(["Escort to chapel"] if rng.random() < 0.1 else []),
                json.dumps(days),  # JSON null when every day, as the ORM writes None
                json.dumps(rng.sample(AREAS, rng.randint(0, 3)) if decided else []),
                valid_until,
                json.dumps(induction),
                badge,
                None,
                status == "PENDING_REVIEW",
                "Left the group" if status in ("ENDED", "REVOKED") else None,
                opened,
                opened + timedelta(days=3) if decided else None,
                "head-cat" if decided else None,
                opened + timedelta(days=5) if badge else None,
                opened + timedelta(days=5),
            )
        )
        people.append(Person(code, person_id, badge, status))
    return rows, people


def load_grants(url: str, count: int, seed: int) -> list[Person]:
    rows, people = grant_rows(count, random.Random(seed), process_clock().now())
    with psycopg.connect(url) as conn:
        with conn.cursor() as cur:
            with cur.copy(f"COPY grants ({', '.join(GRANT_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE grants")
        # The table and its indexes in shared buffers on both sizes (they fit easily: the
        # benchmark is about the index lookups, not about a cold cache). Optional.
        try:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            for relation in ("grants", "uq_grants_badge", "uq_grants_person", "pk_grants"):
                conn.execute("SELECT pg_prewarm(%s)", (relation,))
        except psycopg.Error as exc:
            log(f"pg_prewarm unavailable ({exc.__class__.__name__}); cache warmed by the load")
    return people


def tokens_by_establishment() -> dict[str, str]:
    from bench_identity import staff_token

    return {
        code: staff_token(
            "access", f"sec-{code.lower()}", "security_officer", establishments=(code,)
        )
        for code in ESTABLISHMENTS
    }


def request_mix(people: list[Person], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(path, establishment) pairs: 55% badge, 40% person, 5% misses."""
    badged = [p for p in people if p.badge]
    mix = []
    for _ in range(count):
        draw = rng.random()
        if draw < 0.55:
            p = rng.choice(badged)
            mix.append((f"/establishments/{p.code}/gate-check?badge={p.badge}", p.code))
        elif draw < 0.95:
            p = rng.choice(people)
            mix.append((f"/establishments/{p.code}/gate-check?person={p.person_id}", p.code))
        else:
            code = rng.choice(ESTABLISHMENTS)
            query = (
                f"badge={code}-X{rng.randint(0, 10**6):06d}"
                if draw < 0.975
                else f"person={uuid.UUID(int=rng.getrandbits(128), version=4)}"
            )
            mix.append((f"/establishments/{code}/gate-check?{query}", code))
    return mix
