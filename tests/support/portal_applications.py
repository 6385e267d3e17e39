"""Applications of the portal's organisations in the states the application pages show, made
through the organisations' API and vetting's events as they would arrive."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from applications.schemas.examples import sample_application
from tests.support.applications_api import deliver
from tests.support.clock import iso_now, now
from tests.support.portal_harness import Portal


def token_in(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def draft(
    portal: Portal,
    org: str = "A",
    *,
    forenames: str = "Aoife",
    surname: str = "Byrne",
    establishments: tuple[str, ...] = ("WWI", "BMI"),
) -> str:
    body = sample_application(establishments=establishments)
    body["applicant"].update(forenames=forenames, surname=surname)
    return str(portal.api.draft(body, org=org)["id"])


def submitted(portal: Portal, org: str = "A", **names: Any) -> str:
    application_id = draft(portal, org, **names)
    answer = portal.api.call("POST", f"/applications/{application_id}/submit", org=org)
    assert answer.status_code == 200, answer.json
    return application_id


def in_vetting(portal: Portal, org: str = "A", **names: Any) -> tuple[str, str]:
    """(application id, vetting's case id): submitted, and vetting opened its case."""
    application_id, case_id = submitted(portal, org, **names), str(uuid.uuid4())
    deliver(
        portal.platform,
        "vetting.case_opened",
        case_id=case_id,
        application_id=application_id,
        establishments=["WWI"],
        requested_access="ESCORTED",
        opened_at=iso_now(),
    )
    return application_id, case_id


def ask(portal: Portal, application_id: str, case_id: str, *, sensitive: bool = False) -> str:
    """Vetting asks for information (sensitive: the volunteer alone); the request's id."""
    request_id = str(uuid.uuid4())
    deliver(
        portal.platform,
        "vetting.info_request_announced",
        case_id=case_id,
        application_id=application_id,
        request_id=request_id,
        items=[
            {"question": "Where did the volunteer live in 2021?", "field": "applicant.addresses"},
            {"question": "Who can vouch for that?"},
        ],
        due_by=(now() + timedelta(days=14)).date().isoformat(),
        requested_at=iso_now(),
        sensitive=sensitive,
    )
    return request_id


def cleared(portal: Portal, org: str = "A", *, days: int = 3 * 365, **names: Any) -> str:
    """A cleared application whose clearance expires in `days` days."""
    application_id, case_id = in_vetting(portal, org, **names)
    deliver(
        portal.platform,
        "vetting.application_cleared",
        case_id=case_id,
        application_id=application_id,
        clearance_id=str(uuid.uuid4()),
        level="ENHANCED",
        access="ESCORTED",
        conditions=["ESCORTED_ONLY"],
        issued_at=iso_now(),
        expires_at=(now() + timedelta(days=days)).isoformat(),
    )
    return application_id


def refused(portal: Portal, org: str = "A", **names: Any) -> str:
    application_id, case_id = in_vetting(portal, org, **names)
    deliver(
        portal.platform,
        "vetting.clearance_refused",
        case_id=case_id,
        application_id=application_id,
        refused_at=iso_now(),
    )
    return application_id
