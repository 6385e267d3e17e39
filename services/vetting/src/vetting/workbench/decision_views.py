"""What officers and managers decide on a case, as forms: clear, refuse and countersign, ask
for information and record the volunteer's answer, record or retry a check, complete a review,
acknowledge the person's history. Each runs the use case its API route runs, with the route's
roles (decision_pages.decide)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from shared.clearance import clearance_label
from shared.errors import NotFound
from shared.uow import UnitOfWork
from vetting.domain.actors import Actor
from vetting.domain.conditions import Terms
from vetting.domain.lifecycles.check import RECORD_CHECKS
from vetting.models import Check, Clearance, InformationRequest
from vetting.schemas.decisions import (
    CheckResultSchema,
    ClearSchema,
    CountersignSchema,
    InformationAnswerInputSchema,
    InformationRequestInputSchema,
    ReasonSchema,
    RefusalSchema,
    ReviewSchema,
)
from vetting.service_layer import checks, decisions, history, information, queries
from vetting.workbench.blueprint import bp, is_manager, platform, require_manager
from vetting.workbench.decision_pages import CASE_PAGE, GET_POST, Step, case_summary, decide, policy
from vetting.workbench.forms import (
    AnswerForm,
    CheckResultForm,
    ClearForm,
    CountersignForm,
    InformationRequestForm,
    ReasonForm,
    RefusalForm,
    RetryForm,
    ReviewForm,
    choice_labels,
    condition_choices,
    managed_condition_choices,
)
from vetting.workbench.presenters import person_name


def _level_label(name: str) -> str:
    """ENHANCED_CTC -> "Level 4 (counter-terrorism)": never a DBS certificate's words."""
    return clearance_label(name)


def _back(case_id: str) -> str:
    return url_for(CASE_PAGE, case_id=case_id)


@bp.route("/cases/<case_id>/clear", methods=GET_POST)
def clear(case_id: str):
    case = case_summary(case_id)
    form = ClearForm()
    ranks = {level.name: level.rank for level in policy().levels}
    floor = ranks.get(case["required_level"] or "", 0)
    # Never below what the request needs (the use case refuses that too).
    levels = [level for level in policy().levels if level.rank >= floor]
    form.level.choices = [SelectChoice(level.name, _level_label(level.name)) for level in levels]
    form.conditions.choices = condition_choices(case["establishments"])
    form.condition_codes.choices = managed_condition_choices(policy().managed_conditions)
    if form.level.data is None:
        form.level.data = case["required_level"]

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        terms = Terms(
            tuple(data["condition_codes"]),
            data["other_condition"],
            data["validity_months"],
            data["review_on"],
        )
        done = decisions.clear(
            uow, policy(), case_id, who, data["level"], data["conditions"], data["reason"], terms
        )
        if isinstance(done, Clearance):
            return f"Case cleared: a clearance at {clearance_label(done.level)} is issued."
        return (
            "Clearance proposed. It goes against the risk summary, so it takes effect only "
            "when a vetting manager countersigns it."
        )

    step = Step("Clear the case", "decide_clear.html", act, ClearSchema(), button="Clear")
    hints = {
        level.name: f"{level.description} Valid for {level.validity_months} months."
        for level in levels
    }
    return decide(step, form, back=_back(case_id), context={"case": case, "hints": hints})


@bp.route("/cases/<case_id>/refusal", methods=GET_POST)
def propose_refusal(case_id: str):
    case = case_summary(case_id)

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        done = decisions.propose_refusal(uow, policy(), case_id, who, data["reasons"])
        if done.refusal:
            return "Refusal proposed: it takes effect when a vetting manager countersigns it."
        return "Refusal upheld on reconsideration."

    step = Step(
        "Propose a refusal",
        "decide_refusal.html",
        act,
        RefusalSchema(),
        confirm=lambda _data: f"Refuse {person_name(case['applicant_name'])}?",
    )
    return decide(step, RefusalForm(), back=_back(case_id), context={"case": case})


def _countersign(case_id: str, what: str):
    require_manager()
    case = case_summary(case_id)

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        confirm = data["decision"] == "CONFIRM"
        if what == "refusal":
            decisions.countersign(uow, policy(), case_id, who, confirm, data["note"])
            return "Refusal countersigned: it is in effect." if confirm else "Refusal rejected."
        done = decisions.countersign_clearance(uow, policy(), case_id, who, confirm, data["note"])
        if isinstance(done, Clearance):
            return (
                f"Clearance countersigned: a clearance at {clearance_label(done.level)} is issued."
            )
        return "Proposed clearance rejected: the case is back in the queue."

    step = Step(
        f"Countersign the {what}",
        f"decide_countersign_{what}.html",
        act,
        CountersignSchema(),
        # A refusal confirmed is sent to the organisation: asked twice.
        confirm=(
            (lambda data: "Confirm the refusal?" if data["decision"] == "CONFIRM" else None)
            if what == "refusal"
            else None
        ),
    )
    return decide(step, CountersignForm(), back=_back(case_id), context={"case": case})


