"""Subject access requests (UK GDPR article 15), answered the HMPPS way by every service.

    GET /subject-access-request?person=<id>[&fromDate=YYYY-MM-DD][&toDate=YYYY-MM-DD]

- `person` is vetting's person id or an application id (both UUIDs); each service matches
  whatever it holds by either.
- 200 `{"content": {...}}`: everything the service holds on the person, decrypted and readable;
  204 with no body: nothing matches the identifier; 422 with field-level errors: `person`
  missing or not a UUID, a date that is not a date, or `fromDate` after `toDate`.
- Only staff with the `data_protection_officer` role: no or a bad token 401, another role 403.
- Every answer given (200 or 204) is written to the audit log in the same transaction as the
  reads (on PostgreSQL, one REPEATABLE READ snapshot): who asked, about which identifier, and
  counts only (never the content). No audit entry, no answer.

The period (`fromDate`/`toDate`, whole days in UTC, both inclusive) narrows what is returned: a
record (an application, a case, a clearance, a grant, a notification...) is returned when its
life, from creation to its last change, overlaps the period, with the dated history inside it
(timeline, checks, requests, updates, audit entries) that falls within the period. Identifiers
needed to find the rest (vetting's person id and application ids) are always returned. A
service that knows the identifier answers 200 even when nothing falls within the period.

A service supplies `gather(session, identifier, from_date, to_date, now) -> dict | None` (None:
nothing matches) and registers `subject_access_blueprint(gather)`; this module does the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import Response, current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validates_schema
from sqlalchemy.orm import Session

from shared.audit import log as audit
from shared.web.auth import staff_required
from shared.web.roles import DATA_PROTECTION_OFFICER

PATH = "/subject-access-request"
ACTION = "subject_access.read"
SECURITY = [{"bearer": []}]

Gather = Callable[[Session, str, "date | None", "date | None", datetime], "dict[str, Any] | None"]


class SubjectAccessQuerySchema(Schema):
    person = fields.UUID(
        required=True, metadata={"description": "Vetting's person id, or an application id."}
    )
    from_date = fields.Date(
        data_key="fromDate",
        load_default=None,
        metadata={"description": "First day of the period (UTC, inclusive)."},
    )
    to_date = fields.Date(
        data_key="toDate",
        load_default=None,
        metadata={"description": "Last day of the period (UTC, inclusive)."},
    )

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("from_date") and data.get("to_date") and data["from_date"] > data["to_date"]:
            raise ValidationError("Must not be before fromDate.", "toDate")


class SubjectAccessSchema(Schema):
    content = fields.Dict(
        required=True,
        metadata={"description": "Everything this service holds on the person (its own layout)."},
    )


# --- What services use to build their answer -------------------------------------------------


@dataclass(frozen=True)
class Period:
    """fromDate..toDate as instants: [start, end), either end open."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def of(cls, from_date: date | None, to_date: date | None) -> Period:
        return cls(
            datetime.combine(from_date, time(), UTC) if from_date else None,
            datetime.combine(to_date + timedelta(days=1), time(), UTC) if to_date else None,
        )

    def contains(self, moment: datetime | None) -> bool:
        """Undated things are always in."""
        if moment is None:
            return True
        moment = _aware(moment)
        return (self.start is None or moment >= self.start) and (
            self.end is None or moment < self.end
        )

    def overlaps(self, first: datetime | None, *later: datetime | None) -> bool:
        """Does a life from `first` (None: unknown, as early as can be) to the latest of
        `later` (its changes; none: `first`) overlap the period?"""
        moments = [_aware(m) for m in later if m is not None]
        last = max(moments) if moments else (_aware(first) if first is not None else None)
        if self.end is not None and first is not None and _aware(first) >= self.end:
            return False
        return not (self.start is not None and last is not None and last < self.start)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def audit_history(
    session: Session, subject_type: str, subject_id: str, period: Period
) -> list[dict[str, Any]]:
    """Every audit entry about one subject within the period, oldest first (all pages):
    decisions with who made them and why, and the reads of the person's special-category data
    (who saw it: art. 15(1)(c)'s recipients)."""
    found: list[dict[str, Any]] = []
    before_id = None
    while True:
        page = audit.entries(
            session,
            subject_type=subject_type,
            subject_id=subject_id,
            limit=audit.MAX_PAGE,
            before_id=before_id,
        )
        found += page
        if len(page) < audit.MAX_PAGE:
            break
        before_id = page[-1]["id"]
    return [entry for entry in reversed(found) if period.contains(entry.get("at"))]


def unique(values: Iterable[Any]) -> list[Any]:
    """In first-seen order, without None."""
    return [value for value in dict.fromkeys(values) if value is not None]


def json_ready(value: Any) -> Any:
    """Dates and times as ISO 8601 (Flask would write HTTP dates), tuples and sets as lists."""
    if isinstance(value, datetime):
        return _aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return [json_ready(v) for v in items]
    return value


def counts(content: dict[str, Any] | None) -> dict[str, int]:
    """What the audit entry says about an answer: how many of each kind, nothing personal."""
    return {key: len(value) for key, value in (content or {}).items() if isinstance(value, list)}


# --- The endpoint -------------------------------------------------------------------------------


def answer(
    gather: Gather, identifier: str, from_date: date | None, to_date: date | None
) -> dict[str, Any] | None:
    """Gather and audit in one transaction; the content (JSON-ready), or None for 204."""
    platform = current_app.extensions["platform"]
    with platform.session_factory() as session:
        if session.get_bind().dialect.name == "postgresql":
            # One snapshot for every read: an answer consistent with itself.
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        moment = platform.clock.now()
        content = gather(session, identifier, from_date, to_date, moment)
        ready = json_ready(content) if content is not None else None
        audit.record(
            session,
            service=platform.settings.service,
            actor=g.staff.staff_id,
            actor_kind=audit.STAFF,
            action=ACTION,
            subject_type="person",
            subject_id=identifier,
            detail={
                "found": content is not None,
                "counts": counts(content),
                "from_date": from_date.isoformat() if from_date else None,
                "to_date": to_date.isoformat() if to_date else None,
            },
            at=moment,
        )
        session.commit()
    return ready


def subject_access_blueprint(gather: Gather) -> Blueprint:
    """A fresh blueprint per app: `GET /subject-access-request`, answered by `gather`."""
    blp = Blueprint(
        "subject_access",
        __name__,
        url_prefix=PATH,
        description="Subject access requests (UK GDPR article 15), for data protection officers.",
    )

    @blp.route("")
    class SubjectAccessRequest(MethodView):
        decorators = [staff_required(DATA_PROTECTION_OFFICER)]

        @blp.arguments(SubjectAccessQuerySchema, location="query")
        @blp.response(200, SubjectAccessSchema)
        @blp.alt_response(204, description="The service holds nothing on this identifier.")
        @blp.doc(security=SECURITY)
        def get(self, query):
            """Everything this service holds on a person (by vetting's person id or an
            application id), decrypted; each answer is audited."""
            content = answer(
                gather, str(query["person"]), query.get("from_date"), query.get("to_date")
            )
            if content is None:
                return Response(status=204)
            return {"content": content}

    return blp
