"""The volunteer's link: the organisation sends it (email or text message, through the
notifications service), the volunteer opens it and is signed in to that one application's
sensitive sections for a short while.

A link is single-use and expires after 14 days; sending another revokes the one before. Opening
it consumes nothing (mail scanners open links): only pressing Continue does. The session it
starts is a row whose token's hash alone is kept; it ends after 30 idle minutes, 2 hours in all,
or at sign-out. Every send, use and refusal is audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.domain.lifecycle import DRAFT, FINAL
from applications.models import Application, VolunteerLink, VolunteerSession
from applications.service_layer import outgoing, volunteer_sections
from applications.service_layer.contacts import channel_word, hash_token
from applications.service_layer.records import add_timeline, owned_application
from shared.audit import log as audit
from shared.errors import Conflict, NotFound
from shared.uow import UnitOfWork

LINK_VALID = timedelta(days=14)
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=2)
SERVICE = "applications"


@dataclass(frozen=True)
class Refused:
    """Why a link opens nothing: a result the volunteer's page words, not an error."""

    why: str  # USED | EXPIRED | REVOKED
    message: str


USED = Refused("USED", "This link has already been used. Ask your organisation to send a new one.")
EXPIRED = Refused("EXPIRED", "This link has expired. Ask your organisation to send a new one.")
REVOKED = Refused(
    "REVOKED", "A newer link has been sent to you: use the latest one, or ask for a new one."
)


def _audit(
    uow: UnitOfWork, actor: str, kind: str, action: str, application_id: str, **detail: Any
) -> None:
    audit.record(
        uow.session,
        service=SERVICE,
        actor=actor,
        actor_kind=kind,
        action=action,
        subject_type="application",
        subject_id=application_id,
        detail=detail or None,
        outcome=audit.DENIED if detail.get("refused") else audit.SUCCESS,
        at=uow.now(),
    )


def channels(application: Application) -> list[str]:
    """The channels the applicant's contact details allow."""
    contact = (application.applicant or {}).get("contact") or {}
    return [c for c, key in (("EMAIL", "email"), ("SMS", "mobile")) if contact.get(key)]


def send(
    uow: UnitOfWork,
    organisation_id: str,
    application_id: str,
    channel: str,
    *,
    sent_by: str,
    base_url: str,
) -> dict[str, Any]:
    """Send the volunteer a new link (the previous ones stop working); the three sections
    become the volunteer's."""
    application = owned_application(uow.session, organisation_id, application_id, for_update=True)
    if application.status in FINAL:
        raise Conflict("The application is closed: there is nothing for the volunteer to do.")
    if channel not in channels(application):
        raise Conflict(
            f"The application has no {channel_word(channel)} for the volunteer: add it first.",
            {"channel": [f"Add the volunteer's {channel_word(channel)} first."]},
        )
    if not (application.applicant or {}).get("forenames"):
        raise Conflict(
            "Give the volunteer's name first: the message greets them by it.",
            {"channel": ["Give the volunteer's name first."]},
        )
    moment = uow.now()
    for old in _live_links(uow.session, application.id):
        old.revoked_at = moment
    token = secrets.token_urlsafe(32)
    uow.session.add(
        VolunteerLink(
            token_hash=hash_token(token),
            application_id=application.id,
            channel=channel,
            sent_by=sent_by,
            created_at=moment,
            expires_at=moment + LINK_VALID,
            used_at=None,
            revoked_at=None,
        )
    )
    if application.status == DRAFT:
        volunteer_sections.hand_over(application)
    application.updated_at = moment
    add_timeline(uow.session, application.id, "volunteer_link_sent", {"channel": channel}, moment)
    outgoing.application_volunteer_link_sent(
        uow,
        application.id,
        application.applicant,
        channel,
        link=f"{base_url.rstrip('/')}/portal/volunteer/{token}",
        expires_at=moment + LINK_VALID,
        at=moment,
    )
    _audit(uow, sent_by, audit.ORGANISATION, "volunteer_link.sent", application.id, channel=channel)
    return {"channel": channel, "sent_at": moment, "expires_at": moment + LINK_VALID}


def _live_links(session: Session, application_id: str) -> list[VolunteerLink]:
    return list(
        session.execute(
            select(VolunteerLink).where(
                VolunteerLink.application_id == application_id,
                VolunteerLink.used_at.is_(None),
                VolunteerLink.revoked_at.is_(None),
            )
        ).scalars()
    )


