"""Random sequences of what organisations, officers, managers and the service's own consumers
do to cases and clearances — resubmissions of one person by two organisations, decisions,
suspensions, renewals, reinstatements, revocations, changes of circumstances, information
requests answered by the organisation or (sensitive) by the volunteer directly, events twice
and out of order — and after every step: at most one live clearance per person; no case
cleared or served over a history no manager acknowledged; no suspension undone except by a
reinstatement; the queue says truthfully who each case waits on; every state the cases and
clearances are in has a way out. Embedded SQLite (the database constraint's PostgreSQL twin
is in test_vetting_lifecycle_integrity)."""

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
from sqlalchemy import select

from tests.support.clock import iso_now, now
from tests.support.properties import property_settings
from tests.support.vetting_harness import Vetting, submitted_data
from vetting.domain.lifecycles.case import CASE, DECIDABLE, WAITING_ON
from vetting.domain.lifecycles.clearance import CLEARANCE, LIVE
from vetting.models import Clearance, VettingCase
from vetting.service_layer import history

ORGANISATIONS = [str(uuid.uuid4()) for _ in range(2)]
REASON = {"reason": "Decided on the evidence."}
SERIOUS = {
    "kind": "NEW_CONVICTION",
    "details": {
        "kind": "CONVICTION",
        "offence": "Conveying a mobile phone into a prison",
        "disposal": "SUSPENDED_SENTENCE",
    },
}


