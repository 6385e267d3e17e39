"""Works the checks in the consumer process, beside the event consumer: never in a web request.

A due check is claimed (its next_attempt_at pushed a lease ahead, committed) before the
provider is called, so a second runner skips it and a runner that dies mid-call leaves it due
again when the lease runs out. The provider is called outside any transaction; what it says is
applied in a new one: an answer always (one that comes after an officer's result is kept beside
it, and a disagreement reopens the assessment), a submission or a failure only if nobody (an
officer, another runner, a withdrawal) got there first. A runner that
is alive but loses the database keeps what the provider said and applies it once the database
is back, and goes on with the rest of its batch: giving up left every check of the batch
waiting out the lease, and asked the provider a second time (bench/chaos.py found it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select

from shared.clock import today
from shared.db import INFRASTRUCTURE_ERRORS
from shared.heartbeat import Heartbeat
from shared.platform import Platform
from vetting.adapters.providers import CheckProvider, Outcome, ProviderError, Submission
from vetting.domain.actors import SYSTEM
from vetting.domain.lifecycles.case import CLOSED, CaseState
from vetting.domain.lifecycles.check import CHECK, FINAL, CheckState, can
from vetting.domain.policy import Policy
from vetting.models import Check, VettingCase
from vetting.service_layer.checks import (
    backoff,
    check_request,
    complete,
    late_answer,
    refresh,
)

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=2)
SYSTEM_ROLES = frozenset({SYSTEM})
T = TypeVar("T")


@dataclass(frozen=True)
class RunnerSettings:
    batch_size: int = 20
    retry_base_s: float = 30.0
    retry_cap_s: float = 3600.0
    max_attempts: int = 6
    idle_wait_s: float = 0.5
    lease_s: float = LEASE.total_seconds()


class CheckRunner:
    def __init__(
        self,
        platform: Platform,
        policy: Policy,
        providers: dict[str, CheckProvider],
        settings: RunnerSettings,
    ) -> None:
        self.platform = platform
        self.policy = policy
        self.providers = providers
        self.settings = settings
        self._stop = threading.Event()
        self.heartbeat: Heartbeat | None = None  # its own process sets one (its liveness)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> None:
        while not self._stop.is_set():
            if self.heartbeat is not None:
                self.heartbeat.beat()
            try:
                worked = self.run_due()
            except Exception as exc:  # noqa: BLE001 - database away: try again shortly
                log.warning("check runner pass failed: %r", exc)
                worked = 0
                self._stop.wait(1.0)
            if worked == 0:
                self._stop.wait(self.settings.idle_wait_s)

    def run_due(self, moment: datetime | None = None) -> int:
        """Work every check due now (one batch). Returns how many were worked."""
        claimed = self._claim(moment or self.platform.clock.now())
        for check_id, started_as in claimed:
            self._work(check_id, started_as)
        return len(claimed)

    def _claim(self, moment: datetime) -> list[tuple[str, tuple[str, int]]]:
        with self.platform.session_factory.begin() as session:
            due = list(
                session.execute(
                    select(Check)
                    .where(Check.next_attempt_at <= moment)
                    .order_by(Check.next_attempt_at)
                    .limit(self.settings.batch_size)
                    .with_for_update(skip_locked=True)
                ).scalars()
            )
            for check in due:
                check.next_attempt_at = moment + timedelta(seconds=self.settings.lease_s)
            return [(check.id, (check.status, check.attempts)) for check in due]

    def _with_database(self, work: Callable[[], T]) -> T:
        """`work`, again after a pause for as long as the database is unreachable (unless the
        runner is stopping: then the lease hands the check to the next runner)."""
        delay = 0.1
        while True:
            try:
                return work()
            except INFRASTRUCTURE_ERRORS as exc:
                if self._stop.is_set():
                    raise
                log.warning("database unavailable, waiting %.1fs: %s", delay, type(exc).__name__)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)

    def _load(self, check_id: str) -> tuple[CheckProvider, Any, str, str | None] | None:
        with self.platform.session_factory() as session:
            check = session.get(Check, check_id)
            case = session.get(VettingCase, check.case_id) if check else None
            if check is None or case is None:
                return None
            request = check_request(case, check, today(self.platform.clock))
            return (self.providers[check.provider], request, check.status, check.provider_reference)

    def _work(self, check_id: str, started_as: tuple[str, int]) -> None:
        loaded = self._with_database(lambda: self._load(check_id))
        if loaded is None:
            return
        provider, request, status, reference = loaded
        outcome, submission, error = None, None, None
        try:
            if status == CheckState.IN_PROGRESS and reference:
                outcome = provider.poll(request, reference, self.platform.clock.now())
            else:
                submission = provider.submit(request, self.platform.clock.now())
        except ProviderError as exc:
            error = str(exc) or type(exc).__name__
        except Exception as exc:  # a provider bug: retried like a failure, then an officer's
            log.exception("check provider %s failed unexpectedly", provider.name)
            error = f"{type(exc).__name__}: {exc}"
        self._with_database(lambda: self._apply(check_id, started_as, outcome, submission, error))

    def _apply(
        self,
        check_id: str,
        started_as: tuple[str, int],
        outcome: Outcome | None,
        submission: Submission | None,
        error: str | None,
    ) -> None:
        """What the provider said, in a new transaction. An answer is never dropped: one
        for a check whose result is already in is kept beside it (checks.late_answer). A
        submission or a failure that another runner or an officer overtook is stale."""
        moment = self.platform.clock.now()
        with self.platform.unit_of_work() as uow:
            check = uow.session.execute(
                select(Check).where(Check.id == check_id).with_for_update()
            ).scalar_one_or_none()
            if check is None:
                return
            case = uow.session.execute(
                select(VettingCase).where(VettingCase.id == check.case_id).with_for_update()
            ).scalar_one()
            if case.status in CLOSED and case.status != CaseState.CLEARED:
                check.next_attempt_at = None  # withdrawn or refused: the result is not needed
            elif outcome is not None and check.status in FINAL:
                late_answer(uow, case, check, outcome, self.policy, moment)
            elif outcome is not None:
                CHECK.step(check.status, "answered", SYSTEM_ROLES, outcome.status)
                complete(uow, case, check, outcome, self.policy, moment)
            elif (check.status, check.attempts) != started_as or not can(
                check.status, "submitted" if submission else "provider_failed"
            ):
                return  # an officer retried it, or another runner got there first
            elif error is not None:
                self._failed(check, error, moment)
                refresh(uow.session, case, self.policy, moment)
            elif submission is not None:
                check.status = CHECK.step(check.status, "submitted", SYSTEM_ROLES).target
                check.provider_reference = submission.reference
                check.started_at = check.started_at or moment
                check.next_attempt_at = submission.poll_at
                refresh(uow.session, case, self.policy, moment)
            else:  # not ready yet: ask again later
                check.next_attempt_at = moment + timedelta(
                    seconds=max(self.settings.idle_wait_s, 1.0)
                )
            uow.commit()

    def _failed(self, check: Check, error: str, moment: datetime) -> None:
        check.error = error[:2000]
        check.attempts += 1
        if check.attempts >= self.settings.max_attempts:
            check.status = CHECK.step(check.status, "retries_exhausted", SYSTEM_ROLES).target
            check.next_attempt_at = None  # an officer's now
            log.warning("check %s gave up after %d attempts: %s", check.id, check.attempts, error)
        else:
            check.status = CHECK.step(check.status, "provider_failed", SYSTEM_ROLES).target
            check.next_attempt_at = moment + backoff(
                check.attempts, self.settings.retry_base_s, self.settings.retry_cap_s
            )
