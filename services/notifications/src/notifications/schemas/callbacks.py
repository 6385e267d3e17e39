"""Schemas for /callbacks: delivery receipts as GOV.UK Notify sends them."""

from __future__ import annotations

from datetime import UTC

from marshmallow import EXCLUDE, Schema, fields, validate

NOTIFY_STATUSES = ("delivered", "permanent-failure", "temporary-failure", "technical-failure")


class NotifyCallbackSchema(Schema):
    class Meta:
        # Notify may add fields to its receipts (template_id, template_version, ...): a new
        # field must not turn every receipt into a 422.
        unknown = EXCLUDE

    id = fields.UUID(required=True, metadata={"description": "Notify's id for the message."})
    reference = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=100),
        metadata={"description": "Our notification id, as we sent it."},
    )
    to = fields.String(load_default=None, allow_none=True)
    status = fields.String(required=True, validate=validate.OneOf(NOTIFY_STATUSES))
    created_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)
    completed_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)
    sent_at = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=UTC)
    notification_type = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(("sms", "email", "letter"))
    )
