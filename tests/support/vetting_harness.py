"""The vetting service in one process for tests: its API (test client, staff tokens), its event
handlers (deliver), its check runner (work), and what it published (outbox)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from applications.schemas.examples import sample_application
from tests.support.clock import iso_now, now
from tests.support.service_harness import ServiceHarness
from vetting.adapters.providers import Outcome
from vetting.models import Check, VettingCase
from vetting.service import check_runner
from vetting.service_layer import information_chasers

STAFF = {
    "officer": ("officer-ann", ("vetting_officer",), ()),
    "officer2": ("officer-bob", ("vetting_officer",), ()),
    "manager": ("manager-cat", ("vetting_manager",), ()),
    "manager2": ("manager-dev", ("vetting_manager",), ()),
    "manager3": ("manager-fay", ("vetting_manager",), ()),
    "security": ("sec-eve", ("security_officer",), ("WWI",)),
    "auditor": ("aud-ida", ("auditor",), ()),
    "governor": ("gov-gil", ("governor",), ("WWI",)),
    "governor_elsewhere": ("gov-hal", ("governor",), ("MDI",)),
}


def submitted_data(
    email: str | None = None,
    *,
    application_id: str | None = None,
    organisation_id: str | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """application.submitted's data for the sample applicant (as the applications API sends)."""
    body = sample_application(email or f"v-{uuid.uuid4().hex[:8]}@example.org")
    applicant = body["applicant"]
    contact = applicant.pop("contact")
    details = {
        k: v
        for k, v in applicant.items()
        if k not in ("forenames", "surname", "middle_names", "date_of_birth")
    }
    details.update(overrides.pop("details", {}))
    data = {
        "application_id": application_id or str(uuid.uuid4()),
        "organisation_id": organisation_id or str(uuid.uuid4()),
        "applicant": {
            "forenames": applicant["forenames"],
            "surname": applicant["surname"],
            "middle_names": applicant["middle_names"],
            "date_of_birth": applicant["date_of_birth"],
            "email": contact["email"],
            "mobile": contact["mobile"],
            "preferred_channel": "EMAIL",
            "details": details,
        },
        "role": body["role"],
        "establishments": body["establishments"],
        "requested_access": body["requested_access"],
        "frequency": body["frequency"],
        "submitted_at": iso_now(),
    }
    data.update(overrides)
    return data


class Vetting(ServiceHarness):
    service = "vetting"
    staff = STAFF

    def __init__(self, env: dict[str, str], **extra_env: str) -> None:
        super().__init__({"VETTING_CHECK_RETRY_BASE_S": "0", **env}, **extra_env)
        self.runner = check_runner(self.platform)

    def submit(self, email: str | None = None, **overrides: Any) -> str:
        data = submitted_data(email, **overrides)
        self.event("application.submitted", data)
        return data["application_id"]

    def work(self, at: datetime | None = None, rounds: int = 10) -> None:
        """Run the check runner until nothing more is due (at `at`, default now)."""
        for _ in range(rounds):
            if self.runner.run_due(at) == 0:
                return

    def clear(
        self,
        application_id: str,
        body: dict[str, Any] | None = None,
        who: str = "officer",
        countersigner: str = "manager2",
    ) -> dict[str, Any]:
        """Clear the case as `who`; a clearance against the risk summary comes back for a
        manager's countersignature, which `countersigner` gives. The clearance."""
        path = f"/cases/{self.case(application_id)['id']}/clearance"
        response = self.call("POST", path, who=who, json=body or {"reason": "Fine."})
        if response.status_code == 202:
            signed = self.call(
                "POST",
                f"{path}/countersignature",
                who=countersigner,
                json={"decision": "CONFIRM", "note": "Agreed."},
            )
            assert signed.status_code == 200, signed.json
            clearance_id = self.case(application_id)["clearance_id"]
            response = self.call("GET", f"/clearances/{clearance_id}")
        assert response.status_code in (200, 201), response.json
        return response.json

    def sweep_information(self, at: datetime | None = None) -> dict[str, int]:
        """The daily sweep's information chasers, as of `at` (default now)."""
        with self.platform.unit_of_work() as uow:
            found = information_chasers.sweep(uow, self.platform.extras["policy"], at or now())
            uow.commit()
        return found

    def report_change(
        self, application_id: str, kind: str, details: dict[str, Any], report_id: str | None = None
    ) -> str:
        """application.circumstances_changed as the applications service sends it; the
        report's id."""
        report_id = report_id or str(uuid.uuid4())
        self.event(
            "application.circumstances_changed",
            {
                "application_id": application_id,
                "kind": kind,
                "details": details,
                "reported_at": iso_now(),
                "report_id": report_id,
            },
        )
        return report_id

    def provider_answers(
        self, application_id: str, check: str, status: str, detail: dict[str, Any]
    ) -> None:
        """A provider's answer reaching the runner after the check moved on (a call still in
        flight when the check failed for good, or was answered by hand)."""
        with self.platform.session_factory() as session:
            row = session.execute(
                select(Check)
                .join(VettingCase, VettingCase.id == Check.case_id)
                .where(VettingCase.application_id == application_id, Check.name == check)
            ).scalar_one()
            started_as = ("IN_PROGRESS", row.attempts)
        self.runner._apply(row.id, started_as, Outcome(status, detail), None, None)

    def case(self, application_id: str) -> dict[str, Any]:
        with self.platform.session_factory() as session:
            case_id = session.execute(
                select(VettingCase.id).where(VettingCase.application_id == application_id)
            ).scalar_one()
        response = self.call("GET", f"/cases/{case_id}")
        assert response.status_code == 200, response.json
        return response.json


def cleared(
    vetting: Vetting, email: str | None = None, **overrides: Any
) -> tuple[str, dict[str, Any]]:
    """Submit, work the checks, clear: (application id, clearance)."""
    app_id = vetting.submit(email or "same.person@example.org", **overrides)
    vetting.work()
    case = vetting.case(app_id)
    response = vetting.call(
        "POST", f"/cases/{case['id']}/clearance", json={"reason": "Nothing of concern."}
    )
    assert response.status_code == 201, response.json
    return app_id, response.json


def new_conviction(offence: str, days_ago: int = 20) -> dict[str, Any]:
    """A change of circumstances' details: a conviction `days_ago` days ago."""
    return {
        "kind": "CONVICTION",
        "offence": offence,
        "disposal": "FINE",
        "date": (now() - timedelta(days=days_ago)).date().isoformat(),
    }


NEW_ADDRESS = {
    "line1": "1 New Road",
    "town": "York",
    "postcode": "YO1 7HH",
    "from_date": "2026-01-01",
    "to_date": None,
}
