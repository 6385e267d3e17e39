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


class ApplicantContactV1(Schema):
    forenames = fields.String(required=True, validate=validate.Length(min=1, max=100))
    surname = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(required=True)
    mobile = fields.String(load_default=None, allow_none=True)
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))


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


def build_registry() -> EventRegistry:
    return EventRegistry(
        [
            EventSpec(
                "application.submitted", 1, "applications", ApplicationSubmittedV1,
                "An MA organisation submitted a ready application for vetting.",
            ),
            EventSpec(
                "vetting.case_opened", 1, "vetting", VettingCaseOpenedV1,
                "Vetting opened a case for a submitted application.",
            ),
            EventSpec(
                "notification.sent", 1, "notifications", NotificationSentV1,
                "A notification was handed to its channel (SMTP, SMS provider, log).",
            ),
        ]
    )
