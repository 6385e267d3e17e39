"""Events the notifications service publishes: one schema per (type, version)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events.vocabulary import CHANNELS


class NotificationSentV1(Schema):
    notification_id = fields.UUID(required=True)
    application_id = fields.UUID(load_default=None, allow_none=True)
    template = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    recipient_kind = fields.String(required=True)
    sent_at = fields.AwareDateTime(required=True)


class NotificationFailedV1(Schema):
    notification_id = fields.UUID(required=True)
    application_id = fields.UUID(load_default=None, allow_none=True)
    template = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    recipient_kind = fields.String(required=True)
    failed_at = fields.AwareDateTime(required=True)
