"""Schemas for what officers do to a case."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from vetting.domain.lifecycles.check import RESULTS
from vetting.service_layer.decisions import REVIEW_OUTCOMES

REASON = validate.Length(min=3, max=5000)


class Strict(Schema):
    class Meta:
        unknown = "raise"


def _condition_words(value: str) -> None:
    if not value.strip():
        raise ValidationError("Enter the condition in your words, or leave it out.")
    if len(value) > 500:
        raise ValidationError("At most 500 characters.")


class ClearSchema(Strict):
    level = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Default: the level the case requires. Never below it."},
    )
    conditions = fields.List(
        fields.String(validate=validate.Length(max=60)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={"description": ("ESCORTED_ONLY, EXCLUDE_ESTABLISHMENT:<code>")},
    )
    reason = fields.String(required=True, validate=REASON)
    condition_codes = fields.List(
        fields.String(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=20),
        metadata={
            "description": (
                "Conditions from the policy's managed list (its `conditions.managed` codes), "
                "carried to the prisons with their words."
            )
        },
    )
    other_condition = fields.String(
        load_default=None,
        allow_none=True,
        validate=_condition_words,
        metadata={
            "description": (
                "A condition in the officer's words, when the list has none that fits (at most "
                "the policy's `conditions.other_max_length` characters)."
            )
        },
    )
    validity_months = fields.Integer(
        strict=True,
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=1, max=120),
        metadata={"description": "Fewer months than the level's validity; never more."},
    )
    review_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "An earlier review: after today, before the clearance ends."},
    )


class RefusalSchema(Strict):
    reasons = fields.List(
        fields.String(validate=REASON), required=True, validate=validate.Length(min=1, max=20)
    )


class CountersignSchema(Strict):
    decision = fields.String(required=True, validate=validate.OneOf(["CONFIRM", "REJECT"]))
    note = fields.String(required=True, validate=REASON)


class RequestItemSchema(Strict):
    question = fields.String(required=True, validate=validate.Length(min=3, max=1000))
    field = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class InformationRequestInputSchema(Strict):
    items = fields.List(
        fields.Nested(RequestItemSchema), required=True, validate=validate.Length(min=1, max=20)
    )
    reason = fields.String(required=True, validate=REASON)
    due_by = fields.Date(load_default=None, allow_none=True)
    sensitive = fields.Boolean(
        load_default=False,
        metadata={
            "description": (
                "True when the request touches what the checks found: it goes to the volunteer "
                "alone, "
                "and the organisation is told only that the volunteer was asked."
            )
        },
    )


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Give the answer as received (not blank).")


class AnswerSchema(Strict):
    question = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    answer = fields.String(required=True, validate=[validate.Length(min=1, max=4000), _not_blank])


class InformationAnswerInputSchema(Strict):
    answers = fields.List(
        fields.Nested(AnswerSchema),
        required=True,
        validate=validate.Length(min=1, max=50),
        metadata={"description": ("What the volunteer told vetting directly, as received.")},
    )


class RecordSchema(Strict):
    offence = fields.String(required=True, validate=validate.Length(min=1, max=500))
    date = fields.Date(required=True)
    disposal = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    kind = fields.String(
        load_default="CONVICTION", validate=validate.OneOf(["CONVICTION", "CAUTION"])
    )


class CheckResultSchema(Strict):
    outcome = fields.String(
        required=True, validate=validate.OneOf([result.value for result in RESULTS])
    )
    summary = fields.String(required=True, validate=REASON)
    records = fields.List(
        fields.Nested(RecordSchema), load_default=list, validate=validate.Length(max=50)
    )


class ReviewSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(REVIEW_OUTCOMES))
    reason = fields.String(required=True, validate=REASON)


class ReasonSchema(Strict):
    reason = fields.String(required=True, validate=REASON)


class IdentityDecisionSchema(Strict):
    person_id = fields.String(
        required=True,
        validate=validate.Length(min=1, max=36),
        metadata={"description": "One of the case's possible matches."},
    )
    reason = fields.String(required=True, validate=REASON)
