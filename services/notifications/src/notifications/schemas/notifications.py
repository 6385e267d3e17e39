"""Schemas for /notifications."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class NotificationQuerySchema(Schema):
    application_id = fields.UUID()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class NotificationSchema(Schema):
    id = fields.String()
    event_id = fields.String()
    application_id = fields.String(allow_none=True)
    recipient_kind = fields.String()
    channel = fields.String()
    template = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    created_at = fields.AwareDateTime()
    sent_at = fields.AwareDateTime(allow_none=True)
