"""Every event the applications service publishes, built here, one function per event type.

Each writes the event to the outbox in the caller's unit of work (published once it commits)
and returns its envelope. Who receives what is the topology's business: an event is built for
the services that need it, no more (a queue receives whole messages), hence the pairs such as
application.withdrawn (with the organisation's reason, for vetting) and
application.withdrawal_announced (without it).
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

from applications.models import Application, ErasureRequest, PortalMember
from shared.events import Envelope
from shared.uow import UnitOfWork

# The submitted application: the row, or (on submit's Core fast path) a namespace of its values.
Submitted = Application | SimpleNamespace


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def submitted_event(application: Submitted, organisation_id: str) -> dict[str, Any]:
    """application.submitted's data: the applicant document, for vetting alone."""
    applicant = dict(application.applicant)
    contact = applicant.pop("contact")
    details = {
        k: v
        for k, v in applicant.items()
        if k not in ("forenames", "surname", "middle_names", "date_of_birth")
    }
    return {
        "application_id": application.id,
        "organisation_id": organisation_id,
        "applicant": {
            "forenames": applicant["forenames"],
            "surname": applicant["surname"],
            "middle_names": applicant.get("middle_names"),
            "date_of_birth": applicant.get("date_of_birth"),
            # Vetting's checks use the email; the mobile and the coordinator's address are for
            # notifications alone, which has them from application.contacts_recorded.
            "email": contact["email"],
            "preferred_channel": contact.get("preferred_channel", "EMAIL"),
            "details": details,
        },
        "role": application.role,
        "establishments": application.establishments,
        "requested_access": application.requested_access,
        "frequency": application.frequency,
        "submitted_at": _iso(application.submitted_at),
        "renewal_of": application.renewal_of,
    }


def application_submitted(
    uow: UnitOfWork, application: Submitted, organisation_id: str
) -> Envelope:
    return uow.emit(
        "application.submitted",
        subject=application.id,
        data=submitted_event(application, organisation_id),
    )


def application_received(uow: UnitOfWork, application: Submitted) -> Envelope:
    """The acknowledgement has an event of its own: application.submitted carries the applicant
    document, which only vetting may have."""
    return uow.emit(
        "application.received",
        subject=application.id,
        data={
            "application_id": application.id,
            "establishments": application.establishments,
            "submitted_at": _iso(application.submitted_at),
        },
    )


def placement_announced(
    uow: UnitOfWork, application: Submitted, organisation_id: str, organisation_name: str
) -> Envelope:
    """What the volunteer will do, for the prisons' security teams deciding access: apart from
    application.submitted, whose applicant document is vetting's alone."""
    return uow.emit(
        "application.placement_announced",
        subject=application.id,
        data={
            "application_id": application.id,
            "organisation_id": organisation_id,
            "organisation_name": organisation_name,
            "role": application.role,
            "group_name": application.group_name,
            "area": application.area,
            "announced_at": _iso(application.submitted_at),
        },
    )


def application_withdrawn(
    uow: UnitOfWork, application: Application, reason: str, at: datetime
) -> Envelope:
    return uow.emit(
        "application.withdrawn",
        subject=application.id,
        data={"application_id": application.id, "reason": reason, "withdrawn_at": at.isoformat()},
    )


def application_withdrawal_announced(
    uow: UnitOfWork, application: Application, at: datetime
) -> Envelope:
    """Without the reason, for the services that only stop work (the organisation's reason is
    vetting's alone)."""
    return uow.emit(
        "application.withdrawal_announced",
        subject=application.id,
        data={"application_id": application.id, "withdrawn_at": at.isoformat()},
    )


def application_circumstances_changed(
    uow: UnitOfWork,
    application: Application,
    kind: str,
    details: dict[str, Any],
    report_id: str,
    at: datetime,
) -> Envelope:
    return uow.emit(
        "application.circumstances_changed",
        subject=application.id,
        data={
            "application_id": application.id,
            "kind": kind,
            "details": details,
            "reported_at": at.isoformat(),
            "report_id": report_id,
        },
    )


def application_info_provided(
    uow: UnitOfWork,
    application: Application,
    request_id: str,
    answers: list[dict[str, Any]],
    at: datetime,
) -> Envelope:
    return uow.emit(
        "application.info_provided",
        subject=application.id,
        data={
            "application_id": application.id,
            "request_id": request_id,
            "answers": answers,
            "provided_at": at.isoformat(),
        },
    )