@bp.route("/cases/<case_id>/refusal/countersignature", methods=GET_POST)
def countersign_refusal(case_id: str):
    return _countersign(case_id, "refusal")


@bp.route("/cases/<case_id>/clearance/countersignature", methods=GET_POST)
def countersign_clearance(case_id: str):
    return _countersign(case_id, "clearance")


@bp.route("/cases/<case_id>/information-requests", methods=GET_POST)
def request_information(case_id: str):
    case = case_summary(case_id)

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        decisions.request_information(
            uow,
            policy(),
            case_id,
            who,
            data["items"],
            data["reason"],
            data["due_by"],
            data["sensitive"],
        )
        return (
            "Information requested from the volunteer."
            if data["sensitive"]
            else "Information requested from the organisation."
        )

    step = Step(
        "Request information",
        "decide_information_request.html",
        act,
        InformationRequestInputSchema(),
        button="Send request",
    )
    form = InformationRequestForm()
    return decide(step, form, back=_back(case_id), context={"case": case})


@bp.route("/cases/<case_id>/information-requests/<request_id>/answer", methods=GET_POST)
def record_answer(case_id: str, request_id: str):
    case = case_summary(case_id)
    with platform().session_factory() as session:
        asked = session.get(InformationRequest, request_id)
        if asked is None or asked.case_id != case_id:
            raise NotFound()
        questions = [item.get("question") for item in asked.items or ()]

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        information.record_answer(uow, policy(), case_id, request_id, who, data["answers"])
        return "Answer recorded."

    step = Step(
        "Record the volunteer's answer",
        "decide_answer.html",
        act,
        InformationAnswerInputSchema(),
        button="Record answer",
    )
    context = {"case": case, "questions": questions, "reason": asked.reason}
    return decide(step, AnswerForm(), back=_back(case_id), context=context)


def _check(case_id: str, check: str) -> dict[str, Any]:
    with platform().session_factory() as session:
        row = session.execute(
            select(Check).where(Check.case_id == case_id, Check.name == check.upper())
        ).scalar_one_or_none()
        if row is None:
            raise NotFound()
        return queries.check_view(row)


@bp.route("/cases/<case_id>/checks/<check>/result", methods=GET_POST)
def record_check_result(case_id: str, check: str):
    case, found = case_summary(case_id), _check(case_id, check)

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        checks.record_result(
            uow,
            policy(),
            case_id,
            check.upper(),
            who,
            data["outcome"],
            data["summary"],
            data.get("records", []),
        )
        return f"{found['name'].replace('_', ' ').title()} check result recorded."

    step = Step("Record a check result", "decide_check_result.html", act, CheckResultSchema())
    context = {"case": case, "check": found, "record_check": found["name"] in RECORD_CHECKS}
    return decide(step, CheckResultForm(), back=_back(case_id), context=context)


@bp.route("/cases/<case_id>/checks/<check>/retry", methods=GET_POST)
def retry_check(case_id: str, check: str):
    case, found = case_summary(case_id), _check(case_id, check)

    def act(uow: UnitOfWork, who: Actor, _data: dict[str, Any]) -> str:
        checks.retry(uow, policy(), case_id, check.upper(), who)
        return f"{found['name'].replace('_', ' ').title()} check sent back to its provider."

    step = Step("Retry a check", "decide_retry.html", act, button="Retry the check")
    return decide(step, RetryForm(), back=_back(case_id), context={"case": case, "check": found})


@bp.route("/cases/<case_id>/review", methods=GET_POST)
def review(case_id: str):
    case = case_summary(case_id)
    form = ReviewForm()
    if not is_manager():  # only a manager may revoke (the use case refuses it too)
        form.outcome.choices = [
            SelectChoice(value, label)
            for value, label in choice_labels(form.outcome).items()
            if value != "REVOKE"
        ]

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        decisions.complete_review(uow, policy(), case_id, who, data["outcome"], data["reason"])
        return "Review completed."

    step = Step("Complete the review", "decide_review.html", act, ReviewSchema())
    return decide(step, form, back=_back(case_id), context={"case": case})


@bp.route("/cases/<case_id>/history/acknowledgement", methods=GET_POST)
def acknowledge_history(case_id: str):
    require_manager()
    case = case_summary(case_id)

    def act(uow: UnitOfWork, who: Actor, data: dict[str, Any]) -> str:
        history.acknowledge(uow, case_id, who, data["reason"])
        return "History acknowledged: the case can be decided on its merits."

    step = Step("Acknowledge the person's history", "decide_history.html", act, ReasonSchema())
    return decide(step, ReasonForm(), back=_back(case_id), context={"case": case})
