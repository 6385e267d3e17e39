"""The manual provider: an officer carries out the check and records the result through the API.

Submitting only gives the check a reference to quote; nothing is ever polled (poll_at None),
so the worker leaves the check IN_PROGRESS until the officer records PASSED or ADVERSE.
"""

from __future__ import annotations

from datetime import datetime

from vetting.adapters.providers.base import CheckRequest, Outcome, Submission, short_hash


class ManualProvider:
    name = "manual"

    @staticmethod
    def reference(request: CheckRequest) -> str:
        return f"MANUAL-{request.check}-{short_hash(request.case_id, request.check)}"

    def submit(self, request: CheckRequest, now: datetime) -> Submission:
        return Submission(self.reference(request), None)

    def poll(self, request: CheckRequest, reference: str, now: datetime) -> Outcome | None:
        return None  # only an officer knows the result
