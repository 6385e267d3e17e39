"""The four services in process for the fuzz: each app on a migrated platform, a little real
data seeded through the service's own API and handlers, and who may call which operation.

Fuzzing unauthenticated would only ever reach the 401 guard; each operation is called as a
caller who may use it, so generated input reaches validation and the service layer behind it.
The seeded ids are offered to the generator as path and query values (see `known`), so some
calls reach real records and their state machines instead of a 404.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from applications.schemas.examples import sample_application
from shared.auth import StaffIdentity
from shared.web.roles import AUDITOR, DATA_PROTECTION_OFFICER
from tests.support.access_harness import Access
from tests.support.clock import iso_now
from tests.support.identity import TestTokens
from tests.support.service_harness import ServiceHarness
from tests.support.vetting_harness import Vetting

ESTABLISHMENTS = ("WWI", "BMI")
NOTIFY_CALLBACK_TOKEN = "fuzz-notify-callback-token"


@dataclass
class FuzzTarget:
    service: str
    app: Flask
    platform: Any
    # The Authorization header value for an operation, by (method, path template).
    authorise: Callable[[str, str], str]
    # Seeded values by parameter name, offered for path and query parameters of that name.
    known: dict[str, list[str]] = field(default_factory=dict)


Credential = str | Callable[[], str]


def staff_token(
    tokens: TestTokens, role: str, establishments: tuple[str, ...] = ()
) -> Callable[[], str]:
    """The header for a staff caller, minted when asked (a fuzz run outlives a token)."""
    identity = StaffIdentity(f"fuzz-{role}", frozenset({role}), frozenset(establishments))
    return lambda: f"Bearer {tokens.issue(identity)}"


def _by_path(tokens: TestTokens, default: Credential) -> Callable[[str, str], str]:
    """The service's own role for its API; the shared doors for the auditor and the DPO."""
    auditor = staff_token(tokens, AUDITOR)
    dpo = staff_token(tokens, DATA_PROTECTION_OFFICER)

    def authorise(_method: str, path: str) -> str:
        if path == "/audit":
            return auditor()
        if path == "/subject-access-request":
            return dpo()
        return default() if callable(default) else default

    return authorise


def applications_target(env: Mapping[str, str]) -> FuzzTarget:
    from applications.service_layer import organisations

    harness = _Harness("applications", env)
    platform = harness.platform
    with platform.unit_of_work() as uow:
        org = organisations.create_organisation(uow, "Fuzz intergroup", "NA", "c@example.org")
        uow.commit()
    with platform.unit_of_work() as uow:
        key = f"Bearer {organisations.issue_api_key(uow, org.id, platform.settings.api_key_pepper)}"
        uow.commit()
    client = harness.client
    ids = []
    for submit in (True, False):
        created = client.post(
            "/applications", json=sample_application(), headers={"Authorization": key}
        )
        assert created.status_code == 201, created.json
        ids.append(created.json["id"])
        if submit:
            submitted = client.post(
                f"/applications/{ids[-1]}/submit", headers={"Authorization": key}
            )
            assert submitted.status_code == 200, submitted.json
    staff = _by_path(harness.tokens, key)
    return FuzzTarget(
        "applications", harness.app, platform, staff, {"application_id": ids, "person": ids}
    )


def vetting_target(env: Mapping[str, str]) -> FuzzTarget:
    vetting = Vetting(dict(env))
    application_ids = [vetting.submit(), vetting.submit(), vetting.submit()]
    vetting.work()
    cases = [vetting.case(a) for a in application_ids]
    cleared = vetting.call(
        "POST",
        f"/cases/{cases[0]['id']}/clearance",
        "manager",
        json={"reason": "Nothing of concern."},
    )
    assert cleared.status_code == 201, cleared.json
    # A sensitive request waiting for the volunteer's direct answer (on a case of its own).
    asked = vetting.call(
        "POST",
        f"/cases/{cases[2]['id']}/information-requests",
        "manager",
        json={
            "items": [{"question": "Tell us about 2019."}],
            "reason": "Unclear.",
            "sensitive": True,
        },
    )
    assert asked.status_code == 201, asked.json
    manager = staff_token(vetting.tokens, "vetting_manager")
    people = [c["person_id"] for c in cases if c.get("person_id")]
    return FuzzTarget(
        "vetting",
        vetting.app,
        vetting.platform,
        _by_path(vetting.tokens, manager),
        {
            "case_id": [c["id"] for c in cases],
            "clearance_id": [cleared.json["id"]],
            "check": list(cases[1]["checks"]),
            "request_id": [asked.json["id"]],
            "person": [*people, *application_ids],
        },
    )


def access_target(env: Mapping[str, str]) -> FuzzTarget:
    access = Access(dict(env))
    pending = access.grant_clearance(establishments=ESTABLISHMENTS)
    active = access.grant_clearance(establishments=("WWI",))
    active_grant = access.grant_id(active["person_id"])
    access.activate(active_grant, badge="FUZZ-1")
    visit = access.call(
        "POST", "/establishments/WWI/visits", "officer", json={"person_id": active["person_id"]}
    ).json
    head = staff_token(access.tokens, "head_of_security", ESTABLISHMENTS)
    people = [pending["person_id"], active["person_id"]]
    return FuzzTarget(
        "access",
        access.app,
        access.platform,
        _by_path(access.tokens, head),
        {
            "code": list(ESTABLISHMENTS),
            "grant_id": [access.grant_id(pending["person_id"]), active_grant],
            "person_id": people,
            "person": people,
            "badge": ["FUZZ-1"],
            "visit_id": [visit["id"]],
        },
    )


def notifications_target(env: Mapping[str, str]) -> FuzzTarget:
    from sqlalchemy import select

    from notifications.models import Notification

    notes = _Harness(
        "notifications",
        env,
        NOTIFICATIONS_QUIET_HOURS="",
        NOTIFICATIONS_NOTIFY_CALLBACK_TOKEN=NOTIFY_CALLBACK_TOKEN,
    )
    from tests.support.notifications_harness import contacts_data

    application_id = str(uuid.uuid4())
    notes.event("application.contacts_recorded", contacts_data(application_id, channel="SMS"))
    notes.event(
        "application.received",
        {"application_id": application_id, "establishments": ["WWI"], "submitted_at": iso_now()},
    )
    with notes.platform.session_factory() as session:
        notification_ids = list(session.execute(select(Notification.id)).scalars())
    assert notification_ids, "application.received made no notification to fuzz with"
    by_path = _by_path(notes.tokens, staff_token(notes.tokens, "operator"))

    def authorise(method: str, path: str) -> str:
        if path == "/callbacks/notify":
            return f"Bearer {NOTIFY_CALLBACK_TOKEN}"
        return by_path(method, path)

    return FuzzTarget(
        "notifications",
        notes.app,
        notes.platform,
        authorise,
        {
            "application_id": [application_id],
            "person": [application_id],
            "notification_id": [str(i) for i in notification_ids],
            "id": [str(i) for i in notification_ids],
            "reference": [str(i) for i in notification_ids],
        },
    )


class _Harness(ServiceHarness):
    """The shared harness for a service that needs no helpers of its own here."""

    staff: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}

    def __init__(self, service: str, env: Mapping[str, str], **extra_env: str) -> None:
        self.service = service
        super().__init__(dict(env), **extra_env)


TARGETS: dict[str, Callable[[Mapping[str, str]], FuzzTarget]] = {
    "applications": applications_target,
    "vetting": vetting_target,
    "access": access_target,
    "notifications": notifications_target,
}
