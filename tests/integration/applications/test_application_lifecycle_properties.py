"""Random sequences of what the organisation does to its applications (submit, withdraw, answer,
ask for reconsideration, end the sponsorship — and another organisation trying the same) and
of vetting's news (case opened, questions, clearances, refusals, revocations: twice, late, out of
order, crossing a withdrawal). After every step: every answer is one the table allows or a 4xx
naming the state, never a 5xx; every status change is a row of the lifecycle table; nothing
leaves a final state; a sponsorship ends at most once, is published exactly when the status
says so, and says whether a withdrawal crossed it; the organisation never sees why vetting
asked. Embedded SQLite (the PostgreSQL side of each finding is in the integration tests)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from hypothesis import Phase
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from applications.domain.lifecycle import APPLICATION, FINAL, STATES, WITHDRAWN
from shared.consumer import RetryLater
from tests.support.applications_api import (
    Client,
    deliver,
    organisations_api,
    published,
)
from tests.support.clock import iso_now, now
from tests.support.properties import property_settings

SECRET_REASON = "Undeclared conviction found by the checks"


def _news(platform: Any, event_type: str, **data: Any) -> None:
    """Hand the event over; one that asks to be retried later (it overtook the news it
    follows) is what the consumer would redeliver: lag, not a failure."""
    try:
        deliver(platform, event_type, **data)
    except RetryLater:
        pass


def _allowed(before: str, after: str) -> bool:
    return before == after or APPLICATION.allows(before, after)


def machine_for(client: Client, platform: Any) -> type[RuleBasedStateMachine]:
    class ApplicationLifecycle(RuleBasedStateMachine):
        applications = Bundle("applications")

        @initialize()
        def start(self) -> None:
            self.status: dict[str, str] = {}
            self.withdrawn: set[str] = set()
            self.clearance: dict[str, str] = {}
            self.requests: dict[str, list[str]] = {}

        def _read(self, app_id: str) -> dict[str, Any]:
            response = client.call("GET", f"/applications/{app_id}")
            assert response.status_code == 200
            assert SECRET_REASON not in response.get_data(as_text=True)
            return response.json

        def _step(self, app_id: str) -> None:
            before, after = self.status[app_id], self._read(app_id)["status"]
            assert after in STATES
            assert _allowed(before, after), f"{before} -> {after}"
            if before in FINAL:
                assert after in FINAL, f"{before} -> {after}"
            self.status[app_id] = after

        def _act(self, app_id: str, method: str, tail: str, body: Any = None) -> None:
            response = client.call(method, f"/applications/{app_id}{tail}", json=body)
            assert response.status_code < 500, response.json
            if response.status_code == 409 and "state" in response.json:
                assert response.json["state"] == self.status[app_id]
            if tail == "/withdraw" and response.status_code == 200:
                self.withdrawn.add(app_id)
            self._step(app_id)

        @rule(target=applications)
        def draft(self) -> str:
            app_id = client.draft()["id"]
            self.status[app_id] = "DRAFT"
            return app_id

        @rule(app_id=applications)
        def submit(self, app_id: str) -> None:
            self._act(app_id, "POST", "/submit")

        @rule(app_id=applications)
        def withdraw(self, app_id: str) -> None:
            self._act(app_id, "POST", "/withdraw", {"reason": "No longer able to come"})

        @rule(app_id=applications, code=st.sampled_from(["LEFT_ORGANISATION", "CONDUCT"]))
        def end_sponsorship(self, app_id: str, code: str) -> None:
            self._act(app_id, "POST", "/sponsorship-end", {"reason_code": code})

        @rule(app_id=applications)
        def another_organisation_tries(self, app_id: str) -> None:
            for tail, body in (
                ("/sponsorship-end", {"reason_code": "OTHER"}),
                ("/withdraw", {"reason": "Not ours to withdraw"}),
            ):
                response = client.call("POST", f"/applications/{app_id}{tail}", org="B", json=body)
                assert response.status_code == 404
            self._step(app_id)

        @rule(app_id=applications)
        def answer(self, app_id: str) -> None:
            for request_id in self.requests.get(app_id, [])[-1:]:
                self._act(
                    app_id,
                    "POST",
                    "/responses",
                    {"request_id": request_id, "answers": [{"answer": "An answer"}]},
                )

        @rule(app_id=applications)
        def reconsideration(self, app_id: str) -> None:
            self._act(app_id, "POST", "/reconsideration", {"grounds": "New references"})

        @rule(app_id=applications)
        def case_opened(self, app_id: str) -> None:
            _news(
                platform,
                "vetting.case_opened",
                case_id=str(uuid.uuid4()),
                application_id=app_id,
                establishments=["WWI"],
                requested_access="ESCORTED",
                opened_at=iso_now(),
            )
            self._step(app_id)

        @rule(app_id=applications, sensitive=st.booleans())
        def info_requested(self, app_id: str, sensitive: bool) -> None:
            request_id = uuid.uuid4().hex
            _news(
                platform,
                "vetting.info_requested",
                case_id=str(uuid.uuid4()),
                application_id=app_id,
                request_id=request_id,
                reason=SECRET_REASON,
                items=[{"question": "Which group?", "field": None}],
                sensitive=sensitive,
                requested_at=iso_now(),
            )
            if not sensitive:
                self.requests.setdefault(app_id, []).append(request_id)
            self._step(app_id)

        @rule(app_id=applications, again=st.booleans())
        def cleared(self, app_id: str, again: bool) -> None:
            clearance_id = (self.clearance.get(app_id) if again else None) or str(uuid.uuid4())
            self.clearance[app_id] = clearance_id
            _news(
                platform,
                "vetting.clearance_granted",
                case_id=str(uuid.uuid4()),
                application_id=app_id,
                clearance_id=clearance_id,
                level="ENHANCED",
                access="ESCORTED",
                conditions=[],
                establishments=["WWI"],
                issued_at=iso_now(),
                expires_at=(now() + timedelta(days=900)).isoformat(),
            )
            self._step(app_id)

        @rule(app_id=applications)
        def refused(self, app_id: str) -> None:
            _news(
                platform,
                "vetting.clearance_refused",
                case_id=str(uuid.uuid4()),
                application_id=app_id,
                refused_at=iso_now(),
            )
            self._step(app_id)

        @rule(app_id=applications)
        def revoked(self, app_id: str) -> None:
            if app_id in self.clearance:
                _news(
                    platform,
                    "vetting.clearance_revoked",
                    clearance_id=self.clearance[app_id],
                    application_id=app_id,
                    person_id=str(uuid.uuid4()),
                    revoked_at=iso_now(),
                )
                self._step(app_id)

        @invariant()
        def a_sponsorship_ends_once_and_says_how(self) -> None:
            if not hasattr(self, "status"):
                return
            ended: dict[str, list[dict[str, Any]]] = {}
            for data in published(platform, "application.sponsorship_ended"):
                ended.setdefault(data["application_id"], []).append(data)
            for app_id, status in self.status.items():
                events = ended.get(app_id, [])
                assert len(events) == (status == "SPONSORSHIP_ENDED"), (app_id, status)
                if events:
                    assert events[0]["from_withdrawal"] == (app_id in self.withdrawn)
                if status == WITHDRAWN:
                    assert app_id in self.withdrawn

    return ApplicationLifecycle


def test_the_application_lifecycle_holds_under_any_sequence(embedded):
    client, platform = organisations_api(embedded["applications"])
    try:
        # No shrinking: each step is API calls on a real database, and a failure's steps are
        # printed as they ran.
        run_state_machine_as_test(
            machine_for(client, platform),
            settings=property_settings(
                15, stateful_step_count=15, phases=(Phase.explicit, Phase.reuse, Phase.generate)
            ),
        )
    finally:
        platform.engine.dispose()
