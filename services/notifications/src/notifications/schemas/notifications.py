"""Schemas for /notifications and /recipients."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from notifications.domain.lifecycle import NotificationState
from shared.events.vocabulary import CHANNELS

STATUSES = tuple(state.value for state in NotificationState)


class NotificationQuerySchema(Schema):
    application_id = fields.UUID(load_default=None)
    recipient = fields.String(
        load_default=None,
        validate=validate.Length(min=3, max=254),
        metadata={"description": "An email address or mobile number."},
    )
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class NotificationSchema(Schema):
    id = fields.String()
    event_id = fields.String()
    application_id = fields.String(allow_none=True)
    recipient = fields.String()
    recipient_kind = fields.String()
    channel = fields.String(validate=validate.OneOf(CHANNELS))
    template = fields.String()
    status = fields.String(validate=validate.OneOf(STATUSES))
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    provider = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    delivered_at = fields.AwareDateTime(allow_none=True)
    failed_at = fields.AwareDateTime(allow_none=True)


class OptOutsSchema(Schema):
    email_opt_out = fields.Boolean(load_default=None)
    sms_opt_out = fields.Boolean(load_default=None)

    @validates_schema
    def _something(self, data, **_kwargs):
        if data.get("email_opt_out") is None and data.get("sms_opt_out") is None:
            raise ValidationError("Give email_opt_out, sms_opt_out or both.", "email_opt_out")


class RecipientSchema(Schema):
    application_id = fields.String()
    preferred_channel = fields.String()
    email_confirmed = fields.Boolean()
    mobile_confirmed = fields.Boolean()
    email_opt_out = fields.Boolean()
    sms_opt_out = fields.Boolean()
    updated_at = fields.AwareDateTime()
