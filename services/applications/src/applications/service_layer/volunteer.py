"""The volunteer's own say over their contact details, from the links in their messages:
what a confirmation link is for, confirming a channel (with the code sent, for SMS), and opting
out of channels. Authorised by the link alone, never by the organisation.

What a refused link is (used, expired, locked) is a result the volunteer's pages answer in
their own way, not an error.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from applications.models import Application, ContactConfirmation, Organisation
from applications.service_layer import contacts
from applications.service_layer.contacts import (
    ContactLinks,
    hash_code,
    hash_token,
    opt_out_token,
)
from applications.service_layer.records import add_timeline
from shared.errors import NotFound
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class LinkRefused:
    """Why a volunteer's link does nothing: used or expired (gone), or locked by too many wrong
    codes. A result, not an error: the volunteer's pages say so in their own way."""

    locked: bool
    message: str


GONE_USED = LinkRefused(False, "This link was already used: the channel is confirmed.")
GONE_EXPIRED = LinkRefused(False, "This link has expired: ask the organisation to send a new one.")
LOCKED = LinkRefused(
    True,
    "Too many wrong codes: this confirmation is locked. Ask the organisation to send a new code.",
)


def _republish(uow: UnitOfWork, application: Application, links: ContactLinks) -> None:
    organisation = uow.session.get(Organisation, application.organisation_id)
    contacts.record(
        uow,
        application.id,
        application.organisation_id,
        application.applicant,
        application.contact_status or {},
        organisation.coordinator_email if organisation else None,
        links,
    )


def _confirmation(
    uow: UnitOfWork, token: str
) -> tuple[ContactConfirmation, Application] | LinkRefused:
    """The confirmation and its application, locked; NotFound for an unknown token or an
    erased application, LinkRefused for a used or expired one."""
    row = uow.session.get(ContactConfirmation, hash_token(token), with_for_update=True)
    if row is None:
        raise NotFound()
    application = uow.session.get(Application, row.application_id, with_for_update=True)
    if application is None or not application.applicant:
        raise NotFound()
    if row.used_at is not None:
        return GONE_USED
    if uow.now() >= row.expires_at:
        return GONE_EXPIRED
    return row, application


def pending(uow: UnitOfWork, token: str) -> dict[str, Any] | LinkRefused:
    """What the confirmation page shows (reading it confirms nothing: mail scanners open
    links)."""
    found = _confirmation(uow, token)
    if isinstance(found, LinkRefused):
        return found
    row, _application = found
    return {
        "channel": row.channel,
        "needs_code": row.code_hash is not None,
        "expires_at": row.expires_at,
        "attempts_left": contacts.MAX_CODE_ATTEMPTS - row.attempts if row.code_hash else None,
    }


@dataclass(frozen=True)
class Outcome:
    confirmed: bool
    channel: str
    attempts_left: int | None = None


def confirm(
    uow: UnitOfWork, token: str, code: str | None, links: ContactLinks
) -> Outcome | LinkRefused:
    """Confirm the channel. A wrong code counts (the caller commits the count, then refuses);
    the last wrong try locks the confirmation."""
    found = _confirmation(uow, token)
    if isinstance(found, LinkRefused):
        return found
    row, application = found
    if row.code_hash is not None:
        if row.attempts >= contacts.MAX_CODE_ATTEMPTS:
            return LOCKED
        if not code or not hmac.compare_digest(
            row.code_hash.encode(), hash_code(links.secret, row.token_hash, code).encode()
        ):
            row.attempts += 1
            return Outcome(False, row.channel, contacts.MAX_CODE_ATTEMPTS - row.attempts)
    moment = uow.now()
    row.used_at = moment
    key = "email_confirmed" if row.channel == "EMAIL" else "mobile_confirmed"
    application.contact_status = {**(application.contact_status or {}), key: True}
    application.updated_at = moment
    add_timeline(uow.session, application.id, "contact_confirmed", {"channel": row.channel}, moment)
    _republish(uow, application, links)
    return Outcome(True, row.channel)


def opt_out(
    uow: UnitOfWork, token: str, channels: list[str], links: ContactLinks
) -> dict[str, Any]:
    """The volunteer opts out of channels (messages meant for them stop, waiting ones too)."""
    application_id = token.split(".", 1)[0]
    if not hmac.compare_digest(
        token.encode(), opt_out_token(links.secret, application_id).encode()
    ):
        raise NotFound()
    application = uow.session.get(Application, application_id, with_for_update=True)
    if application is None or application.contact_status is None or not application.applicant:
        raise NotFound()
    status = application.contact_status
    opted = sorted(set(status.get("opted_out", [])) | set(channels))
    if opted != sorted(status.get("opted_out", [])):
        moment = uow.now()
        application.contact_status = {**status, "opted_out": opted}
        application.updated_at = moment
        add_timeline(
            uow.session, application.id, "contact_opted_out", {"channels": sorted(channels)}, moment
        )
        _republish(uow, application, links)
    return {"opted_out": opted}
