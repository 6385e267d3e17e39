"""Schemas for /clearances and /reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from vetting.domain.lifecycles.clearance import ClearanceState


class ClearanceQuerySchema(Schema):
    person_id = fields.UUID()
    status = fields.String(validate=validate.OneOf([state.value for state in ClearanceState]))
    expiring_before = fields.AwareDateTime()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class ClearanceSchema(Schema):
    id = fields.String()
    person_id = fields.String()
    case_id = fields.String()
    application_id = fields.String()
    level = fields.String()
    access = fields.String()
    conditions = fields.List(fields.String())
    establishments = fields.List(fields.String())
    status = fields.String()
    issued_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    policy_version = fields.String()
    issued_by = fields.String()
    reminders_sent = fields.List(fields.Integer())
    suspension_reason = fields.String(allow_none=True)
    replaces_id = fields.String(allow_none=True)


class ReportQuerySchema(Schema):
    opened_since = fields.AwareDateTime()


class ReportSchema(Schema):
    generated_at = fields.String()
    total = fields.Integer()
    open = fields.Integer()
    by_level = fields.Dict()
    by_state = fields.Dict()
    stuck = fields.List(fields.Dict())
