"""The event catalogue: the contract between the services.

One marshmallow schema per (type, version). Events carry the minimum each consumer needs;
`docs/events.md` is generated from this module (`python -m shared.events.docs`) and a test keeps
the two in step.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events.registry import EventRegistry, EventSpec

ESTABLISHMENT_CODE = validate.Regexp(r"^[A-Z]{2,4}$", error="Not a valid establishment code.")
ACCESS_TYPES = ("ESCORTED", "UNESCORTED", "KEY_HOLDING")
FREQUENCIES = ("ONE_OFF", "OCCASIONAL", "REGULAR")
ROLES = ("GROUP_FACILITATOR", "VISITING_SPEAKER", "SPONSOR", "COORDINATOR")
CHANNELS = ("EMAIL", "SMS")
CHANGE_KINDS = ("NEW_CONVICTION", "NEW_CONNECTION", "CHANGE_OF_ADDRESS")


class ApplicantContactV1(Schema):
    forenames = fields.String(required=True, validate=validate.Length(min=1, max=100))
    surname = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(required=True)
    mobile = fields.String(load_default=None, allow_none=True)
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    # Added (optional, so v1 stays compatible) for vetting's checks; notifications ignores them.
    middle_names = fields.String(load_default=None, allow_none=True)
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    details = fields.Dict(load_default=None, allow_none=True, metadata={"description": (
        "The rest of the applicant's data as the applications API holds it: previous names, "
        "addresses, identity documents, declarations, connections, previous volunteering, "
        "DBS certificate, referees. Special-category data: vetting only.")})


class ApplicationSubmittedV1(Schema):
    application_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    applicant = fields.Nested(ApplicantContactV1, required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    establishments = fields.List(
        fields.String(validate=ESTABLISHMENT_CODE), required=True, validate=validate.Length(min=1)
    )
    requested_access = fields.String(required=True, validate=validate.OneOf(ACCESS_TYPES))
    frequency = fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    submitted_at = fields.AwareDateTime(required=True)
    renewal_of = fields.UUID(load_default=None, allow_none=True)


class InfoProvidedV1(Schema):
    application_id = fields.UUID(required=True)
    request_id = fields.String(required=True)
    answers = fields.List(fields.Dict(), required=True)
    provided_at = fields.AwareDateTime(required=True)


class ApplicationWithdrawnV1(Schema):
    application_id = fields.UUID(required=True)
    reason = fields.String(required=True)
    withdrawn_at = fields.AwareDateTime(required=True)


class CircumstancesChangedV1(Schema):
    application_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CHANGE_KINDS))
    details = fields.Dict(required=True)
    reported_at = fields.AwareDateTime(required=True)


class InfoRequestedV1(Schema):
    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    request_id = fields.String(required=True)
    items = fields.List(fields.Dict(), required=True, metadata={
        "description": "What is asked: [{'question': str, 'field': str|None}]"})
    reason = fields.String(required=True)
    due_by = fields.Date(load_default=None, allow_none=True)
    requested_at = fields.AwareDateTime(required=True)


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


class ClearanceRefusedV1(Schema):
    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    refused_at = fields.AwareDateTime(required=True)


class AccessDecisionV1(Schema):
    grant_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    establishment_code = fields.String(required=True, validate=ESTABLISHMENT_CODE)
    access_type = fields.String(load_default=None, allow_none=True,
                                validate=validate.OneOf(ACCESS_TYPES))
    valid_until = fields.AwareDateTime(load_default=None, allow_none=True)
    decided_at = fields.AwareDateTime(required=True)


class VettingCaseOpenedV1(Schema):
    case_id = fields.UUID(required=True)
    application_id = fields.UUID(required=True)
    establishments = fields.List(fields.String(validate=ESTABLISHMENT_CODE), required=True)
    requested_access = fields.String(required=True, validate=validate.OneOf(ACCESS_TYPES))
    opened_at = fields.AwareDateTime(required=True)


class NotificationSentV1(Schema):
    notification_id = fields.UUID(required=True)
    application_id = fields.UUID(load_default=None, allow_none=True)
    template = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    recipient_kind = fields.String(required=True)
    sent_at = fields.AwareDateTime(required=True)


class NotificationFailedV1(Schema):
    notification_id = fields.UUID(required=True)
    application_id = fields.UUID(load_default=None, allow_none=True)
    template = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    recipient_kind = fields.String(required=True)
    failed_at = fields.AwareDateTime(required=True)


def build_registry() -> EventRegistry:
    return EventRegistry(
        [
            EventSpec(
                "application.submitted", 1, "applications", ApplicationSubmittedV1,
                "An MA organisation submitted a ready application for vetting.",
            ),
            EventSpec(
                "application.info_provided", 1, "applications", InfoProvidedV1,
                "The organisation answered vetting's request for information.",
            ),
            EventSpec(
                "application.withdrawn", 1, "applications", ApplicationWithdrawnV1,
                "A submitted application was withdrawn, with the organisation's reason.",
            ),
            EventSpec(
                "application.circumstances_changed", 1, "applications", CircumstancesChangedV1,
                "A cleared applicant reported a change (new conviction or caution, new "
                "connection with a person in custody, change of address): vetting reviews.",
            ),
            EventSpec(
                "vetting.case_opened", 1, "vetting", VettingCaseOpenedV1,
                "Vetting opened a case for a submitted application (checks started).",
            ),
            EventSpec(
                "vetting.info_requested", 1, "vetting", InfoRequestedV1,
                "A vetting officer needs more information from the organisation.",
            ),
            EventSpec(
                "vetting.clearance_granted", 1, "vetting", ClearanceGrantedV1,
                "The applicant is cleared, with a level, conditions and an expiry.",
            ),
            EventSpec(
                "vetting.clearance_refused", 1, "vetting", ClearanceRefusedV1,
                "Clearance was refused (countersigned). Reasons stay in vetting.",
            ),
            EventSpec(
                "access.approved", 1, "access", AccessDecisionV1,
                "An establishment approved access for a cleared person.",
            ),
            EventSpec(
                "access.refused", 1, "access", AccessDecisionV1,
                "An establishment refused access.",
            ),
            EventSpec(
                "notification.sent", 1, "notifications", NotificationSentV1,
                "A notification was handed to its channel (SMTP, SMS provider, log).",
            ),
            EventSpec(
                "notification.failed", 1, "notifications", NotificationFailedV1,
                "A notification could not be delivered and will not be retried.",
            ),
        ]
    )
