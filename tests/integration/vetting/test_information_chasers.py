"""Information requests past their "by when" date, worked by the daily sweep: chased exactly
once (vetting.information_chased, for the coordinator's email) however often the sweep runs,
and at once; lapsed to the officer's queue as overdue after the policy's grace period (the case
waits on the officer, the queue's badge shows); never a request answered, not yet due, without
a date or of a case that moved on. Each test runs on embedded SQLite and on real PostgreSQL
(the concurrent sweeps on PostgreSQL alone: SQLite has one writer)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from shared.clock import london_date
from tests.support.clock import now, today
from tests.support.vetting_harness import Vetting
from vetting.models import InformationRequest
from vetting.service_layer import information_chasers, queue_flags

GRACE = 10  # the default policy's information_requests.chase_grace_days


def _asked(vetting: Vetting, due_in_days: int | None, app_id: str | None = None) -> tuple[str, str]:
    """(application id, request id): a case waiting on an answer due in `due_in_days`."""
    if app_id is None:
        app_id = vetting.submit()
        vetting.work()
    case = vetting.case(app_id)
    due = None if due_in_days is None else (today() + timedelta(days=due_in_days)).isoformat()
    asked = vetting.call(
        "POST",
        f"/cases/{case['id']}/information-requests",
        json={
            "items": [{"question": "Where did you live in 2019?"}],
            "reason": "A gap.",
            "due_by": due,
        },
    )
    assert asked.status_code == 201, asked.json
    return app_id, asked.json["id"]


def _overdue(vetting: Vetting, app_id: str) -> bool:
    case_id = vetting.case(app_id)["id"]
    with vetting.platform.session_factory() as session:
        found = queue_flags.flags(session, [case_id], today()).get(case_id)
    return bool(found and found.information_overdue)


def test_chased_once_then_lapsed_to_the_officer_once(vetting):
    app_id, request_id = _asked(vetting, due_in_days=3)
    assert vetting.sweep_information() == {"chased": 0, "lapsed": 0}  # not due yet
    day_after = now() + timedelta(days=4)
    assert vetting.sweep_information(day_after) == {"chased": 1, "lapsed": 0}
    assert vetting.sweep_information(day_after) == {"chased": 0, "lapsed": 0}
    assert vetting.sweep_information(day_after + timedelta(hours=3)) == {"chased": 0, "lapsed": 0}
    [chased] = vetting.published("vetting.information_chased")
    assert chased["request_id"] == request_id and chased["application_id"] == app_id
    assert chased["due_by"] == (today() + timedelta(days=3)).isoformat()
    assert chased["sensitive"] is False
    lapses_on = london_date(day_after) + timedelta(days=GRACE)
    assert chased["lapses_on"] == lapses_on.isoformat()
    assert "items" not in chased and "reason" not in chased  # never the questions
    # Chased, not yet lapsed: still the applicant's to answer, no badge.
    case = vetting.case(app_id)
    assert (case["status"], case["waiting_on"]) == ("INFO_REQUESTED", "APPLICANT")
    assert not _overdue(vetting, app_id)
    assert vetting.sweep_information(day_after + timedelta(days=GRACE - 1)) == {
        "chased": 0,
        "lapsed": 0,
    }
    lapse_at = day_after + timedelta(days=GRACE)
    assert vetting.sweep_information(lapse_at) == {"chased": 0, "lapsed": 1}
    assert vetting.sweep_information(lapse_at) == {"chased": 0, "lapsed": 0}
    case = vetting.case(app_id)
    assert (case["status"], case["waiting_on"]) == ("INFO_REQUESTED", "OFFICER")
    assert _overdue(vetting, app_id)
    assert len(vetting.published("vetting.information_chased")) == 1
    with vetting.platform.session_factory() as session:
        request = session.get(InformationRequest, request_id)
        assert request is not None and request.chased_at and request.lapsed_at


def test_nothing_answered_undated_not_due_or_moved_on_is_chased(vetting):
    undated_app, _ = _asked(vetting, due_in_days=None)
    later_app, _ = _asked(vetting, due_in_days=30)
    answered_app, answered_id = _asked(vetting, due_in_days=1)
    withdrawn_app, _ = _asked(vetting, due_in_days=1)
    vetting.event(
        "application.info_provided",
        {
            "application_id": answered_app,
            "request_id": answered_id,
            "answers": [{"question": "Where did you live in 2019?", "answer": "Leeds"}],
            "provided_at": now().isoformat(),
        },
    )
    vetting.event(
        "application.withdrawn",
        {
            "application_id": withdrawn_app,
            "reason": "Moved away.",
            "withdrawn_at": now().isoformat(),
        },
    )
    assert vetting.case(answered_app)["status"] != "INFO_REQUESTED"
    assert vetting.case(withdrawn_app)["status"] == "WITHDRAWN"
    assert vetting.sweep_information(now() + timedelta(days=5)) == {"chased": 0, "lapsed": 0}
    assert vetting.published("vetting.information_chased") == []
    for app_id in (undated_app, later_app):
        assert vetting.case(app_id)["waiting_on"] == "APPLICANT"


def test_an_answer_after_the_lapse_takes_the_case_back_to_the_officer_as_before(vetting):
    app_id, request_id = _asked(vetting, due_in_days=1)
    vetting.sweep_information(now() + timedelta(days=2))
    vetting.sweep_information(now() + timedelta(days=2 + GRACE))
    vetting.event(
        "application.info_provided",
        {
            "application_id": app_id,
            "request_id": request_id,
            "answers": [{"question": "Where did you live in 2019?", "answer": "Leeds"}],
            "provided_at": now().isoformat(),
        },
    )
    case = vetting.case(app_id)
    assert case["status"] == "AWAITING_DECISION" and not _overdue(vetting, app_id)


@pytest.fixture
def postgres_vetting(real_env):
    harness = Vetting(real_env["vetting"])
    yield harness
    harness.platform.engine.dispose()


def test_sweeps_at_once_chase_each_request_exactly_once(postgres_vetting: Vetting):
    vetting = postgres_vetting
    requests = [_asked(vetting, due_in_days=1)[1] for _ in range(6)]
    moment = now() + timedelta(days=3)
    policy = vetting.platform.extras["policy"]
    start = threading.Barrier(4)
    totals: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            start.wait()
            with vetting.platform.unit_of_work() as uow:
                found = information_chasers.sweep(uow, policy, moment)
                uow.commit()
            totals.append(found)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(t["chased"] for t in totals) == len(requests)
    chased = vetting.published("vetting.information_chased")
    assert sorted(e["request_id"] for e in chased) == sorted(requests)
    # One still held by another transaction is skipped, and the next sweep chases it.
    with vetting.platform.session_factory() as session:
        session.execute(
            update(InformationRequest)
            .where(InformationRequest.id == requests[0])
            .values(chased_at=None)
        )
        session.commit()
    with vetting.platform.session_factory() as holder:
        holder.execute(
            select(InformationRequest).where(InformationRequest.id == requests[0]).with_for_update()
        ).all()
        assert vetting.sweep_information(moment)["chased"] == 0
        holder.rollback()
    assert vetting.sweep_information(moment)["chased"] == 1
