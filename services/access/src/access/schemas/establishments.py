"""Schemas for /establishments: the incoming view, the queue, grants, the gate check."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from access.schemas.grants import BADGE, Badge
from shared.events.vocabulary import GRANT_STATUSES


class EstablishmentSchema(Schema):
    code = fields.String()
    name = fields.String()
    nation = fields.String()
    high_security = fields.Boolean()
    womens_estate = fields.Boolean()


class IncomingQuerySchema(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class IncomingCaseSchema(Schema):
    case_id = fields.String()
    application_id = fields.String()
    establishment_code = fields.String()
    requested_access = fields.String()
    opened_at = fields.AwareDateTime()


class PageQuerySchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(load_default=None, validate=validate.Length(max=200))


class GrantQuerySchema(PageQuerySchema):
    status = fields.String(load_default=None, validate=validate.OneOf(GRANT_STATUSES))


class GateQuerySchema(Schema):
    person = fields.UUID(load_default=None, metadata={"description": "The person's id."})
    badge = Badge(
        load_default=None,
        validate=BADGE,
        metadata={"description": "As typed: case and surrounding spaces do not matter."},
    )
    name = fields.String(
        load_default=None,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Without a badge: the name, with date_of_birth."},
    )
    date_of_birth = fields.Date(load_default=None)

    @validates_schema
    def _one_of(self, data, **_kwargs):
        by_name = data.get("name") is not None or data.get("date_of_birth") is not None
        ways = [data.get("person") is not None, data.get("badge") is not None, by_name]
        if sum(ways) != 1:
            raise ValidationError(
                "Give person, badge, or name and date_of_birth (one of them).", "person"
            )
        if by_name and (not (data.get("name") or "").strip() or not data.get("date_of_birth")):
            raise ValidationError("Give both name and date_of_birth.", "name")


class GateMatchSchema(Schema):
    person_id = fields.String(required=True)
    grant_id = fields.String(required=True)
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    badge_number = fields.String(allow_none=True)


class GateResultSchema(Schema):
    allowed = fields.Boolean(required=True)
    reason = fields.String(
        required=True,
        metadata={"description": "A code, e.g. ALLOWED, SUSPENDED, EXPIRED, NO_GRANT."},
    )
    message = fields.String(required=True)
    grant_id = fields.String(allow_none=True)
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    badge_number = fields.String(allow_none=True)
    access_type = fields.String(allow_none=True)
    conditions = fields.List(fields.String())
    permitted_days = fields.List(fields.String(), allow_none=True)
    permitted_areas = fields.List(fields.String())
    valid_until = fields.AwareDateTime(allow_none=True)
    checked_at = fields.AwareDateTime(required=True)
    matches = fields.List(
        fields.Nested(GateMatchSchema),
        metadata={
            "description": (
                "A check by name and date of birth only: when several people match "
                "(reason SEVERAL_MATCHES), who to choose from; check the one at the gate by "
                "person."
            )
        },
    )
