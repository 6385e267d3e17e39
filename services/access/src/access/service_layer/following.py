"""The access service follows vetting's news about a person's clearance (service_layer.handlers
brings each event here).

A new clearance opens (or reopens) a request at each establishment it names (a renewal moves
the person's open grants elsewhere onto it too, for those establishments to review); the
clearance's later news is clearance_changes.py's. News naming someone other than a grant's
person is held for the security team (service_layer.review_items), never applied. Each use case
is idempotent: a redelivered event changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from access.domain import lifecycle
from access.domain.lifecycle import (
    EXCLUDED,
    FINAL,
    LIVE,
    SUSPENDED,
    ClearanceStatus,
)
from access.domain.people import set_names
from access.domain.rules import (
    ACCESS_RANK,
    conditions_for,
    last_day,
    max_access,
    through_the_day,
)
from access.models import EndedSponsorship, Grant, GrantApplication, IncomingCase
from access.service_layer import outgoing
from access.service_layer.actors import Actor
from access.service_layer.clearance_changes import resume_with_clearance
from access.service_layer.grant_audit import audit_grant
from access.service_layer.grant_news import (
    clearance_closed,
    current_grant,
    older_news,
    seen_here,
)
from access.service_layer.review_holds import disagrees, hold_for_review
from shared.clock import london_date
from shared.handlers import Event, PermanentError
from shared.uow import UnitOfWork

SYSTEM = Actor.system()
log = logging.getLogger(__name__)


def open_requests(uow: UnitOfWork, event: Event) -> None:
    """vetting.clearance_granted → a request per named establishment (or a renewal's review)."""
    data = event.data
    if not data.get("person_id"):
        raise PermanentError("clearance_granted without person_id: access cannot key a grant")
    person_id = str(data["person_id"])
    clearance_id, application_id = str(data["clearance_id"]), str(data["application_id"])
    # No longer "in vetting": the request (or the grant) takes over from the early view.
    uow.session.execute(delete(IncomingCase).where(IncomingCase.application_id == application_id))
    if clearance_closed(uow, person_id, clearance_id):
        # Late news of a clearance vetting has since revoked (or that has expired): it must
        # not open a request that could be approved on it.
        log.warning("clearance %s granted after it closed: ignored", clearance_id)
        return
    if uow.session.get(EndedSponsorship, application_id) is not None:
        # The organisation stopped sponsoring before this news arrived (a withdrawal crossed
        # the clearance): no prison is asked to admit the person on this application.
        log.warning(
            "clearance %s granted on application %s, whose sponsorship ended: ignored",
            clearance_id,
            application_id,
        )
        return
    for code in data["establishments"]:
        grant = current_grant(uow, code, person_id)
        if grant is None:
            grant = Grant(
                id=str(uuid.uuid4()),
                establishment_code=code,
                person_id=person_id,
                conditions=[],
                permitted_areas=[],
                induction={},
                suspended_locally=False,
                awaiting_review=False,
            )
            _copy_clearance(grant, data)
            _reopen(uow, grant, event.envelope.occurred_at, renewal=False)
        elif seen_here(uow, grant, clearance_id, application_id):
            # The same news again (perhaps late, after a later decision): already applied.
            continue
        elif grant.clearance_id == clearance_id and grant.status not in FINAL:
            # The same clearance serving another application of a person already known here:
            # nothing for this establishment to review.
            pass
        elif older_news(grant, data):
            audit_grant(
                uow,
                SYSTEM,
                "grant.older_clearance_ignored",
                grant,
                detail={"clearance_id": clearance_id, "current_clearance_id": grant.clearance_id},
            )
            continue
        elif disagrees(grant, data):
            # Never who the grant is for: the security team decides.
            hold_for_review(uow, grant, event)
            continue
        else:
            grant = renew_grant(uow, grant, data, event.envelope.occurred_at)
        if code in _connections(data):
            # Another application on the same clearance may declare what the first did not.
            grant.declared_connection = True
        _rests_on(uow, grant, application_id, event.envelope.occurred_at)
    if data.get("replaces_clearance_id"):
        _follow_replacement(uow, event, str(data["replaces_clearance_id"]))


def _follow_replacement(uow: UnitOfWork, event: Event, replaced: str) -> None:
    """A renewal replaces the person's clearance. Where it does not name an establishment, the
    person's open grant there still rested on the replaced one: it rests on the new one now
    (access capped to it, the establishment asked to review), never on a clearance vetting has
    replaced. A closed grant stays closed."""
    data = event.data
    grants = uow.session.execute(
        select(Grant)
        .where(
            Grant.person_id == str(data["person_id"]),
            Grant.clearance_id == replaced,
            Grant.superseded_at.is_(None),
            Grant.establishment_code.not_in(data["establishments"]),
        )
        .order_by(Grant.id)
        .with_for_update()
    ).scalars()
    for grant in grants:
        if grant.status in FINAL:
            continue
        if disagrees(grant, data):
            hold_for_review(uow, grant, event)
            continue
        renew_grant(uow, grant, data, event.envelope.occurred_at)


def _rests_on(uow: UnitOfWork, grant: Grant, application_id: str, moment: datetime) -> None:
    """Note that this application asks for the grant (erasure counts them)."""
    if uow.session.get(GrantApplication, (grant.id, application_id)) is None:
        uow.session.add(
            GrantApplication(grant_id=grant.id, application_id=application_id, added_at=moment)
        )
        uow.session.flush()


def _copy_clearance(grant: Grant, data: dict[str, Any]) -> None:
    grant.application_id = str(data["application_id"])
    grant.clearance_id = str(data["clearance_id"])
    grant.clearance_level = data["level"]
    grant.clearance_access = max_access(data["access"], data["conditions"])
    grant.clearance_conditions, grant.clearance_conditions_withheld = conditions_for(
        data["conditions"], grant.establishment_code
    )
    grant.clearance_custom_conditions = data.get("custom_conditions") or None
    grant.clearance_review_on = data.get("review_on")
    grant.clearance_expires_at = through_the_day(data["expires_at"])
    grant.clearance_issued_at = data.get("issued_at")
    grant.clearance_status, grant.clearance_suspension_id = ClearanceStatus.ACTIVE, None
    # Set when the grant opens, filled in where missing, never replaced (review_items).
    set_names(grant, grant.forenames or data.get("forenames"), grant.surname or data.get("surname"))
    grant.date_of_birth = grant.date_of_birth or data.get("date_of_birth")
    # A new clearance says afresh where the person declared a connection with someone held.
    grant.declared_connection = grant.establishment_code in _connections(data)


def _connections(data: dict[str, Any]) -> set[str]:
    return set(data.get("connection_establishments") or ())


def _reopen(uow: UnitOfWork, grant: Grant, moment: datetime, *, renewal: bool) -> None:
    """A fresh request: nothing decided, nothing inducted."""
    if not renewal:
        # A new grant (or one opened beside a closed one): where the lifecycle starts.
        grant.status, grant.resume_status, grant.suspended_locally = lifecycle.INITIAL, None, False
        grant.access_type, grant.valid_until, grant.badge_number = None, None, None
        grant.conditions, grant.permitted_days, grant.permitted_areas = [], None, []
        grant.induction, grant.review_on, grant.status_reason = {}, None, None
        grant.decided_at = grant.decided_by = grant.activated_at = None
    grant.opened_at, grant.updated_at, grant.awaiting_review = moment, moment, True
    uow.session.add(grant)
    uow.session.flush()
    outgoing.access_request_opened(uow, grant, moment, renewal=renewal)
    audit_grant(
        uow,
        SYSTEM,
        "grant.renewal_opened" if renewal else "grant.opened",
        grant,
        detail={
            "clearance_id": grant.clearance_id,
            "level": grant.clearance_level,
            "max_access": grant.clearance_access,
        },
    )


def renew_grant(uow: UnitOfWork, grant: Grant, data: dict[str, Any], moment: datetime) -> Grant:
    """A new clearance (or a new application on the same one) for someone already known here.
    The grant it lands on: this one, or a new request opened beside a closed one."""
    if (
        grant.status == EXCLUDED
        and grant.review_on is not None
        and grant.review_on > london_date(moment)
    ):
        # The establishment's exclusion stands until its review date, whatever vetting says.
        _copy_clearance(grant, data)
        grant.updated_at = moment
        audit_grant(
            uow,
            SYSTEM,
            "grant.clearance_updated",
            grant,
            detail={
                "clearance_id": grant.clearance_id,
                "excluded_until": grant.review_on.isoformat(),
            },
        )
        return grant
    if lifecycle.permits("supersede", grant.status):
        return _open_beside(uow, grant, data, moment)
    _copy_clearance(grant, data)
    if grant.status in LIVE:
        if grant.status == SUSPENDED and not grant.suspended_locally:
            resume_with_clearance(uow, grant, moment)
        _cap_access(uow, grant)
        _reopen(uow, grant, moment, renewal=True)
        return grant
    grant.updated_at = moment  # PENDING_REVIEW: the newer clearance is what will be reviewed
    audit_grant(
        uow, SYSTEM, "grant.clearance_updated", grant, detail={"clearance_id": grant.clearance_id}
    )
    return grant


def _open_beside(uow: UnitOfWork, closed: Grant, data: dict[str, Any], moment: datetime) -> Grant:
    """The establishment's closing decision stands, untouched: the row becomes history and a
    new request opens beside it (the security team sees the earlier decision with it)."""
    closed.superseded_at = moment
    uow.session.flush()  # out of the one-current-grant index before the new row goes in
    grant = Grant(
        id=str(uuid.uuid4()),
        establishment_code=closed.establishment_code,
        person_id=closed.person_id,
        forenames=closed.forenames,
        surname=closed.surname,
        search_name=closed.search_name,
        date_of_birth=closed.date_of_birth,
        conditions=[],
        permitted_areas=[],
        induction={},
        suspended_locally=False,
        awaiting_review=False,
    )
    _copy_clearance(grant, data)
    _reopen(uow, grant, moment, renewal=False)
    audit_grant(uow, SYSTEM, "grant.superseded", closed, detail={"by_grant_id": grant.id})
    return grant


def _cap_access(uow: UnitOfWork, grant: Grant) -> None:
    """A newer clearance that allows less lowers the grant at once: never above the clearance."""
    if grant.access_type and ACCESS_RANK[grant.access_type] > ACCESS_RANK[grant.clearance_access]:
        before, grant.access_type = grant.access_type, grant.clearance_access
        audit_grant(
            uow,
            SYSTEM,
            "grant.access_reduced",
            grant,
            detail={"from": before, "to": grant.access_type},
        )
    if grant.valid_until and last_day(grant.valid_until) > last_day(grant.clearance_expires_at):
        grant.valid_until = grant.clearance_expires_at
