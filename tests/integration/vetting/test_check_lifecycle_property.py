"""A check's lifecycle under random sequences of what the provider says (submissions,
failures, answers, stale and repeated messages, answers that come late) and what officers do
(record by hand, as an officer or a manager; retry), on the in-process harness. After every
step: the check is in a state its table knows; an officer's result got in only where no provider
would answer; no provider answer was dropped; an adverse answer is never outweighed; the
assessment counts what the provider found."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from tests.support.clock import now, today
from tests.support.properties import property_settings
from tests.support.vetting_harness import Vetting
from vetting.adapters.providers import Outcome, Submission
from vetting.adapters.providers.simulated import UNDECLARED_OFFENCE
from vetting.domain.lifecycles.check import CHECK, FINAL
from vetting.models import Check, VettingCase

MAX_ATTEMPTS = 2
NAME = "CRIMINAL_RECORD"  # a record check: by hand, a manager's


def _found() -> dict[str, Any]:
    return {
        "offence": UNDECLARED_OFFENCE,
        "kind": "CONVICTION",
        "disposal": "FINE",
        "source": "PNC",
        "date": today().replace(year=today().year - 1).isoformat(),
    }


class CheckLifecycle(RuleBasedStateMachine):
    def __init__(self, vetting: Vetting) -> None:
        super().__init__()
        self.vetting = vetting
        self.app_id = vetting.submit(f"p-{uuid.uuid4().hex[:8]}@example.org")
        with vetting.platform.session_factory() as session:
            self.case_id, self.check_id = session.execute(
                select(VettingCase.id, Check.id)
                .join(Check, Check.case_id == VettingCase.id)
                .where(VettingCase.application_id == self.app_id, Check.name == NAME)
            ).one()
        # What the test expects, kept apart from the service's own logic.
        self.status = "PENDING"
        self.attempts = 0
        self.by_hand = False
        self.answers: list[str] = []  # every provider answer, in the order given

    def _row(self) -> Check:
        with self.vetting.platform.session_factory() as session:
            row = session.get(Check, self.check_id)
            assert row is not None
            session.expunge(row)
            return row

    def _apply(
        self,
        outcome: Outcome | None = None,
        submission: Submission | None = None,
        error: str | None = None,
        started_as: tuple[str, int] | None = None,
    ) -> None:
        self.vetting.runner._apply(
            self.check_id, started_as or (self.status, self.attempts), outcome, submission, error
        )

    def _working(self) -> bool:
        """The runner claims only a check something is due on: a provider's own message
        comes for one of these (any other is stale: stale_message)."""
        return self.status in ("PENDING", "IN_PROGRESS", "ERROR")

    @precondition(_working)
    @rule()
    def provider_accepts(self) -> None:
        self._apply(
            submission=Submission(f"REF-{uuid.uuid4().hex[:6]}", now() + timedelta(seconds=5))
        )
        self.status = "IN_PROGRESS"

    @precondition(_working)
    @rule()
    def provider_fails(self) -> None:
        self._apply(error="The provider is unavailable.")
        self.attempts += 1
        self.status = "FAILED" if self.attempts >= MAX_ATTEMPTS else "ERROR"

    @rule(adverse=st.booleans())
    def provider_answers(self, adverse: bool) -> None:
        detail = (
            {"records": [_found()], "summary": "The PNC found 1 record."}
            if adverse
            else {"records": [], "summary": "The PNC found nothing."}
        )
        was_final = self.status in FINAL
        self._apply(outcome=Outcome("ADVERSE" if adverse else "PASSED", detail))
        self.answers.append("ADVERSE" if adverse else "PASSED")
        row = self._row()
        if not was_final:
            self.status = self.answers[-1]
            assert row.result == detail and row.recorded_by is None
        else:
            if adverse:
                self.status = "ADVERSE"
            # Kept beside the result, unless the provider repeats its own result.
            repeat = not self.by_hand and row.result == detail
            assert repeat or (row.late_answer or {}).get("detail") == detail, (
                row.result,
                row.late_answer,
            )

    @rule(kind=st.sampled_from(["submission", "error"]))
    def stale_message(self, kind: str) -> None:
        """A message from a call another runner or an officer has overtaken: ignored."""
        stale = (self.status, self.attempts + 7)
        if kind == "submission":
            self._apply(submission=Submission("REF-STALE", now()), started_as=stale)
        else:
            self._apply(error="Stale failure.", started_as=stale)

    @rule(who=st.sampled_from(["officer", "manager"]), adverse=st.booleans())
    def records_by_hand(self, who: str, adverse: bool) -> None:
        response = self.vetting.call(
            "POST",
            f"/cases/{self.case_id}/checks/{NAME.lower()}/result",
            who=who,
            json={
                "outcome": "ADVERSE" if adverse else "PASSED",
                "summary": "By hand.",
                "records": [{k: v for k, v in _found().items() if k != "source"}]
                if adverse
                else [],
            },
        )
        if self.status != "FAILED":
            assert response.status_code == 409, response.json
            assert response.json["errors"] == {"status": [f"The check is {self.status}."]}
        elif who == "officer":
            assert response.status_code == 403, response.json
        else:
            assert response.status_code == 200, response.json
            self.status, self.by_hand = ("ADVERSE" if adverse else "PASSED"), True

    @rule(who=st.sampled_from(["officer", "manager"]))
    def retries(self, who: str) -> None:
        response = self.vetting.call(
            "POST", f"/cases/{self.case_id}/checks/{NAME.lower()}/retry", who=who
        )
        if self.status == "FAILED":
            assert response.status_code == 200, response.json
            self.status, self.attempts = "PENDING", 0
        else:
            assert response.status_code == 409, response.json

    @invariant()
    def the_service_agrees_and_nothing_is_dropped(self) -> None:
        row = self._row()
        assert row.status in CHECK.states
        assert row.status == self.status, (row.status, self.status, self.answers)
        if self.status not in FINAL:
            assert bool(CHECK.exits(row.status)), row.status
        assert (row.recorded_by is not None) == self.by_hand
        if "ADVERSE" in self.answers and self.status in FINAL:
            assert row.status == "ADVERSE"

    @invariant()
    def the_assessment_counts_what_the_provider_found(self) -> None:
        row = self._row()
        if row.status != "ADVERSE" or not self.vetting_found_something(row):
            return
        case = self.vetting.case(self.app_id)
        assert case["risk"]["recommendation"] in ("REFER", "REFUSE"), case["risk"]

    @staticmethod
    def vetting_found_something(row: Check) -> bool:
        late = (row.late_answer or {}).get("detail") or {}
        return bool((row.result or {}).get("records") or late.get("records"))


def test_a_checks_lifecycle_under_random_provider_and_officer_moves(embedded):
    vetting = Vetting(embedded["vetting"], VETTING_CHECK_MAX_ATTEMPTS=str(MAX_ATTEMPTS))
    try:
        run_state_machine_as_test(
            lambda: CheckLifecycle(vetting), settings=property_settings(25, stateful_step_count=10)
        )
    finally:
        vetting.platform.engine.dispose()
