"""Schemas for the on-site register (/establishments/{code}/visits, …/on-site)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class SignInSchema(Schema):
    person_id = fields.UUID(required=True, metadata={"description": "The person's id."})


class VisitQuerySchema(Schema):
    person_id = fields.UUID(required=True, metadata={"description": "The person's id."})
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class VisitSchema(Schema):
    id = fields.String()
    establishment_code = fields.String()
    person_id = fields.String()
    grant_id = fields.String()
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    badge_number = fields.String(allow_none=True)
    signed_in_at = fields.AwareDateTime()
    signed_in_by = fields.String()
    signed_out_at = fields.AwareDateTime(allow_none=True)
    signed_out_by = fields.String(allow_none=True)
    left_open = fields.Boolean(
        metadata={"description": "Still open from an earlier day (London): check and sign out."}
    )
