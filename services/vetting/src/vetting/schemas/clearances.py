"""Schemas for /clearances and /reports."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from vetting.domain.lifecycles.clearance import ClearanceState

NAME = validate.Length(min=1, max=100)


class ClearanceQuerySchema(Schema):
    person_id = fields.UUID()
    clearance_id = fields.UUID()
    surname = fields.String(
        validate=NAME, metadata={"description": "The holder's surname starts so (any case)."}
    )
    forenames = fields.String(
        validate=NAME, metadata={"description": "The holder's forenames start so (any case)."}
    )
    date_of_birth = fields.Date(metadata={"description": "The holder's date of birth."})
    status = fields.String(validate=validate.OneOf([state.value for state in ClearanceState]))
    expiring_before = fields.AwareDateTime()
    expiring_within_days = fields.Integer(
        validate=validate.Range(min=0, max=3650),
        metadata={"description": "Not yet expired, and expiring within this many days."},
    )
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=500))


class HolderNameSchema(Schema):
    forenames = fields.String(allow_none=True)
    surname = fields.String(allow_none=True)


class ClearanceSchema(Schema):
    id = fields.String()
    person_id = fields.String()
    case_id = fields.String()
    application_id = fields.String()
    level = fields.String()
    access = fields.String()
    conditions = fields.List(fields.String())
    custom_conditions = fields.List(
        fields.Dict(),
        metadata={"description": "The officer's conditions: [{'code': str, 'text': str}]."},
    )
    review_on = fields.Date(allow_none=True)
    establishments = fields.List(fields.String())
    status = fields.String()
    issued_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()
    policy_version = fields.String()
    issued_by = fields.String()
    reminders_sent = fields.List(fields.Integer())
    suspension_reason = fields.String(allow_none=True)
    replaces_id = fields.String(allow_none=True)
    holder_name = fields.Nested(
        HolderNameSchema,
        metadata={"description": "The holder's name as the application it was issued on gave it."},
    )


class ReportQuerySchema(Schema):
    opened_since = fields.AwareDateTime()


class WaitingCaseSchema(Schema):
    case_id = fields.String()
    status = fields.String()
    level = fields.String()
    waiting_on = fields.String(allow_none=True)
    waiting_for_s = fields.Float()
    waiting_working_days = fields.Integer(
        metadata={"description": "Working days waited on that party now (this spell)."}
    )
    age_s = fields.Float()
    age_working_days = fields.Integer()


class WeekSchema(Schema):
    week = fields.String(metadata={"description": "ISO week, e.g. 2026-W49 (London dates)."})
    starts = fields.String(metadata={"description": "Its Monday (YYYY-MM-DD)."})
    opened = fields.Integer(metadata={"description": "Cases opened that week."})
    decided = fields.Integer(metadata={"description": "Cases cleared or refused that week."})
    withdrawn = fields.Integer()


class AgeBucketSchema(Schema):
    bucket = fields.String(metadata={"description": "0-5, 6-10, 11-20, 21-40 or 41+."})
    count = fields.Integer(metadata={"description": "Open cases of that age in working days."})
    from_days = fields.Integer()
    to_days = fields.Integer(allow_none=True, metadata={"description": "null: no upper bound."})


class WorkingDaysNoteSchema(Schema):
    bank_holidays = fields.String()
    bank_holiday_years = fields.List(
        fields.Integer(),
        allow_none=True,
        metadata={"description": "First and last year of known bank holidays (else weekends)."},
    )


class ReportSchema(Schema):
    generated_at = fields.String()
    total = fields.Integer()
    open = fields.Integer()
    by_level = fields.Dict(
        metadata={
            "description": (
                "Per level: count, age_s and age_working_days {median, p90}, waiting_s and "
                "waiting_working_days {party: {median, p90}} (a party's working days are its "
                "share of the case's age in working days, in proportion to the time waited)."
            )
        }
    )
    by_state = fields.Dict(metadata={"description": "Per state, as by_level."})
    stuck = fields.List(
        fields.Nested(WaitingCaseSchema),
        metadata={"description": "Open cases waiting on one party over 14 days, longest first."},
    )
    longest_waiting = fields.List(
        fields.Nested(WaitingCaseSchema),
        metadata={"description": "The 10 open cases waiting longest now, in working days."},
    )
    weekly = fields.List(
        fields.Nested(WeekSchema),
        metadata={"description": "The last 12 ISO weeks, this one included, oldest first."},
    )
    age_distribution = fields.List(fields.Nested(AgeBucketSchema))
    working_days = fields.Nested(WorkingDaysNoteSchema)
