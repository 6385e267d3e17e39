"""Schemas for /cases: the queue and one case."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events.vocabulary import CHECKS
from vetting.domain.lifecycles.case import CaseState
from vetting.domain.service_levels import PARTIES


class CaseQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf([state.value for state in CaseState]))
    level = fields.String(validate=validate.Length(min=1, max=40))
    waiting_on = fields.String(validate=validate.OneOf(PARTIES))
    older_than_days = fields.Integer(validate=validate.Range(min=0, max=3650))
    application_id = fields.UUID()
    assigned_to = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={
            "description": (
                "Who works the case: `me` (the caller), `nobody` (not taken), or a staff id."
            )
        },
    )
    cursor = fields.String(validate=validate.Length(max=500))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class CaseSummarySchema(Schema):
    id = fields.String()
    application_id = fields.String()
    status = fields.String()
    applicant_name = fields.Dict(keys=fields.String(), values=fields.String())
    role = fields.String()
    establishments = fields.List(fields.String())
    requested_access = fields.String()
    frequency = fields.String()
    opened_at = fields.AwareDateTime()
    closed_at = fields.AwareDateTime(allow_none=True)
    required_level = fields.String(allow_none=True)
    checks = fields.List(fields.String(), allow_none=True)
    policy_version = fields.String(allow_none=True)
    person_id = fields.String(allow_none=True)
    recommendation = fields.String(allow_none=True)
    waiting_since = fields.AwareDateTime(allow_none=True)
    age_s = fields.Float()
    waited_s = fields.Dict(keys=fields.String(), values=fields.Float())
    age_working_days = fields.Integer(
        metadata={"description": "Working days (England and Wales) from opening to closing or now."}
    )
    waiting_working_days = fields.Integer(
        allow_none=True,
        metadata={"description": "Working days waited on `waiting_on` so far; null when closed."},
    )
    clearance_id = fields.String(allow_none=True)
    identity_status = fields.String(
        allow_none=True,
        metadata={
            "description": "POSSIBLE_MATCH until an officer links or separates; RESOLVED after."
        },
    )
    waiting_on = fields.String(
        allow_none=True,
        metadata={
            "description": (
                "Who moves the case on now: APPLICANT, PROVIDER, OFFICER or MANAGER (a "
                "countersignature, or the person's history to acknowledge); null when decided."
            )
        },
    )
    waiting_reason = fields.String(
        allow_none=True,
        metadata={
            "description": (
                "Why an officer or a manager is needed: POSSIBLE_MATCH, "
                "COUNTERSIGNATURE, HISTORY (a manager must acknowledge the person's "
                "history), ..."
            )
        },
    )
    history = fields.List(
        fields.Dict(),
        allow_none=True,
        metadata={
            "description": (
                "What vetting knew against the person: [{kind, ref, at}] with kind "
                "CLEARANCE_SUSPENDED, "
                "CLEARANCE_REVOKED, CASE_REFUSED, ESTABLISHMENT_EXCLUDED or ESTABLISHMENT_REVOKED."
            )
        },
    )
    history_acknowledged = fields.Dict(
        allow_none=True,
        metadata={
            "description": (
                "A vetting manager's acknowledgement of that history (by, at, keys): without it "
                "the "
                "case is neither cleared nor served an existing clearance."
            )
        },
    )

    assigned_to = fields.String(
        allow_none=True,
        metadata={"description": "The officer working the case (staff id); null: nobody."},
    )
    assigned_at = fields.AwareDateTime(allow_none=True)


class CasePageSchema(Schema):
    items = fields.List(fields.Nested(CaseSummarySchema))
    next_cursor = fields.String(allow_none=True)


class CheckSchema(Schema):
    name = fields.String(validate=validate.OneOf(CHECKS))
    status = fields.String()
    provider = fields.String()
    provider_reference = fields.String(allow_none=True)
    attempts = fields.Integer()
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    completed_at = fields.AwareDateTime(allow_none=True)
    next_attempt_at = fields.AwareDateTime(allow_none=True)
    result = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
    recorded_by = fields.String(allow_none=True)
    late_answer = fields.Dict(
        allow_none=True,
        metadata={
            "description": (
                "A provider's answer that came after the result was in (status, detail, provider, "
                "received_at, disagrees): kept beside the result; an adverse one makes the check "
                "ADVERSE and a disagreement reopens the assessment."
            )
        },
    )


class CircumstanceReportSchema(Schema):
    id = fields.String()
    kind = fields.String()
    application_id = fields.String()
    organisation_id = fields.String(allow_none=True)
    clearance_id = fields.String(allow_none=True)
    immediate = fields.Boolean(
        metadata={
            "description": ("The policy names this change as suspending the clearance at once.")
        }
    )
    status = fields.String(metadata={"description": "OPEN while under review, then DONE."})
    outcome = fields.String(metadata={"description": "What the reporting organisation is told."})
    received_at = fields.AwareDateTime()
    reviewed_at = fields.AwareDateTime(allow_none=True)
    reviewed_by = fields.String(allow_none=True)


class InformationRequestSchema(Schema):
    id = fields.String()
    items = fields.List(fields.Dict())
    reason = fields.String()
    due_by = fields.String(allow_none=True)
    requested_by = fields.String()
    requested_at = fields.AwareDateTime()
    answers = fields.List(fields.Dict(), allow_none=True)
    answered_at = fields.AwareDateTime(allow_none=True)
    sensitive = fields.Boolean(
        allow_none=True,
        metadata={
            "description": (
                "Sent to the volunteer alone: they answer vetting directly and an officer "
                "records it "
                "(POST .../information-requests/{request_id}/answer). null: asked before this was "
                "kept."
            )
        },
    )


class PrisonDecisionSchema(Schema):
    """An establishment's exclusion or revocation of the person: evidence for this case."""

    establishment_code = fields.String()
    establishment_name = fields.String()
    decision = fields.String(metadata={"enum": ["EXCLUDED", "REVOKED"]})
    decided_at = fields.AwareDateTime()
    reason = fields.String(
        allow_none=True,
        metadata={"description": "The establishment's reason, in its words (null if not heard)."},
    )
    review_on = fields.Date(allow_none=True, metadata={"description": "An exclusion's review."})


