"""Identity resolution: which person a new case is, and an officer's link or separation.

A strong match links the case to the existing person at once; a possible match gives the case
a person of its own for now and offers the candidates to an officer, who links (the case moves
to the candidate, whose clearance may then serve it) or separates (remembered, never offered
again). Every decision is audited; the rules are `vetting.domain.identity`'s.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, tuple_, update
from sqlalchemy.orm import Session

from shared.errors import Conflict, Invalid, NotFound
from shared.uow import UnitOfWork
from vetting.domain import identity
from vetting.domain.actors import Actor
from vetting.models import (
    Clearance,
    IdentityCandidate,
    IdentitySeparation,
    Person,
    PersonIdentifier,
    VettingCase,
)
from vetting.service_layer.audit_trail import audit_decision

RESOLVED, POSSIBLE_MATCH = identity.IdentityStatus.RESOLVED, identity.IdentityStatus.POSSIBLE_MATCH
NEW_PERSON, STRONG_MATCH = "NEW_PERSON", "STRONG_MATCH"
OFFICER_LINK, OFFICER_SEPARATE = "OFFICER_LINK", "OFFICER_SEPARATE"
# A person serves a case's clearance only when the link is this sure.
SURE = (STRONG_MATCH, OFFICER_LINK)


@dataclass
class Resolution:
    person: Person
    method: str
    candidates: dict[str, frozenset[str]] = field(default_factory=dict)  # person id -> reasons


def resolve(uow: UnitOfWork, key: bytes, applicant: Mapping[str, Any]) -> Resolution:
    """The person this applicant is (a new one unless exactly one strong match), and the
    people they may be instead."""
    session = uow.session
    found = identity.identifiers(applicant, key)
    matches = _matches(session, found)
    strong = [person_id for person_id, reasons in matches.items() if identity.is_strong(reasons)]
    if len(strong) == 1:
        person = session.get(Person, strong[0])
        assert person is not None
        remember(session, person.id, found, uow.now())
        return Resolution(person, STRONG_MATCH)
    person = Person(id=str(uuid.uuid4()), created_at=uow.now())
    person.match_key = f"person:{person.id}"
    session.add(person)
    session.flush()
    remember(session, person.id, found, uow.now())
    # Two strong matches (records an officer already found to be different people sharing a
    # document) are possible matches like the rest: an officer decides.
    possible = {
        person_id: reasons
        for person_id, reasons in matches.items()
        if identity.is_possible(reasons) or identity.is_strong(reasons)
    }
    return Resolution(person, NEW_PERSON, possible)


def _matches(session: Session, found: identity.Identifiers) -> dict[str, frozenset[str]]:
    pairs = identity.lookup_pairs(found)
    if not pairs:
        return {}
    people = set(
        session.execute(
            select(PersonIdentifier.person_id).where(
                tuple_(PersonIdentifier.kind, PersonIdentifier.digest).in_(sorted(pairs))
            )
        ).scalars()
    )
    known: dict[str, set[tuple[str, str]]] = {person_id: set() for person_id in people}
    for person_id, kind, value in session.execute(
        select(PersonIdentifier.person_id, PersonIdentifier.kind, PersonIdentifier.digest).where(
            PersonIdentifier.person_id.in_(sorted(people))
        )
    ):
        known[person_id].add((kind, value))
    return {person_id: identity.reasons(found, pairs_) for person_id, pairs_ in known.items()}


def remember(
    session: Session, person_id: str, found: identity.Identifiers, moment: datetime
) -> None:
    """Store the identifiers the person does not have yet (a new document, a new name)."""
    have = {
        tuple(row)
        for row in session.execute(
            select(PersonIdentifier.kind, PersonIdentifier.digest).where(
                PersonIdentifier.person_id == person_id
            )
        )
    }
    for kind, value in sorted(found.pairs() - have):
        session.add(
            PersonIdentifier(person_id=person_id, kind=kind, digest=value, created_at=moment)
        )
    session.flush()


def offer(
    session: Session, case: VettingCase, candidates: Mapping[str, frozenset[str]], moment: datetime
) -> int:
    """Record the possible matches an officer has not separated from this person before; how
    many."""
    separated = _separated_from(session, case.person_id or "", candidates)
    offered = 0
    for person_id, reasons in sorted(candidates.items()):
        if person_id not in separated:
            session.add(
                IdentityCandidate(
                    id=str(uuid.uuid4()),
                    case_id=case.id,
                    person_id=person_id,
                    reasons=sorted(reasons),
                    status=identity.CandidateStatus.OPEN,
                    created_at=moment,
                )
            )
            offered += 1
    session.flush()
    return offered


def _separated_from(session: Session, person_id: str, others: Iterable[str]) -> set[str]:
    others = set(others)
    rows = session.execute(
        select(IdentitySeparation.person_a, IdentitySeparation.person_b).where(
            or_(IdentitySeparation.person_a == person_id, IdentitySeparation.person_b == person_id)
        )
    ).all()
    return {b if a == person_id else a for a, b in rows} & others


def open_candidates(session: Session, case_id: str) -> list[IdentityCandidate]:
    return list(
        session.execute(
            select(IdentityCandidate)
            .where(
                IdentityCandidate.case_id == case_id,
                IdentityCandidate.status == identity.CandidateStatus.OPEN,
            )
            .order_by(IdentityCandidate.created_at, IdentityCandidate.person_id)
        ).scalars()
    )


def mark(case: VettingCase, status: str, method: str, by: str, moment: datetime) -> None:
    case.identity_status, case.identity_method = status, method
    case.identity_by, case.identity_at = by, moment


def _candidate(session: Session, case: VettingCase, person_id: str) -> IdentityCandidate:
    if case.identity_status != POSSIBLE_MATCH:
        raise Conflict("This case has no possible match waiting for an officer.")
    found = session.execute(
        select(IdentityCandidate)
        .where(
            IdentityCandidate.case_id == case.id,
            IdentityCandidate.person_id == person_id,
            IdentityCandidate.status == identity.CandidateStatus.OPEN,
        )
        .with_for_update()
    ).scalar_one_or_none()
    if found is None:
        raise Invalid(
            "Not a possible match of this case.",
            {"person_id": ["Choose one of the case's open possible matches."]},
        )
    return found


def link(uow: UnitOfWork, case: VettingCase, person_id: str, actor: Actor, reason: str) -> Person:
    """The applicant is this person: the case (and what identified it) moves to them; the
    other candidates are closed. The caller then lets an existing clearance serve the case."""
    session, moment = uow.session, uow.now()
    candidate = _candidate(session, case, person_id)
    person = session.get(Person, person_id)
    if person is None or person.match_key.startswith("erased:"):
        raise NotFound()
    provisional = case.person_id
    if provisional and provisional != person_id and _only_case(session, provisional, case.id):
        # The person the case was given for now had nothing else: it becomes the candidate.
        _move_identifiers(session, provisional, person_id)
        session.execute(
            update(IdentityCandidate)
            .where(IdentityCandidate.person_id == provisional)
            .values(person_id=person_id)
        )
        case.person_id = person_id
        session.flush()
        session.execute(delete(Person).where(Person.id == provisional))
    else:
        case.person_id = person_id
    _close_candidates(session, case.id, candidate.id, actor, moment)
    candidate.status, candidate.decided_by, candidate.decided_at = (
        identity.CandidateStatus.LINKED,
        actor.id,
        moment,
    )
    mark(case, RESOLVED, OFFICER_LINK, actor.id, moment)
    audit_decision(
        uow,
        actor,
        "identity.linked",
        "case",
        case.id,
        reason=reason,
        detail={"person_id": person_id, "reasons": candidate.reasons},
    )
    return person


def separate(uow: UnitOfWork, case: VettingCase, person_id: str, actor: Actor, reason: str) -> None:
    """Two different people: the case keeps its own person, and the pair is remembered."""
    session, moment = uow.session, uow.now()
    candidate = _candidate(session, case, person_id)
    first, second = sorted((case.person_id or "", person_id))
    if session.get(IdentitySeparation, (first, second)) is None:
        session.add(
            IdentitySeparation(
                person_a=first,
                person_b=second,
                case_id=case.id,
                decided_by=actor.id,
                decided_at=moment,
            )
        )
    candidate.status, candidate.decided_by, candidate.decided_at = (
        identity.CandidateStatus.SEPARATED,
        actor.id,
        moment,
    )
    session.flush()
    if not open_candidates(session, case.id):
        mark(case, RESOLVED, OFFICER_SEPARATE, actor.id, moment)
    audit_decision(
        uow,
        actor,
        "identity.separated",
        "case",
        case.id,
        reason=reason,
        detail={"person_id": person_id, "reasons": candidate.reasons},
    )


def _only_case(session: Session, person_id: str, case_id: str) -> bool:
    others = session.execute(
        select(VettingCase.id)
        .where(VettingCase.person_id == person_id, VettingCase.id != case_id)
        .limit(1)
    ).first()
    clearance = session.execute(
        select(Clearance.id).where(Clearance.person_id == person_id).limit(1)
    ).first()
    return others is None and clearance is None


def _move_identifiers(session: Session, source: str, target: str) -> None:
    have = {
        tuple(row)
        for row in session.execute(
            select(PersonIdentifier.kind, PersonIdentifier.digest).where(
                PersonIdentifier.person_id == target
            )
        )
    }
    for row in session.execute(
        select(PersonIdentifier).where(PersonIdentifier.person_id == source)
    ).scalars():
        if (row.kind, row.digest) in have:
            session.delete(row)
        else:
            row.person_id = target
    session.flush()


def _close_candidates(
    session: Session, case_id: str, keep: str, actor: Actor, moment: datetime
) -> None:
    session.execute(
        update(IdentityCandidate)
        .where(
            IdentityCandidate.case_id == case_id,
            IdentityCandidate.status == identity.CandidateStatus.OPEN,
            IdentityCandidate.id != keep,
        )
        .values(status=identity.CandidateStatus.NOT_CHOSEN, decided_by=actor.id, decided_at=moment)
    )
