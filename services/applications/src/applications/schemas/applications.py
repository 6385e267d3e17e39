"""Request and response schemas for /applications (they also make the OpenAPI document)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from applications.domain.lifecycle import ApplicationState, RequestState
from applications.schemas.applicant import (
    AddressSchema,
    ApplicantSchema,
    ConnectionSchema,
    ConvictionSchema,
    Strict,
)
from shared.events.catalogue import (
    ACCESS_TYPES,
    CHANGE_KINDS,
    ESTABLISHMENT_CODE,
    FREQUENCIES,
    ROLES,
)
from shared.events.vocabulary import SPONSORSHIP_END_REASONS

STATUSES = tuple(state.value for state in ApplicationState)
# A group's name and its area: one line of ordinary text, for the prison deciding access.
PLACEMENT_TEXT = validate.And(
    validate.Length(min=1, max=120),
    validate.Regexp(
        r"^[^\x00-\x1f\x7f]*\S[^\x00-\x1f\x7f]*$",
        error="Give one line of text (not blank, no line breaks).",
    ),
)


class ApplicationInputSchema(Strict):
    """A draft, or a change to one: every part may be left out until submission."""

    applicant = fields.Nested(ApplicantSchema)
    role = fields.String(allow_none=True, validate=validate.OneOf(ROLES))
    establishments = fields.List(
        fields.String(validate=ESTABLISHMENT_CODE), validate=validate.Length(max=20)
    )
    requested_access = fields.String(allow_none=True, validate=validate.OneOf(ACCESS_TYPES))
    frequency = fields.String(allow_none=True, validate=validate.OneOf(FREQUENCIES))
    group_name = fields.String(
        allow_none=True,
        validate=PLACEMENT_TEXT,
        metadata={
            "description": "The group the volunteer will run (optional).",
            "example": "Tuesday evening meeting",
        },
    )
    area = fields.String(
        allow_none=True,
        validate=PLACEMENT_TEXT,
        metadata={"description": "Where in the prison it meets (optional).", "example": "Chapel"},
    )


class TimelineEntrySchema(Schema):
    kind = fields.String()
    detail = fields.Dict()
    occurred_at = fields.AwareDateTime()


class InformationRequestSchema(Schema):
    """What vetting asks the organisation to provide, never why (the reason may be what the
    checks found). A sensitive request went to the volunteer alone: status VOLUNTEER_ASKED,
    no questions, and a message saying so."""

    id = fields.String()
    items = fields.List(fields.Dict())
    due_by = fields.String(allow_none=True)
    status = fields.String(metadata={"enum": [state.value for state in RequestState]})
    message = fields.String()
    requested_at = fields.AwareDateTime()
    answers = fields.List(fields.Dict(), allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)


class OutcomeSchema(Schema):
    """What the organisation is told of its application's outcome: never which clearance
    serves it, nor when that clearance was issued (it may rest on another organisation's
    application)."""

    result = fields.String(metadata={"description": "CLEARED or REFUSED."})
    level = fields.String()
    access = fields.String()
    conditions = fields.List(fields.String())
    expires_at = fields.String(metadata={"description": "Cleared until then."})
    cleared_at = fields.String()
    clearance_status = fields.String(
        metadata={"description": "ACTIVE, SUSPENDED, REVOKED or EXPIRED, as vetting last said."}
    )
    reconsidered = fields.Boolean()


class ApplicationSummarySchema(Schema):
    id = fields.String()
    reference = fields.String(
        metadata={
            "description": (
                "The reference quoted to the volunteer and the coordinator in emails and texts "
                "(the id's first eight characters, in capitals)."
            ),
            "example": "3F2A9C1D",
        }
    )
    status = fields.String(metadata={"enum": list(STATUSES)})
    applicant_name = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    establishments = fields.List(fields.String())
    requested_access = fields.String(allow_none=True)
    frequency = fields.String(allow_none=True)
    created_at = fields.AwareDateTime()
    updated_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime(allow_none=True)


class ApplicationSchema(ApplicationSummarySchema):
    applicant = fields.Dict(
        metadata={
            "description": (
                "The applicant document; once the volunteer has been sent their link, without "
                "the sections they complete themselves (declarations, connections, "
                "identity_documents)."
            )
        }
    )
    volunteer_sections = fields.Dict(
        keys=fields.String(),
        values=fields.String(metadata={"enum": ["COMPLETE", "NEEDS_ATTENTION"]}),
        metadata={
            "description": (
                "For each section the volunteer completes through their own link: COMPLETE or "
                "NEEDS_ATTENTION (never its content). Empty while the organisation fills in "
                "every section itself."
            )
        },
    )
    group_name = fields.String(allow_none=True)
    area = fields.String(allow_none=True)
    renewal_of = fields.String(allow_none=True)
    outcome = fields.Nested(OutcomeSchema, allow_none=True)
    withdrawn_reason = fields.String(allow_none=True)
    reconsideration_requested_at = fields.AwareDateTime(allow_none=True)
    information_requests = fields.List(fields.Nested(InformationRequestSchema))
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
    change_reports = fields.List(
        fields.Nested(lambda: ChangeResultSchema()),
        metadata={
            "description": (
                "The changes of circumstances this organisation reported, each with "
                "vetting's latest outcome for it (never what vetting found)."
            )
        },
    )


class ApplicationPageSchema(Schema):
    items = fields.List(fields.Nested(ApplicationSummarySchema))
    next_cursor = fields.String(allow_none=True)


class ListQuerySchema(Strict):
    status = fields.String(validate=validate.OneOf(STATUSES))
    establishment = fields.String(validate=ESTABLISHMENT_CODE)
    updated_since = fields.AwareDateTime()
    cursor = fields.String(validate=validate.Length(max=200))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ProblemSchema(Schema):
    code = fields.String()
    field = fields.String()
    message = fields.String()
    blocking = fields.Boolean()


class ClearanceLevelSchema(Schema):
    code = fields.String(metadata={"description": "The vetting policy's code, e.g. STANDARD."})
    label = fields.String(
        metadata={
            "description": (
                "How people read it, e.g. 'Level 2 (escorted)' (not a DBS certificate level)."
            )
        }
    )
    sections = fields.List(
        fields.String(),
        metadata={
            "description": (
                "The optional sections this level needs: address_history, declarations, "
                "referees, uk_residence (three years in the UK, for a Counter Terrorist Check)."
            )
        },
    )


class NotNeededSchema(Schema):
    section = fields.String(metadata={"example": "applicant.referees"})
    message = fields.String(
        metadata={
            "example": "Referees are not needed for a one-off escorted visit "
            "(clearance level: Level 1 (identity))."
        }
    )


class ReadinessSchema(Schema):
    ready = fields.Boolean()
    problems = fields.List(fields.Nested(ProblemSchema))
    clearance_level = fields.Nested(
        ClearanceLevelSchema,
        metadata={
            "description": (
                "The level the vetting policy gives this request (access, frequency and "
                "establishments); readiness asks only what it needs. The highest until access "
                "and frequency are chosen."
            )
        },
    )
    not_needed = fields.List(
        fields.Nested(NotNeededSchema),
        metadata={"description": "Sections this request's level does not need, and why."},
    )


class WithdrawSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


class SponsorshipEndSchema(Strict):
    reason_code = fields.String(
        required=True,
        validate=validate.OneOf(SPONSORSHIP_END_REASONS),
        metadata={"description": "Why the organisation stops."},
    )
    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={
            "description": (
                "In the organisation's words (its timeline only: the prisons are told the code)."
            )
        },
    )


class ConfirmationRequestSchema(Strict):
    channel = fields.String(
        required=True,
        validate=validate.OneOf(("EMAIL", "SMS")),
        metadata={"description": "EMAIL: a new link to the volunteer's email; SMS: a new code."},
    )


class ConfirmationSentSchema(Schema):
    channel = fields.String()
    sent_at = fields.AwareDateTime()
    expires_at = fields.AwareDateTime()


class ReconsiderationSchema(Strict):
    grounds = fields.String(
        required=True,
        validate=validate.Length(min=1, max=5000),
        metadata={
            "description": (
                "Why the refusal should be reconsidered: new information, or what the "
                "decision missed. Vetting reads it; the organisation sees it in the "
                "timeline."
            )
        },
    )


class AnswerSchema(Strict):
    question = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    answer = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class ResponseSchema(Strict):
    request_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    answers = fields.List(
        fields.Nested(AnswerSchema), required=True, validate=validate.Length(min=1, max=50)
    )


class ChangeSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(CHANGE_KINDS))
    conviction = fields.Nested(ConvictionSchema)
    connection = fields.Nested(ConnectionSchema)
    address = fields.Nested(AddressSchema)

    @validates_schema
    def one_section_for_its_kind(self, data: dict, **_kwargs: object) -> None:
        needed = {
            "NEW_CONVICTION": "conviction",
            "NEW_CONNECTION": "connection",
            "CHANGE_OF_ADDRESS": "address",
        }[data["kind"]]
        if needed not in data:
            raise ValidationError(f"Give the {needed} for a {data['kind']} change.", needed)
        extra = {"conviction", "connection", "address"} & set(data) - {needed}
        if extra:
            raise ValidationError("Only the section for this kind of change.", sorted(extra)[0])


class ChangeResultSchema(Schema):
    id = fields.String(metadata={"description": "The report's id."})
    kind = fields.String()
    reported_at = fields.AwareDateTime()
    outcome = fields.String(
        allow_none=True,
        metadata={
            "description": (
                "What vetting made of the report, once it says: UNDER_REVIEW, SUSPENDED, "
                "NO_CHANGE, "
                "CLEARANCE_REVOKED, IN_VETTING or NO_LIVE_CLEARANCE."
            )
        },
    )
    final = fields.Boolean(metadata={"description": "False while vetting still reviews it."})
    reviewed_at = fields.AwareDateTime(allow_none=True)


class NotReadySchema(ReadinessSchema):
    """Submit's 422: the readiness problems inside the usual error body (the level and what it
    does not need are readiness's own answer: GET /applications/{id}/readiness)."""

    class Meta:
        exclude = ("clearance_level", "not_needed")

    status = fields.Integer()
    message = fields.String()
