"""Response schemas every service's API shares."""

from __future__ import annotations

from marshmallow import Schema, fields


class AuditEntrySchema(Schema):
    """One entry of a service's audit log (shared.audit)."""

    id = fields.Integer()
    at = fields.AwareDateTime()
    service = fields.String()
    actor = fields.String()
    actor_kind = fields.String()
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    reason = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)
    correlation_id = fields.String(allow_none=True)
