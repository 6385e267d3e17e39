"""The event catalogue: the contract between the services.

One marshmallow schema per (type, version), in `contracts/<publisher>.py`. Events carry the
minimum each consumer needs; `docs/events.md` is generated from this registry
(`make events-doc`) and a test keeps the two in step.
"""

from __future__ import annotations

from shared.events.contracts import access, applications, erasure, notifications, vetting
from shared.events.registry import EventRegistry, EventSpec
from shared.events.vocabulary import (  # noqa: F401 - re-exported for the services
    ACCESS_TYPES,
    CHANGE_KINDS,
    CHANNELS,
    CHECKS,
    ESTABLISHMENT_CODE,
    FREQUENCIES,
    ROLES,
    publisher_of,
)

_SPECS = [
    (
        "application.submitted",
        applications.ApplicationSubmittedV1,
        "An MA organisation submitted a ready application for vetting (the applicant document: "
        "vetting alone receives it).",
    ),
    (
        "application.received",
        applications.ApplicationReceivedV1,
        "The acknowledgement of a submission, published with application.submitted: the "
        "application's id, establishments and time, for the message that it was received "
        "(nothing about the applicant).",
    ),
    (
        "application.placement_announced",
        applications.PlacementAnnouncedV1,
        "What a submitted application says the volunteer will do, published with "
        "application.submitted for the prisons' security teams deciding access: the "
        "organisation's name, the role, the group and its area (nothing about the applicant).",
    ),
    (
        "application.info_provided",
        applications.InfoProvidedV1,
        "The organisation answered vetting's request for information.",
    ),
    (
        "application.withdrawn",
        applications.ApplicationWithdrawnV1,
        "A submitted application was withdrawn, with the organisation's reason (vetting alone "
        "receives it).",
    ),
    (
        "application.withdrawal_announced",
        applications.WithdrawalAnnouncedV1,
        "A withdrawal, published with application.withdrawn for the services that stop work on "
        "the application: its id and time, never the reason.",
    ),
    (
        "application.circumstances_changed",
        applications.CircumstancesChangedV1,
        "A cleared applicant reported a change (new conviction or caution, new connection with a "
        "person in custody, change of address): vetting reviews.",
    ),
    (
        "application.reconsideration_requested",
        applications.ReconsiderationRequestedV1,
        "The organisation asked, once, for a refusal to be reconsidered, with grounds.",
    ),
    (
        "application.contacts_recorded",
        applications.ContactsRecordedV1,
        "How to reach the volunteer and the coordinator for an application (names and contact "
        "details only, with which of the volunteer's channels the volunteer has confirmed): "
        "published on submission and whenever the volunteer confirms a channel or opts out.",
    ),
    (
        "application.contact_confirmation_requested",
        applications.ContactConfirmationRequestedV1,
        "Ask the volunteer to confirm a channel: a single-use link to the email, a code to the "
        "mobile (the only message that may go to a channel the volunteer has not confirmed).",
    ),
    (
        "application.volunteer_link_sent",
        applications.VolunteerLinkSentV1,
        "The volunteer's own single-use link (14 days) to complete their convictions and "
        "cautions, connections and identity documents, to the email or mobile the organisation "
        "gave (like a confirmation, before any channel is confirmed).",
    ),
    (
        "application.sponsorship_ended",
        applications.SponsorshipEndedV1,
        "The organisation no longer sponsors the cleared volunteer on this application (or a "
        "withdrawal crossed the clearance): grants resting only on it end or go to the prison.",
    ),
    (
        "organisation.member_invited",
        applications.MemberInvitedV1,
        "Someone was invited to an organisation's coordinators' portal (by its admin or an "
        "operator): notifications emails the invitee the portal's sign-in address.",
    ),
    (
        "application.erasure_requested",
        erasure.ErasureRequestedV1,
        "An organisation asked for what it supplied about a person to be erased (scope "
        "ORGANISATION), or the data protection officer for the person to be erased everywhere "
        "(PERSON); vetting resolves which applications, erases first, then tells the others.",
    ),
    (
        "vetting.case_opened",
        vetting.VettingCaseOpenedV1,
        "Vetting opened a case for a submitted application (checks started).",
    ),
    (
        "vetting.check_completed",
        vetting.CheckCompletedV1,
        "One check of a case reached its result (PASSED or ADVERSE); the detail stays in vetting.",
    ),
    (
        "vetting.info_requested",
        vetting.InfoRequestedV1,
        "A vetting officer needs more information: from the organisation, or (sensitive) from "
        "the volunteer alone; with why it asks, for the volunteer (notifications alone receives "
        "it).",
    ),
    (
        "vetting.info_request_announced",
        vetting.InfoRequestAnnouncedV1,
        "What the organisation is told of an information request, published with "
        "vetting.info_requested: the questions (none for a sensitive one: those travel apart, "
        "for the volunteer's own pages alone) and by when, never why (the reason can name what "
        "the checks found).",
    ),
    (
        "vetting.information_chased",
        vetting.InformationChasedV1,
        'An information request passed its "by when" date unanswered: chased once (the '
        "coordinator and the volunteer are reminded; a sensitive request's, the volunteer "
        "alone); unanswered after the policy's grace period, it lapses to the vetting officer "
        "as overdue. Never the questions.",
    ),
    (
        "vetting.clearance_granted",
        vetting.ClearanceGrantedV1,
        "The applicant is cleared, with a level, conditions and an expiry (and who the person "
        "is, for the establishments: access alone receives it).",
    ),
    (
        "vetting.application_cleared",
        vetting.ApplicationClearedV1,
        "What the organisation is shown of its application's clearance, published with "
        "vetting.clearance_granted: level, access, expiry and the conditions it may see (an "
        "exclusion is only said to apply), never who the person is.",
    ),
    (
        "vetting.clearance_announced",
        vetting.ClearanceAnnouncedV1,
        "What the volunteer and the coordinator are told of a new clearance, published with "
        "vetting.clearance_granted: its level and expiry, never its conditions (an exclusion "
        "names the prison of a connection with a prisoner) or who the person is.",
    ),
    (
        "vetting.clearance_refused",
        vetting.ClearanceRefusedV1,
        "Clearance was refused (countersigned). Reasons stay in vetting.",
    ),
    (
        "vetting.clearance_suspended",
        vetting.ClearanceSuspendedV1,
        "A clearance is suspended (a change of circumstances, or an officer's decision): no "
        "establishment should admit the person on it until it is reinstated. Carries the "
        "suspension's id.",
    ),
    (
        "vetting.clearance_suspension_announced",
        vetting.ClearanceSuspensionAnnouncedV1,
        "What the volunteer and the coordinator are told of a suspension, published with "
        "vetting.clearance_suspended: the clearance and the time, never the reason's code.",
    ),
    (
        "vetting.clearance_reinstated",
        vetting.ClearanceReinstatedV1,
        "A suspended clearance is active again. Names the suspension it lifts: one naming none "
        "or another changes nothing.",
    ),
    ("vetting.clearance_revoked", vetting.ClearanceRevokedV1, "A clearance is revoked for good."),
    (
        "vetting.clearance_expiring",
        vetting.ClearanceExpiringV1,
        "A clearance expires in `days_before` days (one of the policy's reminder offsets).",
    ),
    (
        "vetting.clearance_expired",
        vetting.ClearanceExpiredV1,
        "A clearance reached its expiry date.",
    ),
    (
        "vetting.circumstances_reviewed",
        vetting.CircumstancesReviewedV1,
        "What became of a reported change of circumstances, for the organisation that reported "
        "it: an outcome code (under review, suspended, no change, revoked...), never the "
        "findings.",
    ),
    (
        "vetting.person_erased",
        erasure.PersonErasedV1,
        "Vetting ended the person's clearances and erased or anonymised its records of them; "
        "the other services erase theirs for the person and application ids it lists.",
    ),
    (
        "vetting.applications_erased",
        erasure.ApplicationsErasedV1,
        "Vetting erased one organisation's applications for a person (the person, their "
        "clearance and other organisations' applications stay); the others erase theirs for "
        "these application ids.",
    ),
    (
        "access.request_opened",
        access.AccessRequestOpenedV1,
        "A cleared person's access request waits for an establishment's security team (one per "
        "requested establishment; a renewal reopens review of an existing grant).",
    ),
    (
        "access.approved",
        access.AccessDecisionV1,
        "An establishment approved access for a cleared person (induction comes next).",
    ),
    ("access.refused", access.AccessDecisionV1, "An establishment refused access."),
    (
        "access.activated",
        access.AccessActivatedV1,
        "Induction is complete: the person may come through the gate.",
    ),
    (
        "access.suspended",
        access.AccessChangeV1,
        "A grant is suspended, by the establishment or because the clearance was.",
    ),
    ("access.reinstated", access.AccessChangeV1, "A suspended grant is back in force."),
    (
        "access.excluded",
        access.AccessExcludedV1,
        "The establishment excluded the person locally, until a review date.",
    ),
    (
        "access.exclusion_review_due",
        access.AccessExclusionReviewDueV1,
        "An exclusion's review date has come: announced once per review date, for the "
        "establishment to review it and the person and their coordinator to be told.",
    ),
    ("access.revoked", access.AccessChangeV1, "The establishment revoked the grant."),
    (
        "access.decision_evidence",
        access.DecisionEvidenceV1,
        "An establishment excluded or revoked a person, with its reason, published with "
        "access.excluded / access.revoked for vetting alone: a prison's decision is evidence "
        "for vetting's next case of that person.",
    ),
    (
        "access.ended",
        access.AccessChangeV1,
        "The grant ended: by the establishment, or because the clearance was revoked or expired.",
    ),
    (
        "access.person_erased",
        erasure.PersonErasedV1,
        "Access ended the person's grants everywhere and erased its records of them.",
    ),
    (
        "notification.sent",
        notifications.NotificationSentV1,
        "A notification was handed to its channel (SMTP, SMS provider, log).",
    ),
    (
        "notification.failed",
        notifications.NotificationFailedV1,
        "A notification could not be delivered and will not be retried.",
    ),
    (
        "notification.person_erased",
        erasure.PersonErasedV1,
        "Notifications erased the person's contact details and messages.",
    ),
]


def build_registry() -> EventRegistry:
    return EventRegistry(
        EventSpec(event_type, 1, publisher_of(event_type), schema, description)
        for event_type, schema, description in _SPECS
    )
