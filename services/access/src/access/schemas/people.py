"""Schemas for finding a person at an establishment."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from access.schemas.grants import BADGE, Badge


class FindQuerySchema(Schema):
    name = fields.String(
        load_default=None,
        validate=validate.Length(max=200),
        metadata={"description": "Accents and case do not matter; each word starts a word."},
    )
    date_of_birth = fields.Date(load_default=None)
    badge = Badge(load_default=None, validate=BADGE)
    reference = fields.String(
        load_default=None,
        validate=validate.Regexp(
            r"^\s*[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})?\s*$",
            error="The application's reference: 8 letters and digits, for example 3F2B8C1E.",
        ),
        metadata={"description": "The application reference quoted in emails (or its id)."},
    )

    @validates_schema
    def _at_least_one(self, data, **_kwargs):
        given = (
            (data.get("name") or "").strip(),
            data.get("date_of_birth"),
            data.get("badge"),
            (data.get("reference") or "").strip(),
        )
        if not any(given):
            raise ValidationError(
                "Give a name, date of birth, badge or reference (at least one).", "name"
            )


class PersonFoundSchema(Schema):
    person_id = fields.String()
    grant_id = fields.String()
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    badge_number = fields.String(allow_none=True)
    status = fields.String()
    access_type = fields.String(allow_none=True)
    valid_until = fields.AwareDateTime(allow_none=True)


class PeopleFoundSchema(Schema):
    items = fields.List(fields.Nested(PersonFoundSchema))
    more = fields.Boolean(metadata={"description": "More matched than shown: narrow the search."})
