"""Schemas for /volunteer: the volunteer's confirmation and opt-out pages."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from applications.schemas.applicant import Strict
from shared.events.catalogue import CHANNELS


class PendingSchema(Schema):
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    needs_code = fields.Boolean(metadata={"description": "SMS: enter the code sent."})
    expires_at = fields.AwareDateTime()
    attempts_left = fields.Integer(allow_none=True)


class ConfirmSchema(Strict):
    code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(
            r"^\d{6}$", error="The code is the six digits sent to your mobile."
        ),
    )


class ConfirmedSchema(Schema):
    confirmed = fields.Boolean()
    channel = fields.String()


class OptOutSchema(Strict):
    channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)),
        load_default=lambda: list(CHANNELS),
        validate=validate.Length(min=1),
    )


class OptedOutSchema(Schema):
    opted_out = fields.List(fields.String())