def application_reconsideration_requested(
    uow: UnitOfWork, application: Application, grounds: str, at: datetime
) -> Envelope:
    return uow.emit(
        "application.reconsideration_requested",
        subject=application.id,
        data={
            "application_id": application.id,
            "grounds": grounds,
            "requested_at": at.isoformat(),
        },
    )


def application_sponsorship_ended(
    uow: UnitOfWork,
    application: Application,
    reason_code: str,
    *,
    from_withdrawal: bool,
    at: datetime,
) -> Envelope:
    return uow.emit(
        "application.sponsorship_ended",
        subject=application.id,
        data={
            "application_id": application.id,
            "organisation_id": application.organisation_id,
            "reason_code": reason_code,
            "from_withdrawal": from_withdrawal,
            "ended_at": at.isoformat(),
        },
    )


def application_contact_confirmation_requested(
    uow: UnitOfWork,
    application_id: str,
    applicant: dict[str, Any],
    channel: str,
    *,
    link: str,
    code: str | None,
    expires_at: datetime,
    at: datetime,
) -> Envelope:
    return uow.emit(
        "application.contact_confirmation_requested",
        subject=application_id,
        data={
            **_to_the_volunteer(application_id, applicant, channel),
            "link": link,
            "code": code,
            "expires_at": expires_at.isoformat(),
            "requested_at": at.isoformat(),
        },
    )


def _to_the_volunteer(
    application_id: str, applicant: dict[str, Any], channel: str
) -> dict[str, Any]:
    """Who a message straight to the volunteer goes to: their name and the one address."""
    contact = applicant["contact"]
    return {
        "application_id": application_id,
        "channel": channel,
        "forenames": applicant["forenames"],
        "email": contact["email"] if channel == "EMAIL" else None,
        "mobile": contact.get("mobile") if channel == "SMS" else None,
    }


def application_volunteer_link_sent(
    uow: UnitOfWork,
    application_id: str,
    applicant: dict[str, Any],
    channel: str,
    *,
    link: str,
    expires_at: datetime,
    at: datetime,
) -> Envelope:
    """The volunteer's own link, to the address the organisation gave (as a confirmation is:
    before submission no channel is confirmed yet)."""
    return uow.emit(
        "application.volunteer_link_sent",
        subject=application_id,
        data={
            **_to_the_volunteer(application_id, applicant, channel),
            "link": link,
            "expires_at": expires_at.isoformat(),
            "sent_at": at.isoformat(),
        },
    )


def application_contacts_recorded(
    uow: UnitOfWork,
    application_id: str,
    organisation_id: str,
    applicant: dict[str, Any],
    status: dict[str, Any],
    coordinator_email: str | None,
    opt_out_link: str,
) -> Envelope:
    """How to reach the volunteer (and the coordinator), as things stand."""
    contact = applicant.get("contact") or {}
    return uow.emit(
        "application.contacts_recorded",
        subject=application_id,
        data={
            "application_id": application_id,
            "organisation_id": organisation_id,
            "volunteer": {
                "forenames": applicant["forenames"],
                "surname": applicant["surname"],
                "email": contact.get("email"),
                "mobile": contact.get("mobile"),
                "email_confirmed": status["email_confirmed"],
                "mobile_confirmed": status["mobile_confirmed"],
                "preferred_channel": contact.get("preferred_channel", "EMAIL"),
                "opted_out": list(status["opted_out"]),
            },
            "coordinator": {"email": coordinator_email} if coordinator_email else None,
            "recorded_at": uow.now().isoformat(),
            "opt_out_link": opt_out_link,
        },
    )


def application_erasure_requested(uow: UnitOfWork, request: ErasureRequest) -> Envelope:
    return uow.emit(
        "application.erasure_requested",
        subject=request.application_id,
        data={
            "erasure_id": request.id,
            "application_id": request.application_id,
            "requested_at": request.requested_at.isoformat(),
            # An organisation erases what it supplied; only the officer erases the person.
            "scope": "ORGANISATION" if request.organisation_id is not None else "PERSON",
            "organisation_id": request.organisation_id,
        },
    )


def member_invited(
    uow: UnitOfWork, member: PortalMember, organisation_name: str, sign_in_url: str
) -> Envelope:
    """The invitation email's event: to the invitee's address, with the portal's address."""
    return uow.emit(
        "organisation.member_invited",
        subject=member.organisation_id,
        data={
            "member_id": member.id,
            "organisation_id": member.organisation_id,
            "organisation_name": organisation_name,
            "email": member.email,
            "role": member.role,
            "sign_in_url": sign_in_url,
            "invited_at": _iso(member.invited_at),
        },
    )
