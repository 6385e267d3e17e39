"""Which events become which messages, to whom, with which personalisation fields.

One `Message` per (event type, template): the template's files (under `templates/`) are
written per recipient kind and channel, and may name only the fields listed here plus the
common ones; the service refuses to start when a template names anything else
(`notifications.adapters.templates.Templates.validate`).
"""

from __future__ import annotations

from dataclasses import dataclass

VOLUNTEER = "volunteer"
COORDINATOR = "coordinator"
SECURITY_INBOX = "security_inbox"
RECIPIENT_KINDS = (VOLUNTEER, COORDINATOR, SECURITY_INBOX)
# The channels a template file is written for (its name's middle part).
EMAIL, SMS = "email", "sms"

# Every message to a volunteer or coordinator may use these.
COMMON_FIELDS = ("forenames", "surname", "reference")
# Every email says who is writing and how to reach them: it must name these (checked with the
# templates at start-up), whoever it is for.
SIGN_OFF_FIELDS = ("service_name", "contact_email")
# An SMS may use only these, whatever the event: a text can be read over a shoulder or on a
# locked screen, so it never names a fellowship, an offence, a reason or a prison wing.
SMS_FIELDS = ("forenames", "reference")

# The volunteer is asked to confirm a channel: the one message sent to an address they have not
# confirmed (the address its event names), and the one SMS with more than SMS_FIELDS in it (the
# code to type in, and the page to type it on, mean nothing to someone reading over a shoulder).
CONFIRMATION = "application.contact_confirmation_requested"
# The volunteer's own link to their sensitive sections: sent, like a confirmation, to the
# address the event names (before submission none is confirmed); its SMS adds only the link.
VOLUNTEER_LINK = "application.volunteer_link_sent"
# An invitation to an organisation's coordinators' portal: to the address the event names (the
# invitee is nobody's coordinator on record yet), about no application.
INVITATION = "organisation.member_invited"
# Messages to the address their event names, never through the volunteer's confirmed channels.
DIRECT = (CONFIRMATION, VOLUNTEER_LINK, INVITATION)


@dataclass(frozen=True)
class Message:
    template: str
    recipients: tuple[str, ...]
    fields: tuple[str, ...] = ()
    # What an SMS of this message may name beyond SMS_FIELDS.
    sms_fields: tuple[str, ...] = ()


