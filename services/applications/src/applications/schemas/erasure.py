"""Schemas for /erasure-requests."""

from __future__ import annotations

from marshmallow import Schema, fields


class ErasureRequestInputSchema(Schema):
    application_id = fields.UUID(
        required=True,
        metadata={
            "description": (
                "An organisation: one of its applications; what it supplied about "
                "that person is erased. The data protection officer: any application; "
                "the person is erased in every service and organisation."
            )
        },
    )


class ServiceProgressSchema(Schema):
    status = fields.String(metadata={"description": "PENDING or ERASED."})
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "For the data protection officer only."},
    )
    erased_at = fields.String()


class ErasureRequestSchema(Schema):
    id = fields.String()
    application_id = fields.String()
    scope = fields.String(metadata={"description": "ORGANISATION or PERSON."})
    requested_at = fields.AwareDateTime()
    person_id = fields.String(
        allow_none=True, metadata={"description": "For the data protection officer only."}
    )
    status = fields.String(
        metadata={
            "description": "IN_PROGRESS until all four services have reported, then COMPLETE."
        }
    )
    completed_at = fields.AwareDateTime(allow_none=True)
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceProgressSchema))
