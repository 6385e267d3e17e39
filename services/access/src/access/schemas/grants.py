"""Schemas for /grants: a grant, and the bodies of the decisions about it."""

from __future__ import annotations

from marshmallow import Schema, fields, validate, validates_schema
from marshmallow.exceptions import ValidationError

from access.domain.people import normalise_badge
from access.domain.rules import INDUCTION_ITEMS, WEEKDAYS
from shared.events.vocabulary import ACCESS_TYPES

REASON = fields.String(required=True, validate=validate.Length(min=1, max=2000))
BADGE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$", error="Letters, digits and hyphens, up to 40."
)


class Badge(fields.String):
    """A badge number as typed: read in the one form it is issued and checked in."""

    def _deserialize(self, value, attr, data, **kwargs):
        return normalise_badge(super()._deserialize(value, attr, data, **kwargs)) or ""


class ClearanceCopySchema(Schema):
    id = fields.String()
    level = fields.String()
    max_access = fields.String()
    conditions = fields.List(
        fields.String(),
        metadata={
            "description": (
                "What this establishment must enforce (an exclusion only if it names "
                "this establishment)."
            )
        },
    )
    other_conditions_apply = fields.Boolean(
        metadata={"description": "Other conditions apply that concern other establishments only."}
    )
    custom_conditions = fields.List(
        fields.Dict(),
        metadata={
            "description": (
                "The vetting officer's conditions, to enforce as well: [{'code': str, 'text': "
                "str}] (code OTHER: the officer's words)."
            )
        },
    )
    review_on = fields.Date(
        allow_none=True, metadata={"description": "Vetting reviews the clearance by this date."}
    )
    expires_at = fields.AwareDateTime()
    status = fields.String()


class InductionSchema(Schema):
    required = fields.List(fields.String())
    outstanding = fields.List(fields.String())
    done = fields.Dict(metadata={"description": "item → {at, by, badge_number?}"})


class EarlierDecisionSchema(Schema):
    grant_id = fields.String()
    status = fields.String()
    status_reason = fields.String(allow_none=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    review_on = fields.Date(allow_none=True)
    superseded_at = fields.AwareDateTime(allow_none=True)


class GrantSchema(Schema):
    id = fields.String()
    establishment_code = fields.String()
    person_id = fields.String()
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    application_id = fields.String()
    status = fields.String()
    awaiting_review = fields.Boolean()
    renewal = fields.Boolean()
    suspended_locally = fields.Boolean()
    declared_connection = fields.Boolean(
        metadata={
            "description": (
                "The person declared a connection with someone held at this establishment "
                "(vetting says only that one exists, never who)."
            )
        }
    )
    clearance = fields.Nested(ClearanceCopySchema)
    access_type = fields.String(allow_none=True)
    conditions = fields.List(fields.String())
    permitted_days = fields.List(fields.String(), allow_none=True)
    permitted_areas = fields.List(fields.String())
    valid_until = fields.AwareDateTime(allow_none=True)
    badge_number = fields.String(allow_none=True)
    induction = fields.Nested(InductionSchema)
    review_on = fields.Date(allow_none=True)
    status_reason = fields.String(allow_none=True)
    opened_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    activated_at = fields.AwareDateTime(allow_none=True)
    updated_at = fields.AwareDateTime()
    superseded_at = fields.AwareDateTime(
        allow_none=True,
        metadata={"description": "Set on a closed grant kept as history beside a newer request."},
    )
    earlier_decisions = fields.List(
        fields.Nested(EarlierDecisionSchema),
        metadata={
            "description": (
                "This establishment's earlier closing decisions about the person "
                "(refused, revoked, excluded, ended), newest first: they stand."
            )
        },
    )


class GrantPageSchema(Schema):
    items = fields.List(fields.Nested(GrantSchema))
    next_cursor = fields.String(allow_none=True)


class PersonSchema(Schema):
    person_id = fields.String()
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)
    date_of_birth = fields.Date(allow_none=True)
    grants = fields.List(fields.Nested(GrantSchema))


class ApprovalSchema(Schema):
    access_type = fields.String(required=True, validate=validate.OneOf(ACCESS_TYPES))
    valid_until = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        metadata={"description": "Default and latest: the clearance's expiry."},
    )
    conditions = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    permitted_days = fields.List(
        fields.String(validate=validate.OneOf(WEEKDAYS)),
        load_default=None,
        allow_none=True,
        metadata={"description": "Leave out for every day."},
    )
    permitted_areas = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))

    @validates_schema
    def _distinct_days(self, data, **_kwargs):
        days = data.get("permitted_days")
        if days is not None and len(set(days)) != len(days):
            raise ValidationError("Each day once.", "permitted_days")


class ReasonSchema(Schema):
    reason = REASON


class ExclusionSchema(Schema):
    reason = REASON
    review_on = fields.Date(required=True, metadata={"description": "When to review it."})


class InductionItemSchema(Schema):
    item = fields.String(required=True, validate=validate.OneOf(INDUCTION_ITEMS))
    badge_number = Badge(load_default=None, allow_none=True, validate=BADGE)
