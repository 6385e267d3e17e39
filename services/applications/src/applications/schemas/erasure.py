"""Schemas for /erasure-requests."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErasureRequestInputSchema(Schema):
    application_id = fields.UUID(required=True, metadata={
        "description": "An application of the person to erase (the organisation's own; any, "
                       "for the data protection officer). Every application of the person, in "
                       "every organisation, is erased."})


class ServiceProgressSchema(Schema):
    status = fields.String(metadata={"description": "PENDING or ERASED."})
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    erased_at = fields.String()


class ErasureRequestSchema(Schema):
    id = fields.String()
    application_id = fields.String()
    requested_at = fields.AwareDateTime()
    person_id = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "IN_PROGRESS until all four services have "
                                                    "reported, then COMPLETE."})
    completed_at = fields.AwareDateTime(allow_none=True)
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceProgressSchema))