MESSAGES: dict[str, tuple[Message, ...]] = {
    CONFIRMATION: (
        Message(
            "contact_confirmation",
            (VOLUNTEER,),
            ("link", "code", "expires_on"),
            sms_fields=("link", "code"),
        ),
    ),
    VOLUNTEER_LINK: (
        Message("volunteer_link", (VOLUNTEER,), ("link", "expires_on"), sms_fields=("link",)),
    ),
    INVITATION: (
        Message(
            "member_invited", (COORDINATOR,), ("organisation_name", "role_name", "sign_in_url")
        ),
    ),
    "application.received": (
        Message("application_received", (VOLUNTEER, COORDINATOR), ("establishment_names",)),
    ),
    "vetting.case_opened": (Message("vetting_started", (VOLUNTEER,)),),
    # A sensitive request: the volunteer replies to the vetting team directly (its phone
    # number and the flag choosing that wording are all an SMS adds).
    "vetting.info_requested": (
        Message(
            "information_requested",
            (VOLUNTEER, COORDINATOR),
            ("questions", "due_by", "reason", "sensitive", "vetting_email", "vetting_phone"),
            sms_fields=("sensitive", "vetting_phone"),
        ),
    ),
    # Past its "by when" date: chased once, never with the questions. A sensitive request was
    # the volunteer's alone: they are reminded, and the coordinator is not told.
    "vetting.information_chased": (
        Message(
            "information_chased",
            (VOLUNTEER, COORDINATOR),
            ("due_by", "sensitive", "lapses_on", "vetting_email", "vetting_phone"),
            sms_fields=("sensitive", "vetting_phone"),
        ),
    ),
    "vetting.clearance_announced": (
        Message("clearance_granted", (VOLUNTEER, COORDINATOR), ("level", "expires_on")),
    ),
    "vetting.clearance_refused": (
        Message("clearance_refused", (VOLUNTEER, COORDINATOR), ("reconsidered",)),
    ),
    "vetting.clearance_expiring": (
        Message("clearance_expiring", (VOLUNTEER, COORDINATOR), ("expires_on", "days_before")),
    ),
    # Suspended, reinstated, revoked, expired: the clearance's news, never its reason. What it
    # means at each prison follows in access's own messages.
    "vetting.clearance_suspension_announced": (
        Message("clearance_suspended", (VOLUNTEER, COORDINATOR)),
    ),
    "vetting.clearance_reinstated": (Message("clearance_reinstated", (VOLUNTEER, COORDINATOR)),),
    "vetting.clearance_revoked": (Message("clearance_revoked", (VOLUNTEER, COORDINATOR)),),
    "vetting.clearance_expired": (
        Message("clearance_expired", (VOLUNTEER, COORDINATOR), ("expired_on",)),
    ),
    # The security inbox is sent to the request itself in the console.
    "access.request_opened": (
        Message(
            "access_request_waiting",
            (SECURITY_INBOX,),
            ("establishment_name", "level", "max_access", "renewal", "request_url"),
        ),
    ),
    "access.approved": (
        Message(
            "access_approved",
            (VOLUNTEER, COORDINATOR),
            ("establishment_name", "access_type", "key_holder", "valid_until"),
        ),
    ),
    # A refusal is worded neutrally: the establishment's reason stays with it.
    "access.refused": (
        Message("access_refused", (VOLUNTEER, COORDINATOR), ("establishment_name",)),
    ),
    # The terms repeated: what the volunteer may do, on which days, where.
    "access.activated": (
        Message(
            "access_active",
            (VOLUNTEER,),
            ("establishment_name", "valid_until", "access_type", "permitted_days", "areas"),
        ),
    ),
    "access.suspended": (
        Message("access_suspended", (VOLUNTEER, COORDINATOR), ("establishment_name",)),
    ),
    # What the suspension's message promised ("until we tell you that your access is back").
    "access.reinstated": (
        Message("access_reinstated", (VOLUNTEER, COORDINATOR), ("establishment_name",)),
    ),
    "access.excluded": (
        Message("access_excluded", (VOLUNTEER, COORDINATOR), ("establishment_name", "review_on")),
    ),
    "access.exclusion_review_due": (
        Message(
            "exclusion_review_due", (VOLUNTEER, COORDINATOR), ("establishment_name", "review_on")
        ),
    ),
    "access.revoked": (
        Message("access_revoked", (VOLUNTEER, COORDINATOR), ("establishment_name",)),
    ),
}


def sms_fields(template: str) -> frozenset[str]:
    """What an SMS of `template` may name."""
    extra = {
        name
        for messages in MESSAGES.values()
        for message in messages
        if message.template == template
        for name in message.sms_fields
    }
    return frozenset(SMS_FIELDS) | extra


def channels_for(recipient_kind: str) -> tuple[str, ...]:
    # Only a volunteer has a mobile number on record; coordinators and inboxes are email.
    return (EMAIL, SMS) if recipient_kind == VOLUNTEER else (EMAIL,)


def allowed_fields(message: Message, recipient_kind: str, channel: str) -> frozenset[str]:
    if channel == SMS:
        return frozenset(SMS_FIELDS) | frozenset(message.sms_fields)
    # The security inbox hears about a request, not about a named person.
    common = () if recipient_kind == SECURITY_INBOX else COMMON_FIELDS
    return frozenset(common) | frozenset(SIGN_OFF_FIELDS) | frozenset(message.fields)
