"""Vetting and access act on what the applications service tells them after submission."""

from __future__ import annotations

import uuid

from access.models import IncomingCase
from tests.support.clock import iso_now as now
from tests.support.events import deliver, envelope
from tests.support.platforms import count, platform_for, submitted_envelope
from vetting.models import CaseUpdate, VettingCase


def application_event(platform, event_type, application_id, **data):
    return envelope(platform.registry, event_type, {"application_id": application_id, **data})


def case_status(vetting, application_id):
    with vetting.session_factory() as session:
        return session.query(VettingCase).filter_by(application_id=application_id).one().status


def test_withdrawal_closes_the_vetting_case_and_clears_the_prisons_view(backend_env):
    vetting = platform_for("vetting", backend_env["vetting"])
    access = platform_for("access", backend_env["access"])
    submitted = submitted_envelope()
    app_id = submitted.subject
    deliver(vetting, "vetting", submitted)
    assert case_status(vetting, app_id) == "OPEN"
    deliver(
        access,
        "access",
        envelope(
            access.registry,
            "vetting.case_opened",
            {
                "case_id": str(uuid.uuid4()),
                "application_id": app_id,
                "establishments": ["WWI", "BMI"],
                "requested_access": "ESCORTED",
                "opened_at": now(),
            },
        ),
    )
    assert count(access, IncomingCase.__table__) == 2

    withdrawn = application_event(
        vetting, "application.withdrawn", app_id, reason="Moved away", withdrawn_at=now()
    )
    deliver(vetting, "vetting", withdrawn)
    deliver(vetting, "vetting", withdrawn)  # a duplicate changes nothing
    # Access hears of it without the reason (published with application.withdrawn).
    deliver(
        access,
        "access",
        application_event(access, "application.withdrawal_announced", app_id, withdrawn_at=now()),
    )
    assert case_status(vetting, app_id) == "WITHDRAWN"
    assert count(vetting, CaseUpdate.__table__) == 1
    assert count(access, IncomingCase.__table__) == 0


def test_answers_and_changes_reach_the_case(backend_env):
    vetting = platform_for("vetting", backend_env["vetting"])
    submitted = submitted_envelope()
    app_id = submitted.subject
    deliver(vetting, "vetting", submitted)
    deliver(
        vetting,
        "vetting",
        application_event(
            vetting,
            "application.info_provided",
            app_id,
            request_id="req-1",
            answers=[{"answer": "With my sister"}],
            provided_at=now(),
        ),
    )
    assert case_status(vetting, app_id) == "OPEN"
    deliver(
        vetting,
        "vetting",
        application_event(
            vetting,
            "application.circumstances_changed",
            app_id,
            kind="NEW_CONNECTION",
            details={"name": "X", "relationship": "brother", "establishment": "WWI"},
            reported_at=now(),
        ),
    )
    # Still being vetted: the change joins the case's data and its risk summary (a cleared
    # case would go back for review instead: see test_vetting_decisions).
    assert case_status(vetting, app_id) == "OPEN"
    with vetting.session_factory() as session:
        case = session.query(VettingCase).filter_by(application_id=app_id).one()
        assert case.applicant["details"]["connections"][-1]["name"] == "X"
        assert "EXCLUDE_ESTABLISHMENT:WWI" in case.risk["conditions"]
        kinds = sorted(u.kind for u in session.query(CaseUpdate))
    assert kinds == ["circumstances_changed", "info_provided"]
    # For an application vetting never saw, nothing happens (and nothing fails).
    deliver(
        vetting,
        "vetting",
        application_event(
            vetting, "application.withdrawn", str(uuid.uuid4()), reason="x y z", withdrawn_at=now()
        ),
    )
    assert count(vetting, CaseUpdate.__table__) == 2
