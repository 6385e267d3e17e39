"""Events the access service publishes: one schema per (type, version).

Every access event names the grant (one person at one establishment), the application whose
clearance opened it, the person and the establishment. Reasons stay in the access service:
an event says what changed, never why (a notification must not leak a decision's reason). The
one exception is access.decision_evidence, which vetting alone receives: a prison's reason
for excluding or revoking someone is evidence for vetting's next decision about them.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events.vocabulary import ACCESS_TYPES, ACTED_BY, ESTABLISHMENT_CODE, WEEKDAYS


class AccessRequestOpenedV1(Schema):
    grant_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    person_id = fields.UUID(required=True)
    establishment_code = fields.String(required=True, validate=ESTABLISHMENT_CODE)
    clearance_id = fields.UUID(required=True)
    level = fields.String(required=True)
    max_access = fields.String(
        required=True,
        validate=validate.OneOf(ACCESS_TYPES),
        metadata={"description": "The most the clearance allows."},
    )
    clearance_expires_at = fields.AwareDateTime(required=True)
    renewal = fields.Boolean(
        required=True,
        metadata={"description": "True when a new clearance reopened review of an existing grant."},
    )
    opened_at = fields.AwareDateTime(required=True)


class AccessDecisionV1(Schema):
    grant_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    establishment_code = fields.String(required=True, validate=ESTABLISHMENT_CODE)
    access_type = fields.String(
        load_default=None, allow_none=True, validate=validate.OneOf(ACCESS_TYPES)
    )
    valid_until = fields.AwareDateTime(load_default=None, allow_none=True)
    decided_at = fields.AwareDateTime(required=True)
    # Added (optional, so v1 stays compatible).
    person_id = fields.UUID(load_default=None, allow_none=True)


class AccessChangeV1(Schema):
    """A grant's later changes: activated, suspended, reinstated, excluded, revoked, ended."""

    grant_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    person_id = fields.UUID(required=True)
    establishment_code = fields.String(required=True, validate=ESTABLISHMENT_CODE)
    status = fields.String(required=True, metadata={"description": "The grant's new state."})
    by = fields.String(
        required=True,
        validate=validate.OneOf(ACTED_BY),
        metadata={
            "description": (
                "ESTABLISHMENT (its security team), VETTING (followed a change to "
                "the person's clearance) or ORGANISATION (the sponsoring organisation "
                "ended its sponsorship)."
            )
        },
    )
    at = fields.AwareDateTime(required=True)


class AccessActivatedV1(AccessChangeV1):
    access_type = fields.String(required=True, validate=validate.OneOf(ACCESS_TYPES))
    valid_until = fields.AwareDateTime(required=True)
    # Added (optional, so v1 stays compatible): the rest of the terms, for the message that
    # repeats them to the volunteer.
    permitted_days = fields.List(
        fields.String(validate=validate.OneOf(WEEKDAYS)),
        load_default=None,
        allow_none=True,
        metadata={"description": "The days the person may come in; null: every day."},
    )
    permitted_areas = fields.List(
        fields.String(),
        load_default=list,
        metadata={"description": "The areas the person may go to; empty: none named."},
    )


class AccessExcludedV1(AccessChangeV1):
    review_on = fields.Date(required=True)


class AccessExclusionReviewDueV1(AccessChangeV1):
    """An exclusion's review date has come (published once per review date)."""

    review_on = fields.Date(required=True)


PRISON_DECISIONS = ("EXCLUDED", "REVOKED")


class DecisionEvidenceV1(Schema):
    """An establishment excluded or revoked a person, with its reason: for vetting alone,
    published with access.excluded / access.revoked (which carry no reason)."""

    grant_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    person_id = fields.UUID(required=True)
    establishment_code = fields.String(required=True, validate=ESTABLISHMENT_CODE)
    decision = fields.String(required=True, validate=validate.OneOf(PRISON_DECISIONS))
    reason = fields.String(
        required=True,
        validate=validate.Length(max=4000),
        metadata={
            "description": "The establishment's reason, in its words (may allege an offence)."
        },
    )
    review_on = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "An exclusion's review date."}
    )
    at = fields.AwareDateTime(required=True)
