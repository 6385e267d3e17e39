"""Schemas for review items: news from vetting held for the security team."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from access.domain.lifecycle import ReviewItemState
from access.schemas.grants import REASON


class IdentitySchema(Schema):
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    date_of_birth = fields.String(allow_none=True, metadata={"description": "YYYY-MM-DD"})


class ReviewItemSchema(Schema):
    id = fields.String()
    establishment_code = fields.String()
    grant_id = fields.String()
    person_id = fields.String()
    kind = fields.String(metadata={"description": "IDENTITY_MISMATCH"})
    event_type = fields.String()
    event_id = fields.String()
    recorded = fields.Nested(IdentitySchema, metadata={"description": "who the grant is for"})
    proposed = fields.Nested(IdentitySchema, metadata={"description": "who the news names"})
    status = fields.String(metadata={"description": "OPEN, ACCEPTED or DISMISSED"})
    opened_at = fields.AwareDateTime()
    resolved_at = fields.AwareDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class ReviewItemQuerySchema(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf(tuple(ReviewItemState)))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ResolutionSchema(Schema):
    outcome = fields.String(
        required=True,
        validate=validate.OneOf(("ACCEPT", "DISMISS")),
        metadata={
            "description": (
                "ACCEPT applies the news to the grant "
                "(heads of security); DISMISS keeps the grant as it is"
            )
        },
    )
    reason = REASON
