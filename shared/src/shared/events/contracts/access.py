"""Events the access service publishes: one schema per (type, version)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events.vocabulary import ACCESS_TYPES, ESTABLISHMENT_CODE


class AccessDecisionV1(Schema):
    grant_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    establishment_code = fields.String(required=True, validate=ESTABLISHMENT_CODE)
    access_type = fields.String(load_default=None, allow_none=True,
                                validate=validate.OneOf(ACCESS_TYPES))
    valid_until = fields.AwareDateTime(load_default=None, allow_none=True)
    decided_at = fields.AwareDateTime(required=True)
