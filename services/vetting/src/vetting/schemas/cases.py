"""Schemas for /cases."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class CaseQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(["OPEN", "REVIEW", "WITHDRAWN"]))
    application_id = fields.UUID()
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class CaseSchema(Schema):
    id = fields.String()
    application_id = fields.String()
    status = fields.String()
    applicant_name = fields.Dict(keys=fields.String(), values=fields.String())
    role = fields.String()
    establishments = fields.List(fields.String())
    requested_access = fields.String()
    frequency = fields.String()
    opened_at = fields.AwareDateTime()
    required_level = fields.String(allow_none=True)
    checks = fields.List(fields.String(), allow_none=True)
    policy_version = fields.String(allow_none=True)
