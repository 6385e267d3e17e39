"""Erasure: one request (published by applications), one report per service that erased.

The type's prefix names its publisher (the topology's rule), so "person.erased" is spelt
`vetting.person_erased`, `access.person_erased` and `notification.person_erased`, one schema.
Nothing here names the person beyond the pseudonymous ids the services share.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

SCOPES = ("ORGANISATION", "PERSON")


class ErasureRequestedV1(Schema):
    erasure_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    requested_at = fields.AwareDateTime(required=True)
    # Added (optional): ORGANISATION erases what that organisation supplied (its applications
    # for the person); PERSON, the data protection officer's, erases the person everywhere.
    # Missing: the narrower scope.
    scope = fields.String(load_default="ORGANISATION", validate=validate.OneOf(SCOPES))
    organisation_id = fields.UUID(load_default=None, allow_none=True)


class ApplicationsErasedV1(Schema):
    """Vetting erased one organisation's applications for a person (never the person):
    the others erase what they hold for these application ids, and nothing else."""

    erasure_id = fields.UUID(required=True)
    application_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1))
    counts = fields.Dict(
        keys=fields.String(validate=validate.Length(max=50)),
        values=fields.Integer(validate=validate.Range(min=0)),
        required=True,
    )
    erased_at = fields.AwareDateTime(required=True)


class PersonErasedV1(Schema):
    erasure_id = fields.UUID(required=True)
    # Vetting's person id, when vetting knew the person (an application never submitted has none).
    person_id = fields.UUID(load_default=None, allow_none=True)
    # Every application of the person the reporting service knew of (vetting's list is the
    # one the others act on: it links a person's applications across organisations).
    application_ids = fields.List(fields.UUID(), required=True)
    # What was erased or anonymised, by kind: e.g. {"cases": 2, "checks": 9}.
    counts = fields.Dict(
        keys=fields.String(validate=validate.Length(max=50)),
        values=fields.Integer(validate=validate.Range(min=0)),
        required=True,
    )
    erased_at = fields.AwareDateTime(required=True)
