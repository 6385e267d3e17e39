"""The gate's answers as a Prometheus counter, by outcome and reason: a spike of refusals at one
prison is what a security team is alerted to (a badge printer fault, a wave of revocations, or
someone trying badges)."""

from __future__ import annotations

from flask import current_app

from access.domain.rules import GateResult
from shared.web.metrics import count


def count_gate_answer(result: GateResult) -> None:
    count(
        current_app,
        "gate_answers_total",
        "Gate check answers by outcome and reason",
        outcome="allowed" if result.allowed else "refused",
        reason=result.reason,
    )
