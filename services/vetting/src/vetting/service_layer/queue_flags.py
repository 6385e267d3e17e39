"""What the workbench's queue marks on each case beyond its summary: information overdue, and
checks whose provider is failing. One query each for a page of cases, never one per row."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from vetting.domain.lifecycles.check import CheckState
from vetting.models import Check, InformationRequest

# A provider that failed and is being retried (ERROR), or gave up (FAILED): an officer may
# retry it or record the result by hand.
FAILING = (CheckState.ERROR, CheckState.FAILED)


@dataclass(frozen=True)
class Flags:
    information_overdue: bool = False
    checks_failing: int = 0


def flags(session: Session, case_ids: Sequence[str], today: date) -> dict[str, Flags]:
    """Per case id (those with nothing to mark are left out). Information is overdue once a
    request lapsed (service_layer.information_chasers): past its date it is first chased."""
    if not case_ids:
        return {}
    overdue = set(
        session.execute(
            select(InformationRequest.case_id)
            .where(
                InformationRequest.case_id.in_(case_ids),
                InformationRequest.answered_at.is_(None),
                # Chased and still unanswered after the grace period: the officer's now.
                InformationRequest.lapsed_at.is_not(None),
            )
            .distinct()
        ).scalars()
    )
    failing = dict(
        session.execute(
            select(Check.case_id, func.count())
            .where(Check.case_id.in_(case_ids), Check.status.in_(FAILING))
            .group_by(Check.case_id)
        ).all()
    )
    return {
        case_id: Flags(case_id in overdue, int(failing.get(case_id, 0)))
        for case_id in set(case_ids) & (overdue | set(failing))
    }
