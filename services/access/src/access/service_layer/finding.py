"""Finding a person at an establishment without their badge or id: by name (accents and case
dropped, each word the start of a word of the name), date of birth, badge number or the
application reference quoted in emails. Current grants only; every search is audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from access.domain.people import fold, normalise_badge
from access.models import Grant, GrantApplication
from access.service_layer.actors import Actor
from shared.audit import log as audit

MAX_RESULTS = 50
# The reference people quote (shared.reference.application_reference), or a whole id.
REFERENCE = re.compile(r"^[0-9a-f]{8}(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?$")


@dataclass(frozen=True)
class Search:
    name: str | None = None
    date_of_birth: date | None = None
    badge: str | None = None
    reference: str | None = None

    def given(self) -> list[str]:
        """The criteria used (names of the fields, never their values)."""
        return [
            key
            for key, value in (
                ("name", fold(self.name)),
                ("date_of_birth", self.date_of_birth),
                ("badge", normalise_badge(self.badge)),
                ("reference", self.reference),
            )
            if value
        ]


def reference_key(reference: str | None) -> str | None:
    """A reference as typed (`3F2B8C1E`, ` 3f2b8c1e `) in the form ids are stored in; None if
    it cannot be one."""
    key = (reference or "").strip().lower()
    return key if REFERENCE.match(key) else None


def _filtered(code: str, search: Search) -> Select[Any]:
    query = select(Grant).where(Grant.establishment_code == code, Grant.superseded_at.is_(None))
    # fold() leaves letters, digits and spaces only: nothing LIKE would read as a wildcard.
    for word in fold(search.name).split():
        query = query.where(
            or_(Grant.search_name.like(f"{word}%"), Grant.search_name.like(f"% {word}%"))
        )
    if search.date_of_birth is not None:
        query = query.where(Grant.date_of_birth == search.date_of_birth)
    if search.badge:
        query = query.where(Grant.badge_number == normalise_badge(search.badge))
    if search.reference:
        key = reference_key(search.reference) or "-"
        asked = select(GrantApplication.grant_id).where(
            GrantApplication.application_id.like(f"{key}%")
        )
        query = query.where(or_(Grant.application_id.like(f"{key}%"), Grant.id.in_(asked)))
    return query


def matching(session: Session, code: str, search: Search, limit: int = MAX_RESULTS) -> list[Grant]:
    """The current grants at `code` that match every criterion given, by name; at most
    `limit`. Nothing given finds nobody."""
    if not search.given():
        return []
    query = _filtered(code, search).order_by(
        Grant.surname, Grant.forenames, Grant.date_of_birth, Grant.id
    )
    return list(session.execute(query.limit(limit)).scalars())


def match_view(grant: Grant) -> dict[str, Any]:
    """One person found, as a list shows them."""
    return {
        "person_id": grant.person_id,
        "grant_id": grant.id,
        "forenames": grant.forenames,
        "surname": grant.surname,
        "date_of_birth": grant.date_of_birth,
        "badge_number": grant.badge_number,
        "status": grant.status,
        "access_type": grant.access_type,
        "valid_until": grant.valid_until,
    }


def find_people(
    session: Session, actor: Actor, code: str, search: Search, moment: datetime
) -> dict[str, Any]:
    """The people found (at most MAX_RESULTS, and whether there were more), with the search
    audited: who searched, where, by which criteria, whom it found. The caller has checked
    the actor covers `code`, and commits."""
    found = matching(session, code, search, MAX_RESULTS + 1)
    shown = found[:MAX_RESULTS]
    audit.record(
        session,
        service="access",
        actor=actor.id,
        actor_kind=actor.kind,
        action="people.searched",
        subject_type="establishment",
        subject_id=code,
        # The criteria's names, never what was typed: the detail must name nobody.
        detail={
            "by": search.given(),
            "found": len(shown),
            "person_ids": [grant.person_id for grant in shown],
        },
        at=moment,
    )
    return {"items": [match_view(grant) for grant in shown], "more": len(found) > MAX_RESULTS}
