"""Every event the access service publishes, built here, one function per event type.

Each writes the event to the outbox in the caller's unit of work (published once it commits)
and returns its envelope (the erasure report excepted: `shared.erasure` builds it). `by` says
who made the change: ESTABLISHMENT (its security team), VETTING (the clearance's news) or
ORGANISATION (a sponsorship ended).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from access.domain.lifecycle import ENDED, REVOKED
from access.models import Grant
from shared import erasure
from shared.events import Envelope
from shared.uow import UnitOfWork


def _change(grant: Grant, by: str, moment: datetime) -> dict[str, Any]:
    """The common body of access.suspended/reinstated/revoked/ended/activated/excluded."""
    return {
        "grant_id": grant.id,
        "application_id": grant.application_id,
        "person_id": grant.person_id,
        "establishment_code": grant.establishment_code,
        "status": grant.status,
        "by": by,
        "at": moment.isoformat(),
    }


def access_request_opened(
    uow: UnitOfWork, grant: Grant, moment: datetime, *, renewal: bool
) -> Envelope:
    return uow.emit(
        "access.request_opened",
        subject=grant.application_id,
        data={
            "grant_id": grant.id,
            "application_id": grant.application_id,
            "person_id": grant.person_id,
            "establishment_code": grant.establishment_code,
            "clearance_id": grant.clearance_id,
            "level": grant.clearance_level,
            "max_access": grant.clearance_access,
            "clearance_expires_at": grant.clearance_expires_at.isoformat(),
            "renewal": renewal,
            "opened_at": moment.isoformat(),
        },
    )


def _decision(
    grant: Grant, access_type: str | None, valid_until: datetime | None, moment: datetime
) -> dict[str, Any]:
    """The body of access.approved and access.refused (no terms on a refusal)."""
    return {
        "grant_id": grant.id,
        "application_id": grant.application_id,
        "person_id": grant.person_id,
        "establishment_code": grant.establishment_code,
        "access_type": access_type,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "decided_at": moment.isoformat(),
    }


def access_approved(
    uow: UnitOfWork, grant: Grant, access_type: str, valid_until: datetime, moment: datetime
) -> Envelope:
    return uow.emit(
        "access.approved",
        subject=grant.application_id,
        data=_decision(grant, access_type, valid_until, moment),
    )


def access_refused(uow: UnitOfWork, grant: Grant, moment: datetime) -> Envelope:
    return uow.emit(
        "access.refused", subject=grant.application_id, data=_decision(grant, None, None, moment)
    )


def access_activated(uow: UnitOfWork, grant: Grant, moment: datetime) -> Envelope:
    return uow.emit(
        "access.activated",
        subject=grant.application_id,
        data={
            **_change(grant, "ESTABLISHMENT", moment),
            "access_type": grant.access_type,
            "valid_until": grant.valid_until.isoformat() if grant.valid_until else None,
            "permitted_days": list(grant.permitted_days) if grant.permitted_days else None,
            "permitted_areas": list(grant.permitted_areas or []),
        },
    )


def access_suspended(uow: UnitOfWork, grant: Grant, by: str, moment: datetime) -> Envelope:
    return uow.emit(
        "access.suspended", subject=grant.application_id, data=_change(grant, by, moment)
    )


def access_reinstated(uow: UnitOfWork, grant: Grant, by: str, moment: datetime) -> Envelope:
    return uow.emit(
        "access.reinstated", subject=grant.application_id, data=_change(grant, by, moment)
    )


def access_excluded(uow: UnitOfWork, grant: Grant, review_on: date, moment: datetime) -> Envelope:
    return uow.emit(
        "access.excluded",
        subject=grant.application_id,
        data={**_change(grant, "ESTABLISHMENT", moment), "review_on": review_on.isoformat()},
    )


def access_exclusion_review_due(
    uow: UnitOfWork, grant: Grant, review_on: date, moment: datetime
) -> Envelope:
    return uow.emit(
        "access.exclusion_review_due",
        subject=grant.application_id,
        data={
            **_change(grant, "ESTABLISHMENT", moment),
            "review_on": review_on.isoformat(),
        },
    )


def access_revoked(uow: UnitOfWork, grant: Grant, by: str, moment: datetime) -> Envelope:
    return uow.emit("access.revoked", subject=grant.application_id, data=_change(grant, by, moment))


def access_ended(uow: UnitOfWork, grant: Grant, by: str, moment: datetime) -> Envelope:
    return uow.emit("access.ended", subject=grant.application_id, data=_change(grant, by, moment))


def decision_evidence(
    uow: UnitOfWork,
    grant: Grant,
    decision: str,
    reason: str,
    moment: datetime,
    review_on: date | None = None,
) -> Envelope:
    """The establishment's exclusion or revocation with its reason, apart from access.excluded
    and access.revoked (which notifications hears too): vetting alone weighs the reason."""
    return uow.emit(
        "access.decision_evidence",
        subject=grant.application_id,
        data={
            "grant_id": grant.id,
            "application_id": grant.application_id,
            "person_id": grant.person_id,
            "establishment_code": grant.establishment_code,
            "decision": decision,
            "reason": reason,
            "review_on": review_on.isoformat() if review_on else None,
            "at": moment.isoformat(),
        },
    )


# The event a closing decision publishes, by the state it leaves the grant in.
CLOSED_BY = {REVOKED: access_revoked, ENDED: access_ended}


def access_person_erased(
    uow: UnitOfWork,
    *,
    erasure_id: str,
    person_id: str | None,
    application_ids: Iterable[str],
    counts: Mapping[str, int],
    moment: datetime,
) -> None:
    """access.person_erased: this service's part of an erasure is done (no person id when an
    organisation's applications were erased)."""
    erasure.report(
        uow,
        "access.person_erased",
        erasure_id=erasure_id,
        person_id=person_id,
        application_ids=application_ids,
        counts=counts,
        moment=moment,
    )
