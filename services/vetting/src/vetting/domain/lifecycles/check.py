"""A check's lifecycle, in one table.

PENDING → IN_PROGRESS → PASSED | ADVERSE, worked by the check runner. A provider that fails
leaves the check in ERROR (retried with backoff), and FAILED once its retries are spent. The
automatic checks own their results: an officer records a result by hand only where no
provider answers (a manual-provider check, or an automatic one that FAILED for good), and a
record check (DBS, criminal record) typed in by hand needs a manager. A provider's answer that
arrives after a result is in is kept beside it ("late_answer"): an adverse one makes the check
ADVERSE, whatever was recorded.
"""

from __future__ import annotations

from enum import StrEnum

from shared.lifecycle import Machine, Transition
from vetting.domain.actors import MANAGER, STAFF, SYSTEM


class CheckState(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    ERROR = "ERROR"
    FAILED = "FAILED"
    PASSED = "PASSED"
    ADVERSE = "ADVERSE"


STATES = tuple(CheckState)
FINAL = (CheckState.PASSED, CheckState.ADVERSE)
# Worked by the runner: what a provider may still answer.
WAITING = (CheckState.PENDING, CheckState.IN_PROGRESS, CheckState.ERROR, CheckState.FAILED)
RESULTS = FINAL
RECORD_CHECKS = ("CRIMINAL_RECORD", "DBS")
MANUAL_PROVIDER = "manual"

_SYS = frozenset({SYSTEM})
_MGR = frozenset({MANAGER})
COMPLETED = ("vetting.check_completed",)


def _each(
    sources: tuple[str, ...],
    action: str,
    targets: tuple[str, ...],
    roles: frozenset[str],
    events: tuple[str, ...] = (),
) -> tuple[Transition, ...]:
    return tuple(Transition(s, action, t, roles, events) for s in sources for t in targets)


TRANSITIONS = (
    # The runner, for the provider.
    *_each(
        (CheckState.PENDING, CheckState.ERROR, CheckState.IN_PROGRESS),
        "submitted",
        (CheckState.IN_PROGRESS,),
        _SYS,
    ),
    *_each(
        (CheckState.PENDING, CheckState.IN_PROGRESS, CheckState.ERROR),
        "provider_failed",
        (CheckState.ERROR,),
        _SYS,
    ),
    *_each(
        (CheckState.PENDING, CheckState.IN_PROGRESS, CheckState.ERROR),
        "retries_exhausted",
        (CheckState.FAILED,),
        _SYS,
    ),
    # A provider's answer completes any check still waiting (one an officer sent back, too).
    *_each(WAITING, "answered", RESULTS, _SYS, COMPLETED),
    # After a result: the provider's answer is kept, and an adverse one stands.
    *_each((CheckState.PASSED,), "late_answer", RESULTS, _SYS),
    *_each((CheckState.ADVERSE,), "late_answer", (CheckState.ADVERSE,), _SYS),
    # Officers: send a failed check back to its provider, or record what no provider will.
    *_each((CheckState.FAILED,), "retried", (CheckState.PENDING,), STAFF),
    *_each((CheckState.PENDING,), "recorded_by_hand", RESULTS, STAFF, COMPLETED),
    *_each((CheckState.PENDING,), "record_check_recorded_by_hand", RESULTS, _MGR, COMPLETED),
    *_each((CheckState.FAILED,), "recorded_for_failed_provider", RESULTS, STAFF, COMPLETED),
    *_each(
        (CheckState.FAILED,), "record_check_recorded_for_failed_provider", RESULTS, _MGR, COMPLETED
    ),
)

CHECK = Machine("check", STATES, FINAL, TRANSITIONS)


def can(state: str, action: str) -> bool:
    """Whether the table lets the runner take `action` from `state` at all."""
    return any(t.action == action for t in CHECK.from_state(state))


def manual_action(check_name: str, provider: str) -> str:
    """Which officer's action recording `check_name` by hand is: the table then says from
    which state (PENDING for a manual provider, FAILED for an automatic one) and who may."""
    base = "recorded_by_hand" if provider == MANUAL_PROVIDER else "recorded_for_failed_provider"
    return f"record_check_{base}" if check_name in RECORD_CHECKS else base


def late_status(recorded: str, answered: str) -> str:
    """The check's status once a late answer is in: adverse if either says so."""
    return CheckState.ADVERSE if CheckState.ADVERSE in (recorded, answered) else recorded