class CaseSchema(CaseSummarySchema):
    applicant = fields.Dict(allow_none=True)
    dbs_level = fields.String(allow_none=True)
    checks_detail = fields.List(fields.Nested(CheckSchema))
    risk = fields.Dict(
        allow_none=True,
        metadata={
            "description": (
                "The risk summary: factors (each naming its evidence), a recommendation (CLEAR, "
                "CLEAR_WITH_CONDITIONS, REFER, REFUSE) and conditions. A recommendation only."
            )
        },
    )
    information_requests = fields.List(fields.Nested(InformationRequestSchema))
    updates = fields.List(fields.Dict())
    refusal = fields.Dict(allow_none=True)
    reconsideration = fields.Dict(allow_none=True)
    override = fields.Dict(
        allow_none=True,
        metadata={
            "description": ("A clearance proposed against the risk summary, waiting for a manager.")
        },
    )
    identity = fields.Dict(
        metadata={
            "description": (
                "How the applicant was recognised (status, method, by, at) and the possible "
                "matches "
                "beside the applicant's own record."
            )
        }
    )
    prison_decisions = fields.List(
        fields.Nested(PrisonDecisionSchema),
        metadata={
            "description": (
                "Every establishment's exclusion or revocation of the person (any case of "
                "theirs), oldest first, with the establishment's reason."
            )
        },
    )
    circumstance_reports = fields.List(
        fields.Nested(CircumstanceReportSchema),
        metadata={
            "description": (
                "Reported changes of circumstances: the review's items (the changes "
                "themselves are in `updates`)."
            )
        },
    )
