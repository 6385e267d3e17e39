"""The vetting service in one process for tests: its API (test client, staff tokens), its event
handlers (deliver), its check runner (work), and what it published (outbox)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from applications.examples import sample_application
from shared.auth import StaffIdentity, StaffTokens
from shared.db import outbox_table
from shared.events import Envelope
from shared.web.app import create_web_app
from tests.integration.helpers import platform_for
from tests.integration.test_withdrawal_downstream import deliver
from vetting.models import VettingCase
from vetting.service import check_runner, definition

STAFF = {
    "officer": ("officer-ann", ("vetting_officer",)),
    "officer2": ("officer-bob", ("vetting_officer",)),
    "manager": ("manager-cat", ("vetting_manager",)),
    "manager2": ("manager-dev", ("vetting_manager",)),
    "security": ("sec-eve", ("security_officer",)),
}


def submitted_data(email: str | None = None, *, application_id: str | None = None,
                   organisation_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """application.submitted's data for the sample applicant (as the applications API sends)."""
    body = sample_application(email or f"v-{uuid.uuid4().hex[:8]}@example.org")
    applicant = body["applicant"]
    contact = applicant.pop("contact")
    details = {k: v for k, v in applicant.items()
               if k not in ("forenames", "surname", "middle_names", "date_of_birth")}
    details.update(overrides.pop("details", {}))
    data = {
        "application_id": application_id or str(uuid.uuid4()),
        "organisation_id": organisation_id or str(uuid.uuid4()),
        "applicant": {"forenames": applicant["forenames"], "surname": applicant["surname"],
                      "middle_names": applicant["middle_names"],
                      "date_of_birth": applicant["date_of_birth"], "email": contact["email"],
                      "mobile": contact["mobile"], "preferred_channel": "EMAIL",
                      "details": details},
        "role": body["role"], "establishments": body["establishments"],
        "requested_access": body["requested_access"], "frequency": body["frequency"],
        "submitted_at": datetime.now(UTC).isoformat(),
    }
    data.update(overrides)
    return data


class Vetting:
    def __init__(self, env: dict[str, str], **extra_env: str) -> None:
        self.platform = platform_for("vetting", {
            "VETTING_CHECK_RETRY_BASE_S": "0", **env, **extra_env})
        self.app = create_web_app(definition(), self.platform)
        self.client = self.app.test_client()
        self.tokens = StaffTokens(self.platform.settings.staff_token_secret, 3600)
        self.runner = check_runner(self.platform)

    def token(self, who: str) -> str:
        staff_id, roles = STAFF[who]
        return self.tokens.issue(StaffIdentity(staff_id, frozenset(roles)))

    def call(self, method: str, path: str, who: str | None = "officer", **kwargs: Any):  # type: ignore[no-untyped-def]
        headers = {"Authorization": f"Bearer {self.token(who)}"} if who else {}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def event(self, event_type: str, data: dict[str, Any]) -> Envelope:
        envelope = Envelope(type=event_type, version=1, source="applications",
                            subject=str(data["application_id"]), correlation_id="test",
                            data=self.platform.registry.validate(event_type, 1, data))
        deliver(self.platform, "vetting", envelope)
        return envelope

    def submit(self, email: str | None = None, **overrides: Any) -> str:
        data = submitted_data(email, **overrides)
        self.event("application.submitted", data)
        return data["application_id"]

    def work(self, at: datetime | None = None, rounds: int = 10) -> None:
        """Run the check runner until nothing more is due (at `at`, default now)."""
        for _ in range(rounds):
            if self.runner.run_due(at) == 0:
                return

    def case(self, application_id: str) -> dict[str, Any]:
        with self.platform.session_factory() as session:
            case_id = session.execute(select(VettingCase.id).where(
                VettingCase.application_id == application_id)).scalar_one()
        response = self.call("GET", f"/cases/{case_id}")
        assert response.status_code == 200, response.json
        return response.json

    def published(self, event_type: str | None = None) -> list[dict[str, Any]]:
        with self.platform.engine.connect() as connection:
            rows = connection.execute(select(outbox_table.c.event_type, outbox_table.c.body)
                                      .order_by(outbox_table.c.id)).all()
        return [{"type": t, **json.loads(body)["data"]} for t, body in rows
                if event_type is None or t == event_type]
