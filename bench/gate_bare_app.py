"""The bare baseline of bench/gatecheck.py: Flask + SQLAlchemy Core, one indexed SELECT.

`GET /establishments/<code>/gate-check?badge=…` (or `?person=…`): read the grant's row by the
same unique key the access service uses ((establishment_code, badge_number) or
(establishment_code, person_id)), the same columns, from the same `grants` table in the same
database, and answer 200 with the row as JSON (`{"found": false}` when there is none). No
authentication, no rules, no audit entry, no marshmallow, no metrics: what a gate check costs
with nothing but the framework and the read.

    DATABASE_URL=postgresql://... gunicorn --pythonpath bench 'gate_bare_app:create_app()' ...
"""

from __future__ import annotations

import os

from bare_app import engine_for  # the same pool settings as bench/submission.py's baseline
from flask import Flask, jsonify, request
from sqlalchemy import Column, Date, DateTime, MetaData, String, Table, select
from sqlalchemy.types import JSON

grants = Table(
    "grants",
    MetaData(),
    Column("id", String(36), primary_key=True),
    Column("establishment_code", String(4)),
    Column("person_id", String(36)),
    Column("status", String(20)),
    Column("clearance_status", String(12)),
    Column("clearance_expires_at", DateTime(True)),
    Column("access_type", String(20)),
    Column("conditions", JSON),
    Column("permitted_days", JSON),
    Column("permitted_areas", JSON),
    Column("valid_until", DateTime(True)),
    Column("forenames", String(200)),
    Column("surname", String(200)),
    Column("date_of_birth", Date),
    Column("badge_number", String(40)),
)
COLUMNS = [
    grants.c[name]
    for name in (
        "id",
        "status",
        "clearance_status",
        "clearance_expires_at",
        "access_type",
        "conditions",
        "permitted_days",
        "permitted_areas",
        "valid_until",
        "forenames",
        "surname",
        "date_of_birth",
        "badge_number",
    )
]


def create_app() -> Flask:
    app = Flask("gate_bare")
    engine = engine_for(os.environ["DATABASE_URL"])

    @app.get("/establishments/<code>/gate-check")
    def gate_check(code: str):
        person, badge = request.args.get("person"), request.args.get("badge")
        if (person is None) == (badge is None):
            return jsonify({"errors": {"person": ["Give either person or badge."]}}), 422
        column = grants.c.person_id if person is not None else grants.c.badge_number
        query = select(*COLUMNS).where(
            grants.c.establishment_code == code, column == (person if person is not None else badge)
        )
        with engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return jsonify({"found": False})
        view = row._asdict()
        for key in ("clearance_expires_at", "valid_until", "date_of_birth"):
            if view[key] is not None:
                view[key] = view[key].isoformat()
        return jsonify({"found": True, **view})

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app