def last_sent(session: Session, application_id: str) -> VolunteerLink | None:
    return session.execute(
        select(VolunteerLink)
        .where(VolunteerLink.application_id == application_id)
        .order_by(VolunteerLink.created_at.desc())
        .limit(1)
    ).scalar_one_or_none()


def _link(uow: UnitOfWork, token: str, *, lock: bool) -> tuple[VolunteerLink, Application]:
    row = uow.session.get(VolunteerLink, hash_token(token), with_for_update=lock)
    if row is None:
        raise NotFound()
    application = uow.session.get(Application, row.application_id)
    if application is None or not application.applicant:
        raise NotFound()  # erased
    return row, application


def _refusal(row: VolunteerLink, moment: datetime) -> Refused | None:
    if row.used_at is not None:
        return USED
    if row.revoked_at is not None:
        return REVOKED
    if moment >= row.expires_at:
        return EXPIRED
    return None


def peek(uow: UnitOfWork, token: str) -> Refused | dict[str, Any]:
    """What the link's first page shows; reading it uses nothing."""
    row, application = _link(uow, token, lock=False)
    refused = _refusal(row, uow.now())
    if refused is not None:
        return refused
    return {"forenames": application.applicant.get("forenames"), "expires_at": row.expires_at}


def enter(uow: UnitOfWork, token: str) -> Refused | str:
    """Use the link: a new session's token (the caller keeps it in the cookie), or why not. A
    refusal is audited too (the caller commits it)."""
    row, application = _link(uow, token, lock=True)
    moment = uow.now()
    refused = _refusal(row, moment)
    if refused is not None:
        _audit(
            uow,
            "volunteer",
            audit.SYSTEM,
            "volunteer_link.refused",
            application.id,
            refused=refused.why,
        )
        return refused
    row.used_at = moment
    session_token = secrets.token_urlsafe(32)
    uow.session.add(
        VolunteerSession(
            token_hash=hash_token(session_token),
            application_id=application.id,
            started_at=moment,
            seen_at=moment,
            ended_at=None,
        )
    )
    add_timeline(uow.session, application.id, "volunteer_signed_in", {}, moment)
    _audit(uow, "volunteer", audit.SYSTEM, "volunteer_link.used", application.id)
    return session_token


def current(session: Session, token: str | None, moment: datetime) -> VolunteerSession | None:
    """The live session the cookie's token names (seen now), or None: unknown, ended, idle for
    too long or too old (then it is ended)."""
    if not token:
        return None
    row = session.get(VolunteerSession, hash_token(token))
    if row is None or row.ended_at is not None:
        return None
    if moment - row.seen_at >= IDLE or moment - row.started_at >= ABSOLUTE:
        row.ended_at = moment
        return None
    row.seen_at = moment
    return row


def sign_out(session: Session, token: str | None, moment: datetime) -> None:
    if not token:
        return
    row = session.get(VolunteerSession, hash_token(token))
    if row is not None and row.ended_at is None:
        row.ended_at = moment


def forget(session: Session, application_ids: list[str]) -> dict[str, int]:
    """Erasure and retention: the links and sessions go (they name nobody, but they open the
    application)."""
    counts = {}
    for model in (VolunteerLink, VolunteerSession):
        rows = list(
            session.execute(
                select(model).where(model.application_id.in_(application_ids))
            ).scalars()
        )
        for row in rows:
            session.delete(row)
        counts[model.__tablename__] = len(rows)
    return counts


def history(session: Session, application_id: str) -> dict[str, list[dict[str, Any]]]:
    """Subject access: when links were sent and used, and the sessions they started."""
    links = session.execute(
        select(VolunteerLink)
        .where(VolunteerLink.application_id == application_id)
        .order_by(VolunteerLink.created_at)
    ).scalars()
    sessions = session.execute(
        select(VolunteerSession)
        .where(VolunteerSession.application_id == application_id)
        .order_by(VolunteerSession.started_at)
    ).scalars()
    return {
        "volunteer_links": [
            {
                "channel": link.channel,
                "sent_at": link.created_at,
                "expires_at": link.expires_at,
                "used_at": link.used_at,
                "revoked_at": link.revoked_at,
            }
            for link in links
        ],
        "volunteer_sessions": [
            {"started_at": s.started_at, "last_seen_at": s.seen_at, "ended_at": s.ended_at}
            for s in sessions
        ],
    }
