"""Events the applications service publishes: one schema per (type, version)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.events.vocabulary import (
    ACCESS_TYPES,
    CHANGE_KINDS,
    CHANNELS,
    ESTABLISHMENT_CODE,
    FREQUENCIES,
    ROLES,
    SPONSORSHIP_END_REASONS,
)


class ApplicantContactV1(Schema):
    forenames = fields.String(required=True, validate=validate.Length(min=1, max=100))
    surname = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(required=True)
    # No longer sent (optional, so v1 stays compatible): notifications has it from
    # application.contacts_recorded.
    mobile = fields.String(load_default=None, allow_none=True)
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    # Added (optional, so v1 stays compatible) for vetting's checks.
    middle_names = fields.String(load_default=None, allow_none=True)
    date_of_birth = fields.Date(load_default=None, allow_none=True)
    details = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={
            "description": (
                "The rest of the applicant's data as the applications API holds it: previous "
                "names, "
                "addresses, identity documents, declarations, connections, previous volunteering, "
                "DBS certificate, referees. Special-category data: vetting only."
            )
        },
    )


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
    # Added (optional), and no longer sent: notifications has the coordinator's address from
    # application.contacts_recorded. (Never the organisation's name or fellowship: health data.)
    coordinator_email = fields.Email(load_default=None, allow_none=True)


class ApplicationReceivedV1(Schema):
    """The acknowledgement of a submission, published with application.submitted: what
    notifications needs to tell the volunteer and the coordinator (who they are and how to
    reach them come from application.contacts_recorded). Nothing about the applicant: the
    applicant document stays on application.submitted, which only vetting receives."""

    application_id = fields.UUID(required=True)
    establishments = fields.List(
        fields.String(validate=ESTABLISHMENT_CODE), required=True, validate=validate.Length(min=1)
    )
    submitted_at = fields.AwareDateTime(required=True)


class PlacementAnnouncedV1(Schema):
    """What a submitted application says the volunteer will do, for the prisons' security
    teams: the organisation, the role, the group and the area. Nothing about the applicant."""

    application_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    organisation_name = fields.String(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"personal": True, "description": "Can say which fellowship: health data."},
    )
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    group_name = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(min=1, max=120),
        metadata={"personal": True, "description": "A group's name can say which fellowship."},
    )
    area = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=120)
    )
    announced_at = fields.AwareDateTime(required=True)


class InfoProvidedV1(Schema):
    application_id = fields.UUID(required=True)
    request_id = fields.String(required=True)
    answers = fields.List(fields.Dict(), required=True)
    provided_at = fields.AwareDateTime(required=True)


class ApplicationWithdrawnV1(Schema):
    application_id = fields.UUID(required=True)
    reason = fields.String(required=True)
    withdrawn_at = fields.AwareDateTime(required=True)


class WithdrawalAnnouncedV1(Schema):
    """A withdrawal, published with application.withdrawn for the services that stop work on
    the application: never the organisation's reason, which vetting alone reads."""

    application_id = fields.UUID(required=True)
    withdrawn_at = fields.AwareDateTime(required=True)


class CircumstancesChangedV1(Schema):
    application_id = fields.UUID(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CHANGE_KINDS))
    details = fields.Dict(required=True)
    reported_at = fields.AwareDateTime(required=True)
    # Added (optional): the report's id, which vetting.circumstances_reviewed names. Absent (an
    # older publisher): vetting uses the event's id.
    report_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(min=1, max=64)
    )


class ReconsiderationRequestedV1(Schema):
    application_id = fields.UUID(required=True)
    grounds = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    requested_at = fields.AwareDateTime(required=True)


class PersonContactV1(Schema):
    forenames = fields.String(required=True, validate=validate.Length(min=1, max=100))
    surname = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(load_default=None, allow_none=True)
    mobile = fields.String(load_default=None, allow_none=True)


