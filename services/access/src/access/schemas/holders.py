"""Schemas for who holds access at an establishment: the filters, the order, the page."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from access.domain.holders import DIRECTIONS, KEY_HOLDING, MAX_EXPIRING_DAYS, SORTS
from shared.events.vocabulary import ACCESS_TYPES, GRANT_STATUSES


class HolderFilterSchema(Schema):
    """The filters (every one given must hold) and the order: the list's and the CSV's."""

    status = fields.List(
        fields.String(validate=validate.OneOf(GRANT_STATUSES)),
        load_default=list,
        validate=validate.Length(max=len(GRANT_STATUSES)),
        metadata={"description": "Any of these states (repeat the parameter for several)."},
    )
    access_type = fields.List(
        fields.String(validate=validate.OneOf(ACCESS_TYPES)),
        load_default=list,
        validate=validate.Length(max=len(ACCESS_TYPES)),
        metadata={"description": "Any of these types of access."},
    )
    key_holders = fields.Boolean(
        load_default=False, metadata={"description": "Key-holding access only."}
    )
    expiring_within_days = fields.Integer(
        load_default=None,
        validate=validate.Range(
            min=0, max=MAX_EXPIRING_DAYS, error="A number of days from 0 to {max}."
        ),
        metadata={
            "description": (
                "Access held (approved, active or suspended) whose validity ends between now "
                "and the end of the day this many days from today (London)."
            )
        },
    )
    review_due = fields.Boolean(
        load_default=False,
        metadata={"description": "Exclusions whose review date has come."},
    )
    awaiting_induction = fields.Boolean(
        load_default=False,
        metadata={"description": "Approved grants whose induction is not complete."},
    )
    sort = fields.String(load_default="name", validate=validate.OneOf(SORTS))
    direction = fields.String(load_default="asc", validate=validate.OneOf(DIRECTIONS))

    @validates_schema
    def _consistent(self, data, **_kwargs):
        types = data.get("access_type") or []
        if data.get("key_holders") and types and KEY_HOLDING not in types:
            raise ValidationError(
                "Key holders have key-holding access: choose it, or no type of access.",
                "access_type",
            )


class HolderQuerySchema(HolderFilterSchema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=10_000, error="A page from 1 to {max}."),
    )
    size = fields.Integer(
        load_default=50,
        validate=validate.Range(min=1, max=200, error="From 1 to {max} a page."),
    )


class HolderSchema(Schema):
    grant_id = fields.String()
    person_id = fields.String()
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    badge_number = fields.String(allow_none=True)
    status = fields.String()
    suspended_locally = fields.Boolean()
    access_type = fields.String(allow_none=True)
    valid_until = fields.AwareDateTime(allow_none=True)
    granted_at = fields.AwareDateTime(
        allow_none=True, metadata={"description": "When the establishment decided it."}
    )
    requested_at = fields.AwareDateTime()
    review_on = fields.Date(allow_none=True, metadata={"description": "An exclusion's review."})
    clearance_expires_at = fields.AwareDateTime()
    induction_outstanding = fields.List(fields.String())


class HolderPageSchema(Schema):
    items = fields.List(fields.Nested(HolderSchema))
    page = fields.Integer()
    size = fields.Integer()
    more = fields.Boolean(metadata={"description": "There is a next page."})
    sort = fields.String()
    direction = fields.String()
