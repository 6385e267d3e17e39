"""The access grant's lifecycle: the one table (access.domain.lifecycle) has a way out of every
state that is not final, and random sequences of vetting's news (granted, renewed, suspended,
reinstated, revoked, expired: duplicated, redelivered late, or first delivered after later
news), organisations ending their sponsorship, the prisons' decisions and time passing keep the
invariants after every step:

- a prison's REVOKED, REFUSED or EXCLUDED grant never changes (status, reason, who, when);
- the gate says ALLOWED only for a current ACTIVE grant whose clearance is live (as vetting
  last truly said, not as a late redelivery says) and in date (to the end of its last day);
- a person has at most one current grant, and one open request, per prison;
- no call answers 500.

On the in-process harness, embedded (SQLite): the transitions are the same SQL on PostgreSQL,
which the regression tests beside this one run too.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from access.domain import lifecycle
from access.domain.rules import last_day
from access.models import Grant
from shared.clock import ManualClock, end_of_london_day
from tests.support.access_harness import Access, clearance_granted
from tests.support.events import deliver
from tests.support.properties import property_settings

CODES = ("WWI", "BMI")
# Who acts at each prison: (security officer, head of security).
TEAM = {"WWI": ("officer", "head"), "BMI": ("other", "other_head")}
START = datetime(2027, 3, 20, 11, 0, tzinfo=UTC)  # a week before the clocks go forward
STUCK = {"REVOKED", "REFUSED", "EXCLUDED"}


def test_every_state_that_is_not_final_has_a_way_out_for_someone():
    for state in lifecycle.OPEN:
        ways = lifecycle.exits(state)
        assert ways, state
        assert any(set(t.roles) & set(lifecycle.TEAM) for t in ways), state
    for state in lifecycle.FINAL:
        # Closed: nothing moves it; news that would reopen it opens a new request beside it.
        assert lifecycle.exits(state) == [] or all(
            t.action == "erase" for t in lifecycle.exits(state)
        ), state
        assert lifecycle.permits("supersede", state)


def test_the_table_names_the_state_it_refuses_and_the_roles():
    with pytest.raises(Exception) as refused:
        lifecycle.require("approve", "REVOKED", {"security_officer"})
    assert "REVOKED" in str(refused.value)
    with pytest.raises(Exception) as forbidden:
        lifecycle.require("revoke", "ACTIVE", {"security_officer"})
    assert getattr(forbidden.value, "status", None) == 403


class GrantLifecycle(RuleBasedStateMachine):
    """One person, two prisons, one harness shared by every example (each a new person)."""

    harness: Access
    clock: ManualClock

    def __init__(self) -> None:
        super().__init__()
        self.person_id = str(uuid.uuid4())
        self.clock.set(START)
        # Vetting's truth: clearance id -> (status, suspension id); the person's live one.
        self.truth: dict[str, tuple[str, str | None]] = {}
        self.live: str | None = None
        self.granted: dict[str, dict[str, Any]] = {}  # clearance id -> its last granted event
        self.applications: list[str] = []
        self.sent: list[Any] = []  # envelopes delivered, for redelivery
        self.held: list[dict[str, Any]] = []  # news published but not yet delivered
        self.stuck: dict[str, tuple[Any, ...]] = {}

    # Vetting's news.
    def _send(self, event_type: str, data: dict[str, Any]) -> None:
        self.sent.append(self.harness.event(event_type, data))

    @rule(
        where=st.sampled_from([("WWI",), ("BMI",), CODES]),
        renewal=st.booleans(),
        years=st.integers(1, 3),
        lag=st.booleans(),
    )
    def clearance_granted(
        self, where: tuple[str, ...], renewal: bool, years: int, lag: bool
    ) -> None:
        application_id = str(uuid.uuid4())
        self.applications.append(application_id)
        live = self.live if self.live and self.truth[self.live][0] == "ACTIVE" else None
        if live and not renewal:
            # Another organisation's application served by the live clearance.
            data = {
                **self.granted[live],
                "application_id": application_id,
                "case_id": str(uuid.uuid4()),
                "establishments": list(where),
            }
            if lag:
                # The consumer is behind: this arrives after later news (held_news_arrives).
                self.held.append(data)
                return
        else:
            issued = self.clock.now()
            data = clearance_granted(
                person_id=self.person_id,
                establishments=where,
                application_id=application_id,
                issued_at=issued.isoformat(),
                expires_at=(issued + timedelta(days=365 * years)).isoformat(),
                replaces_clearance_id=self.live,
            )
            if self.live:
                self.truth[self.live] = ("SUPERSEDED", None)
            self.live = data["clearance_id"]
            self.truth[self.live] = ("ACTIVE", None)
        self.granted[data["clearance_id"]] = data
        self._send("vetting.clearance_granted", data)

    def _change(self, **extra: Any) -> dict[str, Any]:
        assert self.live is not None
        data = self.granted[self.live]
        return {
            "clearance_id": self.live,
            "application_id": data["application_id"],
            "person_id": self.person_id,
            **extra,
        }

    @precondition(lambda self: self.live and self.truth[self.live][0] == "ACTIVE")
    @rule()
    def clearance_suspended(self) -> None:
        suspension = str(uuid.uuid4())
        self.truth[self.live] = ("SUSPENDED", suspension)  # type: ignore[index]
        self._send(
            "vetting.clearance_suspended",
            self._change(
                reason="OFFICER_DECISION",
                suspended_at=self.clock.now().isoformat(),
                suspension_id=suspension,
            ),
        )

    @precondition(lambda self: self.live and self.truth[self.live][0] == "SUSPENDED")
    @rule()
    def clearance_reinstated(self) -> None:
        suspension = self.truth[self.live][1]  # type: ignore[index]
        self.truth[self.live] = ("ACTIVE", None)  # type: ignore[index]
        self._send(
            "vetting.clearance_reinstated",
            self._change(reinstated_at=self.clock.now().isoformat(), suspension_id=suspension),
        )

    @precondition(lambda self: self.live and self.truth[self.live][0] in ("ACTIVE", "SUSPENDED"))
    @rule(revoked=st.booleans())
    def clearance_closed(self, revoked: bool) -> None:
        status, field = ("REVOKED", "revoked_at") if revoked else ("EXPIRED", "expired_at")
        self.truth[self.live] = (status, None)  # type: ignore[index]
        self._send(
            f"vetting.clearance_{status.lower()}",
            self._change(**{field: self.clock.now().isoformat()}),
        )

    @precondition(lambda self: self.sent)
    @rule(data=st.data(), same_envelope=st.booleans())
    def redelivered(self, data: st.DataObject, same_envelope: bool) -> None:
        """An earlier event again, after later ones: the broker's redelivery (the same
        envelope) or a publisher's retry (the same news in a new envelope)."""
        envelope = data.draw(st.sampled_from(self.sent))
        if same_envelope:
            deliver(self.harness.platform, "access", envelope)
        else:
            self.harness.event(envelope.type, dict(envelope.data))

    @precondition(lambda self: self.held)
    @rule(data=st.data())
    def held_news_arrives(self, data: st.DataObject) -> None:
        held = data.draw(st.sampled_from(self.held))
        self.held.remove(held)
        self._send("vetting.clearance_granted", held)

    @precondition(lambda self: self.applications)
    @rule(data=st.data())
    def sponsorship_ended(self, data: st.DataObject) -> None:
        self._send(
            "application.sponsorship_ended",
            {
                "application_id": data.draw(st.sampled_from(self.applications)),
                "organisation_id": str(uuid.uuid4()),
                "reason_code": "OTHER",
                "ended_at": self.clock.now().isoformat(),
            },
        )

    # The prisons.
    @rule(
        code=st.sampled_from(CODES),
        action=st.sampled_from(
            [
                "approval",
                "refusal",
                "induction",
                "suspension",
                "reinstatement",
                "exclusion",
                "revocation",
                "ending",
            ]
        ),
        head=st.booleans(),
        history=st.booleans(),
    )
    def prison_decides(self, code: str, action: str, head: bool, history: bool) -> None:
        grants = self._rows(code)
        if not grants:
            return
        grant = grants[0] if history else grants[-1]
        who = TEAM[code][1 if head else 0]
        bodies: dict[str, dict[str, Any]] = {
            "approval": {"access_type": "ESCORTED"},
            "induction": {},
            "exclusion": {
                "reason": "Governor",
                "review_on": (self.clock.now() + timedelta(days=30)).date().isoformat(),
            },
        }
        if action == "induction":
            for item in (
                {"item": "SECURITY_BRIEFING"},
                {"item": "ID_BADGE", "badge_number": f"P-{uuid.uuid4().hex[:10]}"},
            ):
                self._call(grant.id, action, item, who)
            return
        self._call(grant.id, action, bodies.get(action, {"reason": "Because"}), who)

    def _call(self, grant_id: str, action: str, body: dict[str, Any], who: str) -> None:
        response = self.harness.call("POST", f"/grants/{grant_id}/{action}", who, json=body)
        assert response.status_code in (200, 403, 409, 422), (response.status_code, response.json)
        if response.status_code == 409:
            assert response.json["message"], response.json

    @rule(days=st.sampled_from([1, 29, 200, 400]))
    def time_passes(self, days: int) -> None:
        self.clock.advance(days=days)

    # What must always hold.
    def _rows(self, code: str) -> list[Grant]:
        with self.harness.platform.session_factory() as session:
            return list(
                session.execute(
                    select(Grant)
                    .where(Grant.person_id == self.person_id, Grant.establishment_code == code)
                    .order_by(Grant.opened_at, Grant.id)
                ).scalars()
            )

    @invariant()
    def decisions_stick(self) -> None:
        for code in CODES:
            for grant in self._rows(code):
                seen = (grant.status, grant.status_reason, grant.decided_by, grant.decided_at)
                if grant.id in self.stuck:
                    assert seen == self.stuck[grant.id], (grant.id, seen, self.stuck[grant.id])
                elif grant.status in STUCK:
                    self.stuck[grant.id] = seen

    @invariant()
    def one_current_grant_and_one_open_request(self) -> None:
        for code in CODES:
            rows = self._rows(code)
            assert sum(1 for g in rows if g.superseded_at is None) <= 1
            assert sum(1 for g in rows if g.status == "PENDING_REVIEW") <= 1
            assert all(g.status in lifecycle.FINAL for g in rows if g.superseded_at)

    @invariant()
    def the_gate_allows_only_what_it_should(self) -> None:
        moment = self.clock.now()
        for code in CODES:
            answer = self.harness.gate(code, TEAM[code][0], person=self.person_id)
            if not answer["allowed"]:
                continue
            [grant] = [g for g in self._rows(code) if g.superseded_at is None]
            assert grant.status == "ACTIVE" and grant.clearance_status == "ACTIVE"
            assert self.truth[grant.clearance_id][0] == "ACTIVE", self.truth
            assert grant.clearance_id == self.live
            assert moment <= end_of_london_day(
                last_day(grant.valid_until, grant.clearance_expires_at)
            )


def test_random_lives_keep_the_invariants(embedded):  # type: ignore[no-untyped-def]
    clock = ManualClock(START)
    GrantLifecycle.harness = Access(embedded["access"], clock=clock)
    GrantLifecycle.clock = clock
    try:
        run_state_machine_as_test(
            GrantLifecycle, settings=property_settings(12, stateful_step_count=18)
        )
    finally:
        GrantLifecycle.harness.platform.engine.dispose()