class VolunteerContactV1(PersonContactV1):
    # Only a channel the volunteer has confirmed (a link to the email, a code to the mobile)
    # carries messages meant for the volunteer; an unconfirmed one is never used.
    email_confirmed = fields.Boolean(required=True)
    mobile_confirmed = fields.Boolean(required=True)
    preferred_channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    opted_out = fields.List(fields.String(validate=validate.OneOf(CHANNELS)), load_default=list)


class CoordinatorContactV1(Schema):
    # Where the organisation's coordinator reads mail: all notifications needs of them.
    email = fields.Email(load_default=None, allow_none=True)


class ContactsRecordedV1(Schema):
    application_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    volunteer = fields.Nested(VolunteerContactV1, required=True)
    coordinator = fields.Nested(CoordinatorContactV1, load_default=None, allow_none=True)
    recorded_at = fields.AwareDateTime(required=True)
    # Added (optional): the page where the volunteer opts out of a channel, for every message
    # meant for them to carry. It stays valid for the application's life.
    opt_out_link = fields.Url(load_default=None, allow_none=True, require_tld=False)


class SponsorshipEndedV1(Schema):
    application_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    reason_code = fields.String(required=True, validate=validate.OneOf(SPONSORSHIP_END_REASONS))
    # True when a withdrawal crossed the clearance on its way (the organisation had already
    # asked to stop before it heard of the clearance).
    from_withdrawal = fields.Boolean(load_default=False)
    ended_at = fields.AwareDateTime(required=True)


class _ToTheVolunteer(Schema):
    """A message that goes straight to the volunteer's email or mobile, by name only."""

    application_id = fields.UUID(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    forenames = fields.String(required=True, validate=validate.Length(min=1, max=100))
    email = fields.Email(
        load_default=None,
        allow_none=True,
        metadata={"description": "Where to send it (channel EMAIL)."},
    )
    mobile = fields.String(
        load_default=None,
        allow_none=True,
        metadata={"description": "Where to send it (channel SMS)."},
    )


class ContactConfirmationRequestedV1(_ToTheVolunteer):
    """Ask the volunteer to confirm one channel: the one message that may go to an address the
    volunteer has not confirmed. EMAIL carries a single-use link; SMS a short code and the page
    to enter it on. Nothing else about the application or the volunteer."""

    link = fields.Url(
        required=True,
        require_tld=False,
        metadata={"description": "The confirmation page (single-use, unguessable, expiring)."},
    )
    code = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Regexp(r"^\d{6}$"),
        metadata={"description": "Channel SMS: the code to enter on the page."},
    )
    expires_at = fields.AwareDateTime(required=True)
    requested_at = fields.AwareDateTime(required=True)


class VolunteerLinkSentV1(_ToTheVolunteer):
    """The volunteer's own link to the application's sensitive sections (convictions and
    cautions, connections, identity documents), to the address the organisation gave: like a
    confirmation, it may go to a channel the volunteer has not confirmed (none is, before
    submission). Nothing else about the application or the volunteer."""

    link = fields.Url(
        required=True,
        require_tld=False,
        metadata={"description": "The volunteer's page (single-use, unguessable, 14 days)."},
    )
    expires_at = fields.AwareDateTime(required=True)
    sent_at = fields.AwareDateTime(required=True)


PORTAL_ROLES = ("coordinator", "organisation_admin")


class MemberInvitedV1(Schema):
    """An organisation's admin (or an operator) invited someone to its coordinators' portal: the
    invitation email goes to the address named here, with the portal's sign-in page. Nothing
    about any application or volunteer."""

    member_id = fields.UUID(required=True)
    organisation_id = fields.UUID(required=True)
    organisation_name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    email = fields.Email(
        required=True, metadata={"description": "The invitee's address: where the email goes."}
    )
    role = fields.String(required=True, validate=validate.OneOf(PORTAL_ROLES))
    sign_in_url = fields.Url(
        required=True,
        require_tld=False,
        metadata={"description": "The portal's address: the invitee signs in there."},
    )
    invited_at = fields.AwareDateTime(required=True)
