"""The volunteer's contact details: never the coordinator's, confirmed by the volunteer, and
theirs to opt out of (the volunteer's side of it: service_layer.volunteer).

Messages meant for the volunteer go only to a channel the volunteer confirmed, so an address
typed in by the organisation (perhaps its own) never receives them unseen. On submission the
volunteer is sent a single-use link to the email and a code to the mobile; notifications learn
the confirmed channels and opt-outs from application.contacts_recorded, published on submission
and at every change.

Tokens are random and only their hashes are kept; a code is hashed with the service's secret
(six digits alone would fall to a brute force of a copied table) and allows a few wrong tries
before the confirmation locks. The opt-out link must work for as long as messages carry it, so
it is a signature of the application id rather than a stored token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.domain.lifecycle import COORDINATOR, step
from applications.models import ContactConfirmation, Organisation
from applications.service_layer import outgoing
from applications.service_layer.records import add_timeline, owned_application
from shared.errors import Conflict, Invalid
from shared.uow import UnitOfWork

CONFIRMATION_VALID = timedelta(hours=72)
MAX_CODE_ATTEMPTS = 5
CHANNELS = ("EMAIL", "SMS")


@dataclass(frozen=True)
class ContactLinks:
    """Where the volunteer's pages are, and the secret that signs and keys what they carry."""

    base_url: str
    secret: str

    def confirmation(self, token: str) -> str:
        return f"{self.base_url.rstrip('/')}/volunteer/confirmations/{token}"

    def opt_out(self, application_id: str) -> str:
        return (
            f"{self.base_url.rstrip('/')}/volunteer/opt-outs/"
            f"{opt_out_token(self.secret, application_id)}"
        )


class CoordinatorsContact(Invalid):
    """The volunteer's email is the coordinator's own: the organisation would read every
    message meant for the volunteer."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__("The volunteer's contact details must be the volunteer's own.")
        # In the applicant document's layout (nested), as the schema's own errors are.
        self.errors = errors


COORDINATOR_EMAIL_MESSAGE = (
    "This is the organisation's coordinator's email: give the "
    "volunteer's own, so messages meant for them reach only them."
)


def _same(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    return a.strip().casefold() == b.strip().casefold()


def coordinator_clash(
    applicant: dict[str, Any] | None, coordinator_email: str | None
) -> dict[str, Any] | None:
    """The field errors (in the applicant document's layout) if the volunteer's email is the
    coordinator's; None otherwise."""
    email = ((applicant or {}).get("contact") or {}).get("email")
    if _same(email, coordinator_email):
        return {"applicant": {"contact": {"email": [COORDINATOR_EMAIL_MESSAGE]}}}
    return None


def refuse_coordinators_contact(
    uow: UnitOfWork, organisation_id: str, applicant: dict[str, Any] | None
) -> None:
    organisation = uow.session.get(Organisation, organisation_id)
    clash = coordinator_clash(applicant, organisation.coordinator_email if organisation else None)
    if clash:
        raise CoordinatorsContact(clash)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_code(secret: str, token_hash: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{token_hash}:{code}".encode(), "sha256").hexdigest()


def opt_out_token(secret: str, application_id: str) -> str:
    signature = hmac.new(
        secret.encode(), f"opt-out:{application_id}".encode(), "sha256"
    ).hexdigest()[:32]
    return f"{application_id}.{signature}"


def initial_status() -> dict[str, Any]:
    return {"email_confirmed": False, "mobile_confirmed": False, "opted_out": []}


def start(
    uow: UnitOfWork,
    application_id: str,
    organisation_id: str,
    applicant: dict[str, Any],
    coordinator_email: str | None,
    links: ContactLinks,
) -> None:
    """On submission: ask the volunteer to confirm each channel given, and publish the
    contacts (the application's contact status starts as `initial_status()`)."""
    status = initial_status()
    contact = applicant["contact"]
    for channel, address in (("EMAIL", contact.get("email")), ("SMS", contact.get("mobile"))):
        if address:
            _ask_to_confirm(uow, application_id, applicant, channel, links)
    record(uow, application_id, organisation_id, applicant, status, coordinator_email, links)


def _ask_to_confirm(
    uow: UnitOfWork,
    application_id: str,
    applicant: dict[str, Any],
    channel: str,
    links: ContactLinks,
) -> None:
    token, moment = secrets.token_urlsafe(32), uow.now()
    token_hash = hash_token(token)
    code = f"{secrets.randbelow(10**6):06d}" if channel == "SMS" else None
    uow.session.add(
        ContactConfirmation(
            token_hash=token_hash,
            application_id=application_id,
            channel=channel,
            code_hash=hash_code(links.secret, token_hash, code) if code else None,
            attempts=0,
            expires_at=moment + CONFIRMATION_VALID,
            used_at=None,
            created_at=moment,
        )
    )
    outgoing.application_contact_confirmation_requested(
        uow,
        application_id,
        applicant,
        channel,
        link=links.confirmation(token),
        code=code,
        expires_at=moment + CONFIRMATION_VALID,
        at=moment,
    )


def record(
    uow: UnitOfWork,
    application_id: str,
    organisation_id: str,
    applicant: dict[str, Any],
    status: dict[str, Any],
    coordinator_email: str | None,
    links: ContactLinks,
) -> None:
    """Publish how to reach the volunteer (and the coordinator), as things stand."""
    outgoing.application_contacts_recorded(
        uow,
        application_id,
        organisation_id,
        applicant,
        status,
        coordinator_email,
        links.opt_out(application_id),
    )


def ask_again(
    uow: UnitOfWork, organisation_id: str, application_id: str, channel: str, links: ContactLinks
) -> dict[str, Any]:
    """The organisation asks for a new link or code (the last one expired, locked or went
    astray): the outstanding ones for that channel stop working."""
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    step(application.status, "confirm_contact", COORDINATOR)
    status = application.contact_status or initial_status()
    key = "email_confirmed" if channel == "EMAIL" else "mobile_confirmed"
    contact = (application.applicant or {}).get("contact") or {}
    if not contact.get("email" if channel == "EMAIL" else "mobile"):
        raise Conflict(f"The application has no {channel_word(channel)} to confirm.")
    if status.get(key):
        raise Conflict(f"The volunteer already confirmed their {channel_word(channel)}.")
    moment = uow.now()
    for row in uow.session.execute(
        select(ContactConfirmation).where(
            ContactConfirmation.application_id == application.id,
            ContactConfirmation.channel == channel,
            ContactConfirmation.used_at.is_(None),
        )
    ).scalars():
        row.expires_at = min(row.expires_at, moment)
    _ask_to_confirm(uow, application.id, application.applicant, channel, links)
    add_timeline(
        uow.session, application.id, "contact_confirmation_sent", {"channel": channel}, moment
    )
    return {"channel": channel, "sent_at": moment, "expires_at": moment + CONFIRMATION_VALID}


def channel_word(channel: str) -> str:
    return "email" if channel == "EMAIL" else "mobile number"


def forget_confirmations(session: Session, application_ids: list[str]) -> int:
    """Erasure: the outstanding links stop working."""
    rows = (
        session.execute(
            select(ContactConfirmation).where(
                ContactConfirmation.application_id.in_(application_ids)
            )
        )
        .scalars()
        .all()
    )
    for row in rows:
        session.delete(row)
    return len(rows)