def machine_for(vetting: Vetting) -> type[RuleBasedStateMachine]:
    class VettingLifecycle(RuleBasedStateMachine):
        applications = Bundle("applications")

        @initialize()
        def people(self) -> None:
            tag = uuid.uuid4().hex[:8]
            # Two people per example, each submitted by either organisation.
            self.people = [f"{tag}{n}" for n in range(2)]
            self.person_of: dict[str, str] = {}
            self.events: list[tuple[str, dict[str, Any]]] = []
            self.reinstated: set[str] = set()
            self.suspended: set[str] = set()

        def _event(self, event_type: str, data: dict[str, Any]) -> None:
            vetting.event(event_type, data)
            self.events.append((event_type, data))

        def _case(self, app_id: str) -> dict[str, Any]:
            return vetting.case(app_id)

        def _clearance_of(self, app_id: str) -> str | None:
            """The live clearance of the application's person, if any."""
            with vetting.platform.session_factory() as session:
                person = session.execute(
                    select(VettingCase.person_id).where(VettingCase.application_id == app_id)
                ).scalar()
                return session.execute(
                    select(Clearance.id).where(
                        Clearance.person_id == person, Clearance.status.in_(LIVE)
                    )
                ).scalar()

        @rule(
            target=applications,
            who=st.sampled_from(range(2)),
            org=st.sampled_from(ORGANISATIONS),
            renew=st.booleans(),
        )
        def submit(self, who: int, org: str, renew: bool) -> str:
            tag = self.people[who]
            data = submitted_data(f"p{tag}@example.org", organisation_id=org)
            data["applicant"]["surname"] = f"Person-{tag}"
            data["applicant"]["details"]["identity_documents"][0]["number"] = f"P{tag}"
            earlier = [a for a, t in self.person_of.items() if t == tag]
            if renew and earlier:
                data["renewal_of"] = earlier[-1]
            self._event("application.submitted", data)
            self.person_of[data["application_id"]] = tag
            vetting.work()
            return data["application_id"]

        @rule(app=applications, who=st.sampled_from(["officer", "manager"]))
        def clear(self, app: str, who: str) -> None:
            case = self._case(app)
            response = vetting.call("POST", f"/cases/{case['id']}/clearance", who=who, json=REASON)
            assert response.status_code in (201, 202, 403, 409, 422), response.json

        @rule(app=applications)
        def countersign_clearance(self, app: str) -> None:
            case = self._case(app)
            response = vetting.call(
                "POST",
                f"/cases/{case['id']}/clearance/countersignature",
                who="manager2",
                json={"decision": "CONFIRM", "note": "Agreed."},
            )
            assert response.status_code in (200, 403, 409), response.json

        @rule(app=applications, confirm=st.booleans())
        def refuse(self, app: str, confirm: bool) -> None:
            case = self._case(app)
            proposed = vetting.call(
                "POST",
                f"/cases/{case['id']}/refusal",
                who="officer2",
                json={"reasons": ["Doubtful."]},
            )
            assert proposed.status_code in (200, 403, 409), proposed.json
            signed = vetting.call(
                "POST",
                f"/cases/{case['id']}/refusal/countersignature",
                who="manager3",
                json={"decision": "CONFIRM" if confirm else "REJECT", "note": "Agreed."},
            )
            assert signed.status_code in (200, 403, 409), signed.json

        @rule(app=applications)
        def acknowledge(self, app: str) -> None:
            case = self._case(app)
            response = vetting.call(
                "POST", f"/cases/{case['id']}/history/acknowledgement", who="manager", json=REASON
            )
            assert response.status_code in (200, 409), response.json

        @rule(
            app=applications,
            action=st.sampled_from(["suspension", "reinstatement", "revocation"]),
            who=st.sampled_from(["officer", "manager"]),
        )
        def change_clearance(self, app: str, action: str, who: str) -> None:
            clearance_id = self._clearance_of(app)
            if clearance_id is None:
                return
            response = vetting.call(
                "POST", f"/clearances/{clearance_id}/{action}", who=who, json=REASON
            )
            assert response.status_code in (200, 403, 409), response.json
            if response.status_code == 200 and action == "reinstatement":
                self.reinstated.add(clearance_id)

        @rule(
            app=applications,
            outcome=st.sampled_from(["CONTINUE", "SUSPEND", "REVOKE"]),
            who=st.sampled_from(["officer", "manager"]),
        )
        def review(self, app: str, outcome: str, who: str) -> None:
            case = self._case(app)
            before = self._clearance_of(app)
            response = vetting.call(
                "POST",
                f"/cases/{case['id']}/review",
                who=who,
                json={"outcome": outcome, "reason": "Reviewed."},
            )
            assert response.status_code in (200, 403, 409), response.json
            if response.status_code == 200 and outcome == "CONTINUE" and before:
                self.reinstated.add(before)

        @rule(app=applications)
        def change_of_circumstances(self, app: str) -> None:
            details = {
                **SERIOUS["details"],
                "date": (now() - timedelta(days=20)).date().isoformat(),
            }
            self._event(
                "application.circumstances_changed",
                {
                    "application_id": app,
                    "kind": SERIOUS["kind"],
                    "details": details,
                    "reported_at": iso_now(),
                },
            )

        @rule(app=applications)
        def reconsideration(self, app: str) -> None:
            self._event(
                "application.reconsideration_requested",
                {"application_id": app, "grounds": "Please look again.", "requested_at": iso_now()},
            )

        @rule(app=applications)
        def withdraw(self, app: str) -> None:
            self._event(
                "application.withdrawn",
                {
                    "application_id": app,
                    "reason": "No longer volunteering.",
                    "withdrawn_at": iso_now(),
                },
            )

        @rule(app=applications)
        def ask_then_answer(self, app: str) -> None:
            case = self._case(app)
            asked = vetting.call(
                "POST",
                f"/cases/{case['id']}/information-requests",
                json={"items": [{"question": "Why?"}], "reason": "Gap."},
            )
            assert asked.status_code in (201, 409), asked.json
            if asked.status_code == 201:
                self._event(
                    "application.info_provided",
                    {
                        "application_id": app,
                        "request_id": asked.json["id"],
                        "answers": [{"answer": "Because."}],
                        "provided_at": iso_now(),
                    },
                )

        @rule(app=applications)
        def ask_the_volunteer(self, app: str) -> None:
            """A sensitive request: the volunteer answers vetting directly, an officer records
            it (never the organisation)."""
            case = self._case(app)
            asked = vetting.call(
                "POST",
                f"/cases/{case['id']}/information-requests",
                json={
                    "items": [{"question": "About 2019?"}],
                    "reason": "A caution.",
                    "sensitive": True,
                },
            )
            assert asked.status_code in (201, 409), asked.json
            if asked.status_code == 201:
                path = f"/cases/{case['id']}/information-requests/{asked.json['id']}/answer"
                for expected in (200, 409):  # the second time: already answered
                    answered = vetting.call("POST", path, json={"answers": [{"answer": "Yes."}]})
                    assert answered.status_code == expected, answered.json

        @rule(data=st.data())
        def replay(self, data: st.DataObject) -> None:
            """An event again (a redelivery, or one overtaken by later news)."""
            if self.events:
                event_type, body = data.draw(st.sampled_from(self.events))
                vetting.event(event_type, body)

        @invariant()
        def one_live_clearance_per_person(self) -> None:
            with vetting.platform.session_factory() as session:
                people = (
                    session.execute(select(Clearance.person_id).where(Clearance.status.in_(LIVE)))
                    .scalars()
                    .all()
                )
            assert len(people) == len(set(people))

        @invariant()
        def no_history_passed_over(self) -> None:
            with vetting.platform.session_factory() as session:
                for case in session.execute(
                    select(VettingCase).where(VettingCase.clearance_id.is_not(None))
                ).scalars():
                    acknowledged = set((case.history_acknowledged or {}).get("keys") or ())
                    flags = {f"{f['kind']}:{f['ref']}" for f in case.history or ()}
                    assert flags <= acknowledged, (case.status, flags, acknowledged)

        @invariant()
        def suspensions_stick(self) -> None:
            with vetting.platform.session_factory() as session:
                rows = session.execute(select(Clearance.id, Clearance.status)).all()
            for clearance_id, status in rows:
                if status == "SUSPENDED":
                    self.suspended.add(clearance_id)
                elif clearance_id in self.suspended and clearance_id not in self.reinstated:
                    assert status in ("REVOKED", "EXPIRED"), (clearance_id, status)

        @invariant()
        def the_queue_says_who_it_waits_on(self) -> None:
            """A countersignature, or a decision held for a manager to see the person's
            history as it stands, waits on MANAGER; any other decision on OFFICER."""
            with vetting.platform.session_factory() as session:
                for case in session.execute(select(VettingCase)).scalars():
                    if case.status in ("REFUSAL_PENDING", "CLEARANCE_PENDING"):
                        expected = "MANAGER"
                    elif case.status in DECIDABLE:
                        seen = set((case.history_acknowledged or {}).get("keys") or ())
                        pending = {
                            f"{f['kind']}:{f['ref']}" for f in history.flags(session, case)
                        } - seen
                        expected = (
                            "MANAGER"
                            if pending and case.identity_status != "POSSIBLE_MATCH"
                            else "OFFICER"
                        )
                    elif case.status in CASE.final:
                        expected = None
                    else:
                        expected = (
                            WAITING_ON[case.status] if case.status != "OPEN" else case.waiting_on
                        )
                    assert case.waiting_on == expected, (case.status, case.waiting_on, case.history)

        @invariant()
        def every_state_has_a_way_out(self) -> None:
            with vetting.platform.session_factory() as session:
                cases = session.execute(select(VettingCase.status)).scalars().all()
                clearances = session.execute(select(Clearance.status)).scalars().all()
            assert all(s in CASE.final or CASE.exits(s) for s in cases)
            assert all(s in CLEARANCE.final or CLEARANCE.exits(s) for s in clearances)

    return VettingLifecycle


def test_cases_and_clearances_keep_their_invariants_under_any_sequence(embedded):
    vetting = Vetting(embedded["vetting"])
    try:
        # No shrinking: each step is API calls on a real database, and a failure's steps are
        # printed as they ran.
        run_state_machine_as_test(
            machine_for(vetting),
            settings=property_settings(
                12, stateful_step_count=12, phases=(Phase.explicit, Phase.reuse, Phase.generate)
            ),
        )
    finally:
        vetting.platform.engine.dispose()
