"""Schemas for /establishments."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class IncomingQuerySchema(Schema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class IncomingCaseSchema(Schema):
    case_id = fields.String()
    application_id = fields.String()
    establishment_code = fields.String()
    requested_access = fields.String()
    opened_at = fields.AwareDateTime()
