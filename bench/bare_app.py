"""The bare baseline of bench/submission.py: Flask + marshmallow + SQLAlchemy, nothing else.

One endpoint, `POST /submissions`: validate the JSON body with the applications service's own
`ApplicationInputSchema` (the same schema, so the same validation work as the real intake API),
then insert one application row and one outbox-like row in one transaction, and answer 201 with
the stored row. No auth, no readiness rules, no timeline, no idempotency, no envelope.

    DATABASE_URL=postgresql://... gunicorn --pythonpath bench 'bare_app:create_app()' ...

The bench creates the two tables with `create_tables(url)` before it starts gunicorn.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, jsonify, request
from marshmallow import ValidationError
from sqlalchemy import JSON, BigInteger, DateTime, Engine, String, Text, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from applications.schemas.applications import ApplicationInputSchema


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON, list[Any]: JSON}


class BareApplication(Base):
    __tablename__ = "bare_applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    applicant: Mapped[dict[str, Any]]
    role: Mapped[str | None] = mapped_column(String(30))
    establishments: Mapped[list[Any]]
    requested_access: Mapped[str | None] = mapped_column(String(20))
    frequency: Mapped[str | None] = mapped_column(String(20))
    submitted_at: Mapped[datetime]


class BareOutbox(Base):
    __tablename__ = "bare_outbox"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    event_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    published_at: Mapped[datetime | None]


def engine_for(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # The same pool size as shared.db.make_engine; no pre-ping (a bare app would not bother).
    return create_engine(url, pool_size=5, max_overflow=5)


def create_tables(url: str) -> None:
    engine = engine_for(url)
    Base.metadata.create_all(engine)
    engine.dispose()


def create_app() -> Flask:
    app = Flask("bare")
    sessions = sessionmaker(engine_for(os.environ["DATABASE_URL"]), expire_on_commit=False)
    schema = ApplicationInputSchema()

    @app.post("/submissions")
    def submit():
        try:
            data = schema.load(request.get_json(force=True))
        except ValidationError as exc:
            return jsonify({"errors": exc.messages}), 422
        moment = datetime.now(UTC)
        row = BareApplication(
            id=str(uuid.uuid4()),
            status="SUBMITTED",
            applicant=schema.dump(data)["applicant"],
            role=data.get("role"),
            establishments=list(data.get("establishments", [])),
            requested_access=data.get("requested_access"),
            frequency=data.get("frequency"),
            submitted_at=moment,
        )
        view = {
            "id": row.id,
            "status": row.status,
            "applicant": row.applicant,
            "role": row.role,
            "establishments": row.establishments,
            "requested_access": row.requested_access,
            "frequency": row.frequency,
            "submitted_at": moment.isoformat(),
        }
        with sessions.begin() as session:
            session.add(row)
            session.add(
                BareOutbox(
                    event_id=str(uuid.uuid4()),
                    event_type="bare.submitted",
                    body=json.dumps(view),
                    created_at=moment,
                    published_at=None,
                )
            )
        return jsonify(view), 201

    @app.get("/health")
    def health():
        return {"status": "ok"}

    return app
