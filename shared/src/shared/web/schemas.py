"""Response schemas every service's API shares."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from shared.audit import log as audit

OUTCOMES = ("SUCCESS", "FAILURE", "DENIED", "ALLOWED", "REFUSED")


class AuditEntrySchema(Schema):
    """One entry of a service's audit log (shared.audit.log)."""

    id = fields.Integer()
    at = fields.AwareDateTime()
    service = fields.String()
    actor = fields.String()
    actor_kind = fields.String()
    action = fields.String()
    subject_type = fields.String()
    subject_id = fields.String()
    outcome = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    detail = fields.Dict(allow_none=True)
    correlation_id = fields.String(allow_none=True)
    erased = fields.Boolean(
        metadata={
            "description": (
                "The entry's reason and private detail were erased with the person's data: the "
                "entry "
                "itself stays."
            )
        }
    )


class AuditQuerySchema(Schema):
    subject_type = fields.String(validate=validate.Length(min=1, max=50))
    subject_id = fields.String(validate=validate.Length(min=1, max=100))
    actor = fields.String(validate=validate.Length(min=1, max=200))
    action = fields.String(validate=validate.Length(min=1, max=100))
    outcome = fields.String(validate=validate.OneOf(OUTCOMES))
    since = fields.AwareDateTime(metadata={"description": "Entries at or after (ISO 8601)."})
    until = fields.AwareDateTime(metadata={"description": "Entries before (ISO 8601)."})
    before_id = fields.Integer(
        validate=validate.Range(min=1),
        metadata={"description": "The next page: the last id of the page before."},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=audit.MAX_PAGE))

    @validates_schema
    def _ordered(self, data: dict, **_kwargs: object) -> None:
        if data.get("since") and data.get("until") and data["since"] >= data["until"]:
            raise ValidationError("Must be after since.", field_name="until")


class AuditPageSchema(Schema):
    entries = fields.List(fields.Nested(AuditEntrySchema))
    next_before_id = fields.Integer(
        allow_none=True,
        metadata={"description": "Pass as before_id for the next page; null on the last page."},
    )
