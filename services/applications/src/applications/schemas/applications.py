"""Request and response schemas for /applications (they also make the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events.catalogue import (
    ACCESS_TYPES,
    CHANNELS,
    ESTABLISHMENT_CODE,
    FREQUENCIES,
    ROLES,
)

UK_MOBILE = validate.Regexp(r"^(\+44\s?7\d{3}|07\d{3})\s?\d{3}\s?\d{3}$",
                            error="Enter a UK mobile number, like 07700 900123.")


class ApplicantSchema(Schema):
    forenames = fields.String(required=True, validate=validate.Length(min=1, max=100))
    surname = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    mobile = fields.String(load_default=None, allow_none=True, validate=UK_MOBILE)
    preferred_channel = fields.String(load_default="EMAIL", validate=validate.OneOf(CHANNELS))


class ApplicationCreateSchema(Schema):
    applicant = fields.Nested(ApplicantSchema, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    establishments = fields.List(
        fields.String(validate=ESTABLISHMENT_CODE), required=True,
        validate=validate.Length(min=1, max=20),
    )
    requested_access = fields.String(required=True, validate=validate.OneOf(ACCESS_TYPES))
    frequency = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))


class TimelineEntrySchema(Schema):
    kind = fields.String()
    detail = fields.Dict()
    occurred_at = fields.AwareDateTime()


class ApplicationSchema(Schema):
    id = fields.String()
    status = fields.String()
    applicant = fields.Nested(ApplicantSchema)
    role = fields.String()
    establishments = fields.List(fields.String())
    requested_access = fields.String()
    frequency = fields.String()
    created_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime(allow_none=True)
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
