"""The bare baselines of bench/scale.py: Flask + SQLAlchemy Core, one indexed SELECT each.

On top of bench/gate_bare_app.py's gate check (the same app, so one server per database):

- `GET /establishments/<code>/queue`: the grants awaiting review at the establishment, oldest
  first, one page (`LIMIT 51`, as ours reads one more to know there is a next page), every
  column as stored, the rows as JSON; the same `WHERE`/`ORDER BY` on the same `grants` table.
- `GET /cases`: the first page of vetting cases, oldest first, the columns the officers'
  summary shows, as stored (no decryption: the risk summary goes out as its token).
- `GET /establishments/<code>/holders`: the first page of the current grants there by name
  (surname, forenames, id), the columns the holders list shows, as stored.
- `GET /establishments/<code>/people?name=…`: the current grants there whose search name has
  each word typed at the start of one of its words (as finding.py asks), by name, one page.

No authentication, no schema, no decryption, no metrics: the framework and the read.

    DATABASE_URL=postgresql://... gunicorn --pythonpath bench 'queue_bare_app:create_app()' ...
"""

from __future__ import annotations

import os
from typing import Any

from bare_app import engine_for
from flask import Flask, jsonify, request
from gate_bare_app import create_app as create_gate_app
from sqlalchemy import and_, column, or_, select, table, true

PAGE = 50
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
# The holders list's and the search's own columns (bench/scale_lists.py: HOLDER_COLUMNS).
LIST_COLUMNS = (
    "id",
    "person_id",
    "forenames",
    "surname",
    "date_of_birth",
    "badge_number",
    "status",
    "suspended_locally",
    "access_type",
    "valid_until",
    "decided_at",
    "opened_at",
    "review_on",
    "clearance_expires_at",
    "induction",
)
CASE_COLUMNS = (
    "id",
    "application_id",
    "status",
    "applicant_name",
    "role",
    "establishments",
    "requested_access",
    "frequency",
    "opened_at",
    "closed_at",
    "required_level",
    "checks",
    "policy_version",
    "person_id",
    "risk",
    "waiting_on",
    "waiting_since",
    "waited_s",
    "clearance_id",
)
grants = table("grants", *(column(name) for name in GRANT_COLUMNS))
listed = table(
    "grants",
    *(column(name) for name in {*LIST_COLUMNS, "establishment_code", "superseded_at"}),
    column("search_name"),
)
cases = table("vetting_cases", *(column(name) for name in CASE_COLUMNS))


def _page(rows: list[Any]) -> dict[str, Any]:
    return {"items": [row._asdict() for row in rows[:PAGE]], "more": len(rows) > PAGE}


def create_app() -> Flask:
    app = create_gate_app()
    engine = engine_for(os.environ["DATABASE_URL"])
    cases_query = select(cases).order_by(cases.c.opened_at, cases.c.id).limit(PAGE + 1)

    @app.get("/establishments/<code>/queue")
    def queue(code: str):
        query = (
            select(grants)
            .where(grants.c.establishment_code == code, grants.c.awaiting_review == true())
            .order_by(grants.c.opened_at, grants.c.id)
            .limit(PAGE + 1)
        )
        with engine.connect() as conn:
            return jsonify(_page(list(conn.execute(query))))

    def current_at(code: str):
        return select(*(listed.c[name] for name in LIST_COLUMNS)).where(
            listed.c.establishment_code == code, listed.c.superseded_at.is_(None)
        )

    @app.get("/establishments/<code>/holders")
    def holders(code: str):
        query = current_at(code).order_by(listed.c.surname, listed.c.forenames, listed.c.id)
        with engine.connect() as conn:
            return jsonify(_page(list(conn.execute(query.limit(PAGE + 1)))))

    @app.get("/establishments/<code>/people")
    def people(code: str):
        words = (request.args.get("name") or "").lower().split()
        query = current_at(code).where(
            and_(
                *(
                    or_(listed.c.search_name.like(f"{w}%"), listed.c.search_name.like(f"% {w}%"))
                    for w in words
                )
            )
        )
        query = query.order_by(
            listed.c.surname, listed.c.forenames, listed.c.date_of_birth, listed.c.id
        )
        with engine.connect() as conn:
            return jsonify(_page(list(conn.execute(query.limit(PAGE + 1)))))

    @app.get("/cases")
    def list_cases():
        with engine.connect() as conn:
            return jsonify(_page(list(conn.execute(cases_query))))

    return app
