"""Events the vetting service publishes: one schema per (type, version)."""

from __future__ import annotations

import uuid

from marshmallow import Schema, fields, validate

from shared.events.vocabulary import (
    ACCESS_TYPES,
    CHECK_OUTCOMES,
    CHECKS,
    CIRCUMSTANCE_OUTCOMES,
    ESTABLISHMENT_CODE,
    SUSPENSION_REASONS,
)


class VettingCaseOpenedV1(Schema):
    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    establishments = fields.List(fields.String(validate=ESTABLISHMENT_CODE), required=True)
    requested_access = fields.String(required=True, validate=validate.OneOf(ACCESS_TYPES))
    opened_at = fields.AwareDateTime(required=True)
    # Added (optional): the level the policy requires, and the checks it runs.
    required_level = fields.String(load_default=None, allow_none=True)
    checks = fields.List(
        fields.String(validate=validate.OneOf(CHECKS)), load_default=None, allow_none=True
    )


class InfoRequestedV1(Schema):
    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    request_id = fields.String(required=True)
    items = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "What is asked: [{'question': str, 'field': str|None}]"},
    )
    reason = fields.String(
        required=True,
        metadata={
            "description": (
                "Why vetting asks: for the volunteer only (the organisation is shown the items)."
            )
        },
    )
    due_by = fields.Date(load_default=None, allow_none=True)
    requested_at = fields.AwareDateTime(required=True)
    # Added (optional): the request touches what the checks found, so it goes to the volunteer
    # alone; the organisation is told only that the volunteer was asked.
    sensitive = fields.Boolean(load_default=False)


class InfoRequestAnnouncedV1(Schema):
    """What the organisation is told of an information request, published with
    vetting.info_requested: the questions (none for a sensitive request, asked of the
    volunteer alone) and by when. Never why vetting asks: the reason can name what the checks
    found, and only the volunteer is told it."""

    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    request_id = fields.String(required=True)
    items = fields.List(
        fields.Dict(),
        required=True,
        metadata={
            "description": (
                "What the organisation is asked: [{'question': str, 'field': str|None}]"
                " (empty when the volunteer alone is asked)"
            )
        },
    )
    due_by = fields.Date(load_default=None, allow_none=True)
    requested_at = fields.AwareDateTime(required=True)
    sensitive = fields.Boolean(required=True)
    # Added (optional): a sensitive request's questions, for the volunteer's own pages in the
    # portal (the applications service keeps them encrypted, never shown to the organisation).
    volunteer_items = fields.List(
        fields.Dict(),
        load_default=list,
        metadata={
            "personal": True,
            "description": (
                "A sensitive request's questions, for the volunteer alone: "
                "[{'question': str, 'field': str|None}] (empty otherwise)"
            ),
        },
    )


class InformationChasedV1(Schema):
    """An information request passed its "by when" date unanswered: chased once, so that the
    coordinator (or, for a sensitive request, the volunteer alone) can act. Never the questions
    or why vetting asks."""

    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    request_id = fields.String(required=True)
    due_by = fields.Date(required=True)
    requested_at = fields.AwareDateTime(required=True)
    chased_at = fields.AwareDateTime(required=True)
    sensitive = fields.Boolean(
        required=True,
        metadata={
            "description": (
                "The volunteer alone was asked: they alone are reminded (the coordinator is not "
                "told)."
            )
        },
    )
    lapses_on = fields.Date(
        required=True,
        metadata={"description": "Unanswered by then, it goes to the vetting officer as overdue."},
    )


class ClearanceGrantedV1(Schema):
    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    clearance_id = fields.UUID(required=True)
    level = fields.String(required=True)
    access = fields.String(required=True, validate=validate.OneOf(ACCESS_TYPES))
    conditions = fields.List(fields.String(), required=True)
    establishments = fields.List(fields.String(validate=ESTABLISHMENT_CODE), required=True)
    issued_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)
    # Added (optional, so v1 stays compatible): the person the clearance belongs to (one
    # clearance serves every establishment and organisation), and the clearance a renewal
    # replaces.
    person_id = fields.UUID(load_default=None, allow_none=True)
    replaces_clearance_id = fields.UUID(load_default=None, allow_none=True)
    # Added (optional): who the person is, so an establishment's security team can recognise
    # them at the gate (name and date of birth only: nothing about the record or the fellowship).
    forenames = fields.String(load_default=None, allow_none=True)
    surname = fields.String(load_default=None, allow_none=True)
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    # Added (optional): the vetting officer's conditions beside `conditions` (from the policy's
    # list, or in the officer's words: it may name someone in custody), and an earlier review
    # than the expiry. `expires_at` is the clearance's valid-until, shorter when the officer
    # set fewer months.
    custom_conditions = fields.List(
        fields.Dict(),
        load_default=list,
        metadata={
            "personal": True,
            "description": (
                "The officer's conditions, for the prisons to enforce: [{'code': str, 'text': "
                "str}] (code OTHER: the officer's words)"
            ),
        },
    )
    review_on = fields.Date(load_default=None, allow_none=True)
    # Added (optional): the establishments (of `establishments`) where the person declared a
    # connection with someone held there, for the security team deciding access. Never who.
    connection_establishments = fields.List(
        fields.String(validate=ESTABLISHMENT_CODE),
        load_default=list,
        metadata={
            "personal": True,
            "description": (
                "Where the person declared a connection with someone held (codes only): "
                "a fact about a person in custody's circle, special-category."
            ),
        },
    )


