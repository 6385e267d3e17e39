"""The portal's lists of an organisation's applications: filtered by status, prison and name,
newest change first, a page at a time; and the clearances expiring soon.

The applicant's name is encrypted at rest, so the name search runs here over the organisation's
own applications rather than in SQL; an organisation has hundreds, not millions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.domain.lifecycle import (
    CLEARED,
    DRAFT,
    FINAL,
    IN_PROGRESS,
    LIVE_CLEARANCE,
    REFUSED,
    ApplicationState,
    RequestState,
)
from applications.models import Application, ApplicationEstablishment, InformationRequest
from applications.service_layer.drafts import summary_view

EXPIRING_WITHIN = timedelta(days=90)

# Who an application waits on, as the list says it.
YOU_ANSWER = "You: answer a question"
YOU_FINISH = "You: finish the draft"
YOU_RENEW = "You: renew it"
VOLUNTEER = "The volunteer"
VETTING = "Vetting"
NOBODY = "Nothing"


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    establishment: str | None = None
    name: str | None = None


@dataclass
class Page:
    items: list[dict[str, Any]]
    total: int
    number: int
    pages: int


def list_page(
    session: Session,
    organisation_id: str,
    filters: Filters,
    *,
    now: datetime,
    number: int = 1,
    size: int = 25,
) -> Page:
    """One page of the organisation's applications that match, newest change first, each with
    what it waits on."""
    query = select(Application).where(Application.organisation_id == organisation_id)
    if filters.status:
        query = query.where(Application.status == filters.status)
    if filters.establishment:
        query = query.where(
            Application.id.in_(
                select(ApplicationEstablishment.application_id).where(
                    ApplicationEstablishment.code == filters.establishment
                )
            )
        )
    rows = list(
        session.execute(query.order_by(Application.updated_at.desc(), Application.id)).scalars()
    )
    if filters.name:
        wanted = filters.name.casefold().split()
        rows = [row for row in rows if all(word in _name(row) for word in wanted)]
    pages = max(1, -(-len(rows) // size))
    number = min(max(1, number), pages)
    shown = rows[(number - 1) * size : number * size]
    yours, volunteers = _open_requests(session, [row.id for row in shown])
    items = [
        {
            **summary_view(row),
            "waits_on": waits_on(row, row.id in yours, now, volunteer_asked=row.id in volunteers),
        }
        for row in shown
    ]
    return Page(items=items, total=len(rows), number=number, pages=pages)


def _name(application: Application) -> str:
    applicant = application.applicant or {}
    parts = ("forenames", "middle_names", "surname")
    return " ".join(str(applicant.get(part) or "") for part in parts).casefold()


def _open_requests(session: Session, application_ids: list[str]) -> tuple[set[str], set[str]]:
    """(applications with a request for the organisation to answer, those with one the
    volunteer has not answered yet)."""
    if not application_ids:
        return set(), set()
    query = select(InformationRequest.application_id, InformationRequest.status).where(
        InformationRequest.application_id.in_(application_ids),
        InformationRequest.answered_at.is_(None),
        InformationRequest.status.in_((RequestState.OPEN, RequestState.VOLUNTEER_ASKED)),
    )
    found = session.execute(query).all()
    return (
        {row.application_id for row in found if row.status == RequestState.OPEN},
        {row.application_id for row in found if row.status == RequestState.VOLUNTEER_ASKED},
    )


def waits_on(
    application: Application, open_request: bool, now: datetime, *, volunteer_asked: bool = False
) -> str:
    """Whose move it is: the organisation's (a question to answer, a draft to finish, a
    clearance to renew), the volunteer's (their sections, or vetting's sensitive questions),
    vetting's, or nobody's."""
    if open_request:
        return YOU_ANSWER
    if volunteer_asked and application.status not in (*FINAL, REFUSED):
        return VOLUNTEER
    status = application.status
    if status == DRAFT:
        return VOLUNTEER if _volunteer_owes(application) else YOU_FINISH
    if status in IN_PROGRESS:
        return VETTING
    if status == REFUSED:
        reconsidering = application.reconsideration_requested_at is not None and not (
            application.outcome or {}
        ).get("reconsidered")
        return VETTING if reconsidering else NOBODY
    if status == CLEARED and expires_within(application, now) is not None:
        return YOU_RENEW
    return NOBODY


def _volunteer_owes(application: Application) -> bool:
    sections = application.volunteer_sections or {}
    completed = sections.get("completed") or {}
    return any(name not in completed for name in sections.get("sections") or ())


def expires_within(
    application: Application, now: datetime, within: timedelta = EXPIRING_WITHIN
) -> date | None:
    """The day a live clearance ends, if that is within `within` of now; else None."""
    outcome = application.outcome or {}
    if application.status != CLEARED or outcome.get("clearance_status") not in LIVE_CLEARANCE:
        return None
    ends = outcome.get("expires_at")
    if not ends:
        return None
    moment = datetime.fromisoformat(ends)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return moment.date() if now <= moment <= now + within else None


def expiring(session: Session, organisation_id: str, now: datetime) -> list[dict[str, Any]]:
    """Live clearances ending within 90 days, soonest first, each with the renewal draft
    already started from it, if any."""
    cleared = session.execute(
        select(Application).where(
            Application.organisation_id == organisation_id,
            Application.status == ApplicationState.CLEARED,
        )
    ).scalars()
    soon = [(ends, row) for row in cleared if (ends := expires_within(row, now)) is not None]
    renewals = dict(
        session.execute(
            select(Application.renewal_of, Application.id).where(
                Application.organisation_id == organisation_id,
                Application.renewal_of.in_([row.id for _ends, row in soon]),
            )
        ).all()
    )
    return [
        {**summary_view(row), "expires_on": ends, "renewal_id": renewals.get(row.id)}
        for ends, row in sorted(soon, key=lambda pair: (pair[0], pair[1].id))
    ]
