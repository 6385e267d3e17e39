"""Schemas for a governor's request to reconsider a refusal."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Say why the refusal should be reconsidered (not blank).")


class ReconsiderationInputSchema(Schema):
    class Meta:
        unknown = "raise"

    grounds = fields.String(
        required=True,
        validate=[validate.Length(min=10, max=5000), _not_blank],
        metadata={
            "description": "Why the refusal should be reconsidered, in the governor's words."
        },
    )


class ReconsiderationSchema(Schema):
    """What the governor is shown: that the case is back with an officer, nothing of it."""

    case_id = fields.String()
    status = fields.String()
    requested_at = fields.AwareDateTime()