class ClearanceAnnouncedV1(Schema):
    """What the volunteer and the coordinator are told of a clearance, published with
    vetting.clearance_granted: its level and expiry. Never its conditions (an exclusion names
    the prison of a connection with a prisoner) nor who the person is: those stay on
    vetting.clearance_granted, for the services that enforce them."""

    application_id = fields.UUID(required=True)
    clearance_id = fields.UUID(required=True)
    level = fields.String(required=True)
    issued_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)


class ApplicationClearedV1(Schema):
    """What the organisation is shown of its application's clearance, published with
    vetting.clearance_granted: level, access, expiry and the conditions it may see (an
    exclusion from an establishment becomes ESTABLISHMENT_RESTRICTIONS_APPLY: it can name the
    prison of a connection with a prisoner). Never who the person is."""

    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    clearance_id = fields.UUID(required=True)
    level = fields.String(required=True)
    access = fields.String(required=True, validate=validate.OneOf(ACCESS_TYPES))
    conditions = fields.List(fields.String(), required=True)
    issued_at = fields.AwareDateTime(required=True)
    expires_at = fields.AwareDateTime(required=True)


class ClearanceRefusedV1(Schema):
    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    refused_at = fields.AwareDateTime(required=True)
    # Added (optional): True when a reconsideration upheld an earlier refusal.
    reconsidered = fields.Boolean(load_default=False)


class CheckCompletedV1(Schema):
    """A check reached its result. The detail (records found, references) stays in vetting."""

    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    check = fields.String(required=True, validate=validate.OneOf(CHECKS))
    outcome = fields.String(required=True, validate=validate.OneOf(CHECK_OUTCOMES))
    provider = fields.String(required=True)
    completed_at = fields.AwareDateTime(required=True)


class ClearanceChangeV1(Schema):
    """What every later change to a clearance says: which clearance, whose application."""

    clearance_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    person_id = fields.UUID(required=True)


class ClearanceSuspendedV1(ClearanceChangeV1):
    reason = fields.String(required=True, validate=validate.OneOf(SUSPENSION_REASONS))
    suspended_at = fields.AwareDateTime(required=True)
    # Added (optional, so v1 stays compatible): this suspension's id, which the reinstatement
    # that lifts it names. Absent (an older publisher): legacy_suspension_id(clearance_id).
    suspension_id = fields.UUID(load_default=None, allow_none=True)


class ClearanceSuspensionAnnouncedV1(Schema):
    """What the volunteer and the coordinator are told of a suspension, published with
    vetting.clearance_suspended: which clearance and when, never why."""

    clearance_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    suspended_at = fields.AwareDateTime(required=True)


class ClearanceReinstatedV1(ClearanceChangeV1):
    reinstated_at = fields.AwareDateTime(required=True)
    # Added (optional): the suspension this lifts. A consumer lifts only the suspension named;
    # a reinstatement naming none (an older publisher) or another changes nothing.
    suspension_id = fields.UUID(load_default=None, allow_none=True)


_LEGACY_SUSPENSIONS = uuid.UUID("6f1c2a4e-58b1-4c57-9d0e-2b7f3c1a9e40")


def legacy_suspension_id(clearance_id: str) -> str:
    """The id of a suspension made before suspensions had ids: the same in every service's
    migration (and for an event published without one), so its reinstatement still matches."""
    return str(uuid.uuid5(_LEGACY_SUSPENSIONS, str(clearance_id)))


class ClearanceRevokedV1(ClearanceChangeV1):
    revoked_at = fields.AwareDateTime(required=True)


class ClearanceExpiringV1(ClearanceChangeV1):
    expires_at = fields.AwareDateTime(required=True)
    days_before = fields.Integer(required=True, validate=validate.Range(min=0))


class ClearanceExpiredV1(ClearanceChangeV1):
    expired_at = fields.AwareDateTime(required=True)


class CircumstancesReviewedV1(Schema):
    """What became of a change of circumstances, for the organisation that reported it: an
    outcome code only (what the checks or the officer found stays in vetting)."""

    application_id = fields.UUID(
        required=True, metadata={"description": "The reporting organisation's application."}
    )
    organisation_id = fields.UUID(required=True)
    report_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    outcome = fields.String(required=True, validate=validate.OneOf(CIRCUMSTANCE_OUTCOMES))
    final = fields.Boolean(
        required=True,
        metadata={
            "description": (
                "False while an officer still has the report (UNDER_REVIEW, or "
                "SUSPENDED before the review)."
            )
        },
    )
    reviewed_at = fields.AwareDateTime(required=True)
