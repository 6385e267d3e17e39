"""A possible match, decided from the workbench: link the applicant to a person vetting knows
(asked twice: the case joins their record) or separate the two, with the API's use cases."""

from __future__ import annotations

from typing import Any

from flask import url_for
from wtforms.fields.choices import SelectChoice

from shared.audit import log as audit
from shared.audit.trail import record_read
from shared.errors import NotFound
from shared.frontdoor import signed_in
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.identity import CandidateStatus
from vetting.models import VettingCase
from vetting.schemas.decisions import IdentityDecisionSchema
from vetting.service_layer import identity_decisions, identity_view
from vetting.workbench.blueprint import bp, platform
from vetting.workbench.decision_pages import CASE_PAGE, GET_POST, Step, case_summary, decide, policy
from vetting.workbench.forms import IdentityForm


def _candidates(case_id: str) -> list[dict[str, Any]]:
    """The possible matches still open, with what the officer compares (a read of the
    people's records: audited like the API's case read)."""
    with platform().session_factory() as session:
        case = session.get(VettingCase, case_id)
        if case is None:
            raise NotFound()
        view = identity_view.view(session, case)
        record_read(
            session,
            "case",
            case_id,
            detail={"view": "identity"},
            by=(signed_in().subject, audit.STAFF),
        )
    return [c for c in view["candidates"] if c["status"] == CandidateStatus.OPEN]


def _name(candidate: dict[str, Any]) -> str:
    record = candidate.get("record") or {}
    name = " ".join(part for part in (record.get("forenames"), record.get("surname")) if part)
    born = record.get("date_of_birth")
    return f"{name or candidate['person_id']}{f', born {born}' if born else ''}"


def _identity(case_id: str, link: bool):
    case, candidates = case_summary(case_id), _candidates(case_id)
    form = IdentityForm()
    form.person_id.choices = [SelectChoice(c["person_id"], _name(c)) for c in candidates]

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        decide_on = identity_decisions.link if link else identity_decisions.separate
        decide_on(uow, policy(), case_id, data["person_id"], who, data["reason"])
        return (
            "Linked: the case is now on the person's record."
            if link
            else "Separated: this person will not be offered as a match again."
        )

    step = Step(
        "Link to a person vetting knows" if link else "Separate a possible match",
        "decide_identity.html",
        act,
        IdentityDecisionSchema(),
        confirm=(lambda _data: "Link the applicant to this person?") if link else None,
        button="Link" if link else "Separate",
    )
    context = {"case": case, "candidates": candidates, "link": link}
    return decide(step, form, back=url_for(CASE_PAGE, case_id=case_id), context=context)


@bp.route("/cases/<case_id>/identity/link", methods=GET_POST)
def link_identity(case_id: str):
    return _identity(case_id, link=True)


@bp.route("/cases/<case_id>/identity/separation", methods=GET_POST)
def separate_identity(case_id: str):
    return _identity(case_id, link=False)
