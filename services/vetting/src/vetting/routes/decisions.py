"""What officers do to a case: clear, refuse (and countersign), ask for information, record a
manual check result, retry a check, complete a review."""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint

from shared.web.auth import staff_required
from vetting.domain.actors import MANAGER_ROLE
from vetting.domain.conditions import Terms
from vetting.models import Clearance
from vetting.routes.access_control import SECURITY, VETTING_ROLES, actor
from vetting.routes.request_context import now, platform, policy
from vetting.schemas.cases import CaseSchema, CheckSchema, InformationRequestSchema
from vetting.schemas.clearances import ClearanceSchema
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

blp = Blueprint(
    "decisions", __name__, url_prefix="/cases", description="Decisions by vetting officers."
)


def _case(case_id: str):
    with platform().session_factory() as session:
        return queries.case_view(session, case_id, now())


@blp.route("/<string:case_id>/clearance")
class Clear(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(ClearSchema)
    @blp.response(201, ClearanceSchema)
    @blp.alt_response(
        202,
        schema=CaseSchema,
        description=(
            "Against the risk summary: proposed, waiting for a manager's countersignature."
        ),
    )
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """Clear the case (level, conditions, why; the officer's conditions from the policy's
        list or in their words, fewer months, an earlier review date): emits
        vetting.clearance_granted (and vetting.clearance_announced, level and expiry for the
        people told). Against
        the risk summary's recommendation (REFER, REFUSE) or its conditions, this proposes
        the clearance instead: a manager who is not the proposer countersigns it."""
        with platform().unit_of_work() as uow:
            done = decisions.clear(
                uow,
                policy(),
                case_id,
                actor(),
                data["level"],
                data["conditions"],
                data["reason"],
                Terms(
                    tuple(data["condition_codes"]),
                    data["other_condition"],
                    data["validity_months"],
                    data["review_on"],
                ),
            )
            view = queries.clearance_view(done) if isinstance(done, Clearance) else None
            uow.commit()
        if view is not None:
            return view
        # A Response: the 201 schema above must not reshape the case.
        response = jsonify(CaseSchema().dump(_case(case_id)))
        response.status_code = 202
        return response


@blp.route("/<string:case_id>/clearance/countersignature")
class CountersignClearance(MethodView):
    decorators = [staff_required(MANAGER_ROLE)]

    @blp.arguments(CountersignSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """A manager who did not propose it confirms (the clearance is issued) or rejects a
        clearance proposed against the risk summary."""
        with platform().unit_of_work() as uow:
            decisions.countersign_clearance(
                uow, policy(), case_id, actor(), data["decision"] == "CONFIRM", data["note"]
            )
            uow.commit()
        return _case(case_id)


@blp.route("/<string:case_id>/refusal")
class Refuse(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(RefusalSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """Propose a refusal with reasons; it takes effect when a manager countersigns. On a
        reconsideration, uphold the refusal."""
        with platform().unit_of_work() as uow:
            decisions.propose_refusal(uow, policy(), case_id, actor(), data["reasons"])
            uow.commit()
        return _case(case_id)


@blp.route("/<string:case_id>/refusal/countersignature")
class Countersign(MethodView):
    decorators = [staff_required(MANAGER_ROLE)]

    @blp.arguments(CountersignSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """A second officer (manager role, not the proposer) confirms or rejects a refusal."""
        with platform().unit_of_work() as uow:
            decisions.countersign(
                uow, policy(), case_id, actor(), data["decision"] == "CONFIRM", data["note"]
            )
            uow.commit()
        return _case(case_id)


@blp.route("/<string:case_id>/information-requests")
class RequestInformation(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(InformationRequestInputSchema)
    @blp.response(201, InformationRequestSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """Ask the organisation for information: emits vetting.info_requested. A sensitive
        request goes to the volunteer alone, who answers the vetting team directly (recorded
        with .../answer)."""
        with platform().unit_of_work() as uow:
            request = decisions.request_information(
                uow,
                policy(),
                case_id,
                actor(),
                data["items"],
                data["reason"],
                data["due_by"],
                data["sensitive"],
            )
            view = {
                "id": request.id,
                "items": request.items,
                "reason": request.reason,
                "due_by": request.due_by,
                "requested_by": request.requested_by,
                "requested_at": request.requested_at,
                "sensitive": request.sensitive,
            }
            uow.commit()
        return view


@blp.route("/<string:case_id>/information-requests/<string:request_id>/answer")
class AnswerInformationRequest(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(InformationAnswerInputSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str, request_id: str):
        """Record the volunteer's answer to a sensitive request, received directly by the
        vetting team (the organisation never saw it): the request closes and, with none left
        open, the case goes back to where the request interrupted it. 409 if the request is
        already answered, or went to the organisation (it answers through the applications
        service)."""
        with platform().unit_of_work() as uow:
            information.record_answer(uow, policy(), case_id, request_id, actor(), data["answers"])
            uow.commit()
        return _case(case_id)


@blp.route("/<string:case_id>/checks/<string:check>/result")
class CheckResult(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(CheckResultSchema)
    @blp.response(200, CheckSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str, check: str):
        """Record a check's result by hand (manual provider, or a provider that keeps
        failing). A result already in is never overwritten."""
        with platform().unit_of_work() as uow:
            done = checks.record_result(
                uow,
                policy(),
                case_id,
                check.upper(),
                actor(),
                data["outcome"],
                data["summary"],
                data["records"],
            )
            view = queries.check_view(done)
            uow.commit()
        return view


@blp.route("/<string:case_id>/checks/<string:check>/retry")
class CheckRetry(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.response(200, CheckSchema)
    @blp.doc(security=SECURITY)
    def post(self, case_id: str, check: str):
        """Send a failed check back to its provider."""
        with platform().unit_of_work() as uow:
            done = checks.retry(uow, policy(), case_id, check.upper(), actor())
            view = queries.check_view(done)
            uow.commit()
        return view


@blp.route("/<string:case_id>/review")
class Review(MethodView):
    decorators = [staff_required(*VETTING_ROLES)]

    @blp.arguments(ReviewSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """Complete a review after a change of circumstances: CONTINUE, SUSPEND or REVOKE
        (managers only)."""
        with platform().unit_of_work() as uow:
            decisions.complete_review(
                uow, policy(), case_id, actor(), data["outcome"], data["reason"]
            )
            uow.commit()
        return _case(case_id)


@blp.route("/<string:case_id>/history/acknowledgement")
class AcknowledgeHistory(MethodView):
    decorators = [staff_required(MANAGER_ROLE)]

    @blp.arguments(ReasonSchema)
    @blp.response(200, CaseSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, case_id: str):
        """A vetting manager acknowledges the person's history shown on the case (a suspended
        or revoked clearance, a refusal, an establishment's exclusion or revocation): until
        then the case is neither cleared nor served an existing clearance."""
        with platform().unit_of_work() as uow:
            history.acknowledge(uow, case_id, actor(), data["reason"])
            uow.commit()
        return _case(case_id)
