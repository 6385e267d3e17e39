"""The gate check without a badge: a name and a date of birth. One person matching is checked
as by their id (the same rules and audit entry); several are offered to choose from (the
choice is then checked by id); nobody is NOT ALLOWED, "No access at this establishment".
Every answer is audited, the choice offered too."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from access.domain.rules import GateResult, gate_decision
from access.service_layer import gate
from access.service_layer.actors import Actor
from access.service_layer.finding import Search, match_view, matching
from shared.audit import log as audit

# More than this many people of one name and birthday is a search, not a gate check.
MAX_CHOICES = 10


def check_by_name(
    session: Session, actor: Actor, code: str, moment: datetime, name: str, date_of_birth: date
) -> tuple[GateResult, list[dict[str, Any]]]:
    """The answer, and the people to choose from when several match. The caller has checked
    the actor covers `code`, and commits the audit entry before it gives the answer."""
    found = matching(session, code, Search(name=name, date_of_birth=date_of_birth), MAX_CHOICES)
    people = {grant.person_id for grant in found}
    if len(people) == 1:
        return gate.gate_check(session, actor, code, moment, person_id=found[0].person_id), []
    result = gate_decision(None, moment) if not found else GateResult(False, "SEVERAL_MATCHES")
    entry = gate.audit_entry(actor, code, result, moment, None, None)
    entry["detail"].update(by="name_and_date_of_birth", person_ids=sorted(people))
    audit.record(session, **entry)
    return result, [match_view(grant) for grant in found]


def answer_json(result: GateResult, matches: list[dict[str, Any]], moment: datetime) -> dict:
    """The API's answer to a check by name: the gate's answer, with the people to choose from."""
    return {
        **gate.result_json(result, moment),
        "matches": [
            {
                "person_id": match["person_id"],
                "grant_id": match["grant_id"],
                "forenames": match["forenames"],
                "surname": match["surname"],
                "date_of_birth": match["date_of_birth"].isoformat()
                if match["date_of_birth"]
                else None,
                "badge_number": match["badge_number"],
            }
            for match in matches
        ],
    }
