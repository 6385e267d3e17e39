"""Actions on an application: submit, withdraw, renew, answer vetting, report changes, ask for
a refusal to be reconsidered."""

from __future__ import annotations

from typing import cast

from flask import g, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from applications.routes.app_context import (
    contact_links,
    establishments,
    platform,
    readiness_policy,
)
from applications.schemas.applications import (
    ApplicationSchema,
    ApplicationSummarySchema,
    ChangeResultSchema,
    ChangeSchema,
    ConfirmationRequestSchema,
    ConfirmationSentSchema,
    NotReadySchema,
    ReconsiderationSchema,
    ResponseSchema,
    SponsorshipEndSchema,
    WithdrawSchema,
)
from applications.service_layer import contacts, drafts, sponsorship, submission
from shared.web.auth import organisation_required
from shared.web.errors import ErrorSchema, error_body

blp = Blueprint(
    "application-actions",
    __name__,
    url_prefix="/applications",
    description="What an organisation can do with an application.",
)
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


@blp.route("/<string:application_id>/submit")
class Submit(MethodView):
    decorators = [organisation_required]

    @blp.alt_response(
        200,
        schema=ApplicationSummarySchema,
        description="Submitted (GET the application for its timeline).",
    )
    # Not ready (the problems), or the usual field errors (an Idempotency-Key reused).
    @blp.alt_response(
        422, schema={"anyOf": [NotReadySchema, ErrorSchema]}, description="Not ready: the problems."
    )
    @blp.doc(
        security=SECURITY,
        parameters=[
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "Retries with the same key return the first response.",
            }
        ],
    )
    def post(self, application_id: str):
        """Submit a ready draft for vetting (emits application.submitted, and
        application.received for the acknowledgement)."""
        key = request.headers.get("Idempotency-Key", "").strip()[:200] or None
        known = establishments()  # before the unit of work: SQLite allows one transaction
        with platform().unit_of_work() as uow:
            result = submission.submit(
                uow,
                g.organisation_id,
                application_id,
                establishments=known,
                policy=readiness_policy(),
                links=contact_links(),
                idempotency_key=key,
            )
            if result.submitted:
                uow.commit()
        if not result.submitted:
            response = jsonify(
                {
                    **error_body(
                        422, "The application is not ready to submit: fix the problems listed."
                    ),
                    **submission.readiness_view(result.problems),
                }
            )
            response.status_code = 422
            return response
        return jsonify(result.summary)


@blp.route("/<string:application_id>/withdraw")
class Withdraw(MethodView):
    decorators = [organisation_required]

    @blp.arguments(WithdrawSchema)
    @blp.response(200, ApplicationSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, application_id: str):
        """Withdraw an open application, with a reason (vetting and access are told)."""
        with platform().unit_of_work() as uow:
            application = submission.withdraw(
                uow, g.organisation_id, application_id, data["reason"]
            )
            uow.commit()
            return drafts.application_view(uow.session, application)


@blp.route("/<string:application_id>/sponsorship-end")
class SponsorshipEnd(MethodView):
    decorators = [organisation_required]

    @blp.arguments(SponsorshipEndSchema)
    @blp.response(200, ApplicationSchema)
    @blp.alt_response(
        409, description="Not cleared, or the clearance is already revoked or expired."
    )
    @blp.doc(security=SECURITY)
    def post(self, data, application_id: str):
        """Stop sponsoring a cleared volunteer (emits application.sponsorship_ended: the
        prisons end or review the grants that rest only on this organisation)."""
        with platform().unit_of_work() as uow:
            application = sponsorship.end_sponsorship(
                uow, g.organisation_id, application_id, data["reason_code"], data["note"]
            )
            uow.commit()
            return drafts.application_view(uow.session, application)


@blp.route("/<string:application_id>/contact-confirmations")
class ContactConfirmations(MethodView):
    decorators = [organisation_required]

    @blp.arguments(ConfirmationRequestSchema)
    @blp.response(202, ConfirmationSentSchema)
    @blp.alt_response(
        409, description="Not submitted, closed, or the channel is already confirmed."
    )
    @blp.doc(security=SECURITY)
    def post(self, data, application_id: str):
        """Send the volunteer a new confirmation link (EMAIL) or code (SMS); earlier ones for
        that channel stop working."""
        with platform().unit_of_work() as uow:
            sent = contacts.ask_again(
                uow, g.organisation_id, application_id, data["channel"], contact_links()
            )
            uow.commit()
        return sent


@blp.route("/<string:application_id>/renewals")
class Renewals(MethodView):
    decorators = [organisation_required]

    @blp.response(201, ApplicationSchema)
    @blp.doc(security=SECURITY)
    def post(self, application_id: str):
        """Start a renewal: a new draft pre-filled from this cleared application."""
        with platform().unit_of_work() as uow:
            draft = submission.start_renewal(uow, g.organisation_id, application_id)
            uow.commit()
            return drafts.application_view(uow.session, draft)


@blp.route("/<string:application_id>/responses")
class Responses(MethodView):
    decorators = [organisation_required]

    @blp.arguments(ResponseSchema)
    @blp.response(200, ApplicationSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, application_id: str):
        """Answer vetting's request for information."""
        with platform().unit_of_work() as uow:
            application = submission.answer_request(
                uow, g.organisation_id, application_id, data["request_id"], data["answers"]
            )
            uow.commit()
            return drafts.application_view(uow.session, application)


@blp.route("/<string:application_id>/changes")
class Changes(MethodView):
    decorators = [organisation_required]

    @blp.arguments(ChangeSchema)
    @blp.response(201, ChangeResultSchema)
    @blp.doc(security=SECURITY)
    def post(self, data, application_id: str):
        """Report a change of circumstances on a cleared applicant (vetting reviews it)."""
        section = {
            "NEW_CONVICTION": "conviction",
            "NEW_CONNECTION": "connection",
            "CHANGE_OF_ADDRESS": "address",
        }[data["kind"]]
        schema = cast(fields.Nested, ChangeSchema().fields[section]).schema
        with platform().unit_of_work() as uow:
            result = submission.report_change(
                uow, g.organisation_id, application_id, data["kind"], schema.dump(data[section])
            )
            uow.commit()
        return result


@blp.route("/<string:application_id>/reconsideration")
class Reconsideration(MethodView):
    decorators = [organisation_required]

    @blp.arguments(ReconsiderationSchema)
    @blp.response(200, ApplicationSchema)
    @blp.alt_response(
        409, description="Not refused, or a reconsideration was already asked for (once only)."
    )
    @blp.doc(security=SECURITY)
    def post(self, data, application_id: str):
        """Ask, once, for a refusal to be reconsidered, with grounds (vetting reviews it)."""
        with platform().unit_of_work() as uow:
            application = submission.request_reconsideration(
                uow, g.organisation_id, application_id, data["grounds"]
            )
            uow.commit()
            return drafts.application_view(uow.session, application)
