"""Logs never carry special-category or personal values, and erasure leaves
nothing of a person anywhere (point 3).

The whole system runs as real processes on PostgreSQL and RabbitMQ. One application carries a
unique sentinel in every personal and special-category field (names, date of birth, contact
details, addresses, referees, declared convictions, connections with people in custody) and is
driven through submission, the checks (one recorded by hand), a request for information and its
answer, a refusal and its countersignature, reconsideration, clearance, a change of
circumstances, an establishment's approval, induction, the gate and a suspension; a second is
withdrawn. Every officer's and organisation's free text is a sentinel too.

The failure paths that most often leak values into logs are provoked on purpose: invalid drafts
(422), a draft that is not ready (422), an event whose handler fails on the database (the
consumer logs the exception, and a database error's text carries the statement's parameters),
an event whose payload is invalid, an event of a version nobody knows (the consumer logs part
of the raw message), a mail server that refuses a recipient and says who (as real ones do), and
an operator's search by email address (a query string in the web access log).

Then every line of every process's output, and every file under the stack's var/, is scanned for
every sentinel, case-insensitively: there must be none. Excluded are the delivery channels only
(see DELIVERY_CHANNELS): the SMS log channel's file and the mail folder are the messages
themselves, addressed to the person, not logs.

Before the stack stops, both applicants are erased (one by the organisation, one by the data
protection officer) and the test waits until all four services have reported; the gate then
refuses the person as ENDED. After the log scan, every table of every database and every message
waiting on the broker (dead-letter queues included) is searched for the two people's sentinels,
with encrypted values and sealed audit reasons opened by any key still held: none may be left.

Enumerated values (fellowship, disposal, document type) cannot be sentinels (they are shared by
everyone and appear in codes and words everywhere); ids (application, case, person, badge
number) are pseudonymous and may be logged.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from kombu import Connection

from devstack.stack import Stack
from shared.config import load_settings
from shared.events.vocabulary import publisher_of
from shared.messaging.topology import SERVICES, Topology
from tests.support import cli_json, wait_for
from tests.support.clock import iso_now, today
from tests.support.erasure_scan import broker_hits, database_hits
from tests.support.network import free_port
from tests.support.sentinel_people import Sentinels, application
from tests.support.stack_client import STACK_ENV, get, staff_token

# Sentinels of people other than the two applicants erased at the end (the organisation's
# coordinator; the invented people of the provoked failures and of the drafts never submitted).
NOT_ERASED = ("coordinator", "invalid", "unready", "unknown_field", "dblong", "badevent", "future")

# Files under var/ that are delivery channels, not logs: what they hold is the message itself,
# on its way to the person it is addressed to (and so it must name them).
DELIVERY_CHANNELS = (
    "messages.jsonl",  # the SMS log channel (notifications.adapters.channels.log): the texts "sent"
    "mail",  # the development mail folder (`make run`'s SMTP sink): the emails
)


# -- the stack: PostgreSQL, RabbitMQ, and a mail server that names the recipient it refuses ---


@dataclass
class RefusingInbox:
    """Accepts every message except those to `refused`, which it refuses at RCPT naming the
    address, as Postfix does ("550 5.1.1 <a@b>: Recipient address rejected")."""

    refused: set[str]

    def __post_init__(self) -> None:
        self.accepted: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        with self.lock:
            self.accepted.append(envelope.content)
        return "250 OK"


@pytest.fixture
def sentinels() -> Sentinels:
    return Sentinels()


@pytest.fixture
def stack(
    real_env: Mapping[str, dict[str, str]], sentinels: Sentinels, tmp_path: Path
) -> Iterator[Stack]:
    coordinator = sentinels.email("coordinator_email")
    inbox = RefusingInbox(refused={coordinator.lower()})
    smtp_port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    ports = {service: free_port() for service in SERVICES}
    try:
        with Stack(
            var_dir=tmp_path / "var",
            service_env=real_env,
            ports=ports,
            smtp_port=smtp_port,
            base_env={
                **STACK_ENV,
                # The record checks wait for an officer, who types what they found.
                "VETTING_MANUAL_CHECKS": "CRIMINAL_RECORD,DBS",
                # SMS through the log channel: a delivery channel file under var/.
                "NOTIFICATIONS_SMS_CHANNEL": "log",
            },
        ) as running:
            running.start()
            running.wait_ready()
            yield running
    finally:
        controller.stop()


# -- driving it ------------------------------------------------------------------------------


def call(
    stack: Stack,
    method: str,
    service: str,
    path: str,
    credential: str,
    body: Any = None,
    expect: tuple[int, ...] = (200, 201),
) -> requests.Response:
    response = requests.request(
        method,
        stack.url(service) + path,
        json=body,
        timeout=15,
        headers={"Authorization": f"Bearer {credential}"},
    )
    assert response.status_code in expect, (method, path, response.status_code, response.text)
    return response


def publish_raw(stack: Stack, service: str, body: str) -> None:
    """Put a message straight into a service's inbox queue, as a faulty publisher might (the
    event type's own: one broker user plays every service in this stack)."""
    env = stack.env_for(service)
    settings = load_settings(service, env)
    queue = Topology(settings).inbox_name(service)
    with Connection(settings.broker_url) as connection:
        connection.Producer().publish(
            body,
            exchange="",
            routing_key=queue,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=str(uuid.uuid4()),
            headers={},
            retry=True,
            user_id=settings.broker_user(publisher_of(json.loads(body)["type"])),
        )


def envelope(
    event_type: str, data: dict[str, Any], *, version: int = 1, data_first: bool = False
) -> tuple[str, str]:
    """A message body (and its id). `data_first` puts the data before the envelope's own fields,
    as another producer's serializer may: a log of the first N characters then holds values."""
    event_id = str(uuid.uuid4())
    head = {
        "id": event_id,
        "type": event_type,
        "version": version,
        "source": "applications",
        "occurred_at": iso_now(),
        "correlation_id": str(uuid.uuid4()),
        "causation_id": None,
        "subject": str(uuid.uuid4()),
    }
    body = {"data": data, **head} if data_first else {**head, "data": data}
    return json.dumps(body), event_id


def test_no_log_line_carries_a_personal_or_special_category_value(
    stack: Stack, sentinels: Sentinels
):
    s = sentinels
    org = cli_json(
        stack.cli(
            "applications",
            "create-organisation",
            "--name",
            "Sentinel Intergroup",
            "--fellowship",
            "NA",
            "--coordinator-email",
            s.values["coordinator_email"],
        )
    )
    key = cli_json(stack.cli("applications", "create-api-key", org["organisation_id"]))["api_key"]
    officer = staff_token(stack, "vetting", "vetting_officer")
    manager = staff_token(stack, "vetting", "vetting_manager")
    second_officer = staff_token(stack, "vetting", "vetting_officer", staff_id="officer-two")
    second_manager = staff_token(stack, "vetting", "vetting_manager", staff_id="manager-two")
    security = staff_token(stack, "access", "security_officer", "WWI")
    operator = staff_token(stack, "notifications", "operator")

    # -- failure paths first: their effects are waited for at the end -------------------------
    # 422s: marshmallow errors for a draft that breaks the schema...
    bad = application(s, "invalid")
    bad["applicant"]["contact"]["email"] = s.text("invalid_email_typed")
    bad["applicant"]["addresses"][0]["postcode"] = s.text("invalid_postcode_typed")
    bad["applicant"]["contact"]["mobile"] = s.text("invalid_mobile_typed")
    bad["applicant"][s.text("unknown_field_name")] = s.text("unknown_field_value")
    call(stack, "POST", "applications", "/applications", key, bad, expect=(422,))
    # ...and readiness problems for one that is not ready.
    unready = application(s, "unready")
    del unready["applicant"]["referees"]
    unready["applicant"]["addresses"][1]["from_date"] = today().isoformat()
    draft = call(stack, "POST", "applications", "/applications", key, unready).json()
    call(stack, "POST", "applications", f"/applications/{draft['id']}/submit", key, expect=(422,))

    # A handler fails on the database: a mobile number longer than the recipients column
    # (the event contract does not bound it). PostgreSQL refuses it; the error's text carries
    # the INSERT's parameters, names and email among them. Retried, then dead-lettered.
    too_long = application(s, "dblong")["applicant"]
    db_event, db_event_id = envelope(
        "application.contacts_recorded",
        {
            "application_id": str(uuid.uuid4()),
            "organisation_id": org["organisation_id"],
            "volunteer": {
                "forenames": too_long["forenames"],
                "surname": too_long["surname"],
                "email": too_long["contact"]["email"],
                "mobile": "07700 900123 ext " + s.text("dblong_mobile_extension"),
                "email_confirmed": True,
                "mobile_confirmed": False,
                "preferred_channel": "SMS",
                "opted_out": [],
            },
            "coordinator": {"email": s.email("dblong_coordinator_email")},
            "recorded_at": iso_now(),
        },
    )
    publish_raw(stack, "notifications", db_event)
    # An invalid payload (schema errors), dead-lettered at once.
    invalid_payload = application(s, "badevent")["applicant"]
    invalid_event, invalid_event_id = envelope(
        "application.submitted",
        {
            "application_id": "not-a-uuid",
            "organisation_id": org["organisation_id"],
            "applicant": {
                "forenames": invalid_payload["forenames"],
                "surname": invalid_payload["surname"],
                "email": s.text("badevent_not_an_email"),
                "preferred_channel": "PIGEON",
            },
            "role": s.text("badevent_role"),
            "establishments": [s.text("badevent_establishment")],
            "requested_access": "ESCORTED",
            "frequency": "REGULAR",
            "submitted_at": "yesterday",
            s.text("badevent_extra_key"): s.text("badevent_extra"),
        },
    )
    publish_raw(stack, "notifications", invalid_event)
    # A version nobody knows yet, its data first: acknowledged and logged.
    future = application(s, "future")["applicant"]
    future_event, _ = envelope(
        "application.submitted",
        {
            "applicant": {
                "forenames": future["forenames"],
                "surname": future["surname"],
                "email": future["contact"]["email"],
            }
        },
        version=9,
        data_first=True,
    )
    publish_raw(stack, "vetting", future_event)

    # -- the journey --------------------------------------------------------------------------
    body = application(s, "main")
    draft = call(stack, "POST", "applications", "/applications", key, body).json()
    application_id = draft["id"]
    call(stack, "POST", "applications", f"/applications/{application_id}/submit", key)

    def case_when(*statuses: str) -> dict[str, Any]:
        def found() -> dict[str, Any] | None:
            items = get(
                stack, "vetting", f"/cases?application_id={application_id}", officer
            ).json()["items"]
            return items[0] if items and items[0]["status"] in statuses else None

        try:
            return wait_for(found, timeout=90, message=f"case {statuses}")
        except AssertionError:
            items = get(
                stack, "vetting", f"/cases?application_id={application_id}", officer
            ).json()["items"]
            detail = items and get(stack, "vetting", f"/cases/{items[0]['id']}", officer).json()
            raise AssertionError(f"case not {statuses}: {detail}") from None

    case = case_when("OPEN", "AWAITING_DECISION")

    def record_checks_waiting() -> list[str] | None:
        detail = get(stack, "vetting", f"/cases/{case['id']}", officer).json()
        waiting = [
            c["name"] for c in detail["checks_detail"] if c["name"] in ("CRIMINAL_RECORD", "DBS")
        ]
        return waiting if len(waiting) == 2 else None

    # The record checks are worked by hand: a manager (as record checks typed in by hand
    # need) types what the records say.
    for check in wait_for(record_checks_waiting, message="the manual record checks"):
        call(
            stack,
            "POST",
            "vetting",
            f"/cases/{case['id']}/checks/{check}/result",
            manager,
            {
                "outcome": "ADVERSE",
                "summary": s.text(f"{check}_result_summary"),
                "records": [
                    {
                        "offence": s.text(f"{check}_result_offence"),
                        "date": "2010-05-01",
                        "disposal": s.text(f"{check}_result_disposal"),
                    }
                ],
            },
        )
    case = case_when("AWAITING_DECISION")

    request = call(
        stack,
        "POST",
        "vetting",
        f"/cases/{case['id']}/information-requests",
        officer,
        {
            "items": [{"question": s.text("info_question"), "field": "declarations"}],
            "reason": s.text("info_reason"),
        },
    ).json()

    def view() -> dict[str, Any]:
        return get(stack, "applications", f"/applications/{application_id}", key).json()

    wait_for(lambda: view()["status"] == "INFO_REQUESTED", message="information requested")
    call(
        stack,
        "POST",
        "applications",
        f"/applications/{application_id}/responses",
        key,
        {"request_id": request["id"], "answers": [{"answer": s.text("info_answer")}]},
    )
    case = case_when("AWAITING_DECISION")

    call(
        stack,
        "POST",
        "vetting",
        f"/cases/{case['id']}/refusal",
        officer,
        {"reasons": [s.text("refusal_reason")]},
    )
    call(
        stack,
        "POST",
        "vetting",
        f"/cases/{case['id']}/refusal/countersignature",
        manager,
        {"decision": "CONFIRM", "note": s.text("countersignature_note")},
    )
    wait_for(lambda: view()["status"] == "REFUSED", message="refused")
    call(
        stack,
        "POST",
        "applications",
        f"/applications/{application_id}/reconsideration",
        key,
        {"grounds": s.text("reconsideration_grounds")},
    )
    case = case_when("RECONSIDERATION")
    # Against the risk summary: proposed, then countersigned by a manager outside the refusal.
    call(
        stack,
        "POST",
        "vetting",
        f"/cases/{case['id']}/clearance",
        second_officer,
        {"conditions": ["ESCORTED_ONLY"], "reason": s.text("clearance_reason")},
        expect=(202,),
    )
    call(
        stack,
        "POST",
        "vetting",
        f"/cases/{case['id']}/clearance/countersignature",
        second_manager,
        {"decision": "CONFIRM", "note": s.text("countersignature_note")},
    )
    wait_for(lambda: view()["status"] == "CLEARED", message="cleared")
    clearance_id = get(stack, "vetting", f"/cases/{case['id']}", officer).json()["clearance_id"]

    def queued() -> dict[str, Any] | None:
        items = get(stack, "access", "/establishments/WWI/queue", security).json()["items"]
        return items[0] if items else None

    grant_id = wait_for(queued, message="access request at WWI")["id"]
    call(
        stack,
        "POST",
        "access",
        f"/grants/{grant_id}/approval",
        security,
        {
            "access_type": "ESCORTED",
            "permitted_areas": [s.text("permitted_area")],
            "conditions": [s.text("access_condition")],
            "reason": s.text("approval_reason"),
        },
    )
    call(
        stack,
        "POST",
        "access",
        f"/grants/{grant_id}/induction",
        security,
        {"item": "SECURITY_BRIEFING"},
    )
    call(
        stack,
        "POST",
        "access",
        f"/grants/{grant_id}/induction",
        security,
        {"item": "ID_BADGE", "badge_number": "WWI-77"},
    )
    gate = get(stack, "access", "/establishments/WWI/gate-check?badge=WWI-77", security).json()
    assert gate["allowed"] is True, gate
    call(
        stack,
        "POST",
        "access",
        f"/grants/{grant_id}/suspension",
        security,
        {"reason": s.text("access_suspension_reason")},
    )

    # A change of circumstances on the cleared applicant: a new conviction, reviewed.
    call(
        stack,
        "POST",
        "applications",
        f"/applications/{application_id}/changes",
        key,
        {
            "kind": "NEW_CONVICTION",
            "conviction": {
                "kind": "CAUTION",
                "offence": s.text("change_offence"),
                "disposal": "CAUTION",
                "date": (today() - timedelta(days=30)).isoformat(),
            },
        },
    )
    # An unverified report suspends nothing by itself: the case goes to review, the officer
    # suspends the clearance with a reason, and a manager reinstates it with one of their own.
    wait_for(
        lambda: get(stack, "vetting", f"/cases/{case['id']}", officer).json()["status"] == "REVIEW",
        message="the case back for review",
    )
    call(
        stack,
        "POST",
        "vetting",
        f"/cases/{case['id']}/review",
        officer,
        {"outcome": "SUSPEND", "reason": s.text("review_reason")},
    )
    wait_for(
        lambda: (
            get(stack, "vetting", f"/clearances/{clearance_id}", officer).json()["status"]
            == "SUSPENDED"
        ),
        message="the clearance suspended by the review",
    )
    call(
        stack,
        "POST",
        "vetting",
        f"/clearances/{clearance_id}/reinstatement",
        manager,
        {"reason": s.text("clearance_reinstatement_reason")},
    )

    # A second applicant, texted rather than emailed, withdrawn with a reason.
    second = call(
        stack, "POST", "applications", "/applications", key, application(s, "second", channel="SMS")
    ).json()
    call(stack, "POST", "applications", f"/applications/{second['id']}/submit", key)
    call(
        stack,
        "POST",
        "applications",
        f"/applications/{second['id']}/withdraw",
        key,
        {"reason": s.text("withdrawal_reason")},
    )

    # An operator looks for the notifications of an address (a query string).
    get(
        stack, "notifications", "/notifications?recipient=" + s.values["main_email"], operator
    ).raise_for_status()

    # -- wait for every effect, then stop the stack so all output is flushed ----------------
    def dead_letters(service: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for line in filter(None, stack.cli(service, "dead-letters", "list").stdout.splitlines()):
            row = json.loads(line)
            found.setdefault(row["event_id"], []).append(row["error"])
        return found

    errors = wait_for(
        lambda: (lambda found: found if {db_event_id, invalid_event_id} <= set(found) else None)(
            dead_letters("notifications")
        ),
        timeout=90,
        message="both provoked notifications events dead-lettered",
    )
    # The point of that event is a database error whose text names the person: if the contract
    # or the column changes so that it no longer fails on the database, provoke another one.
    assert any(error.startswith("DataError") for error in errors[db_event_id]), errors[db_event_id]

    def timeline(app_id: str) -> set[str]:
        found = get(stack, "applications", f"/applications/{app_id}", key).json()
        return {entry["kind"] for entry in found["timeline"]}

    def notifications_of(app_id: str) -> list[dict[str, Any]]:
        return get(
            stack, "notifications", f"/notifications?application_id={app_id}", operator
        ).json()

    wait_for(
        lambda: (
            {"change_reported", "access_suspended", "clearance_suspended"}
            <= timeline(application_id)
        ),
        message="the last steps reach the organisation",
    )
    wait_for(
        lambda: any(n["template"] == "access_suspended" for n in notifications_of(application_id)),
        message="the suspension's messages queued",
    )

    def settled() -> bool:
        notes = notifications_of(application_id) + notifications_of(second["id"])
        return all(n["status"] not in ("QUEUED", "SENDING") for n in notes)

    wait_for(settled, timeout=90, message="every notification sent or failed")
    assert any(n["status"] == "PERMANENT_FAILURE" for n in notifications_of(application_id)), (
        "the mail server was to refuse the coordinator's address"
    )
    assert any(
        n["channel"] == "SMS" and n["status"] in ("SENT", "DELIVERED")
        for n in notifications_of(second["id"])
    ), "the second applicant was to be texted"

    # -- erasure: both applicants, in every service ------------------------
    person_id = case["person_id"]
    assert (
        get(stack, "access", f"/establishments/WWI/gate-check?person={person_id}", security).json()[
            "reason"
        ]
        == "SUSPENDED"
    )
    dpo = staff_token(stack, "applications", "data_protection_officer")

    def erased(*erasures: str) -> bool:
        return all(
            get(stack, "applications", f"/erasure-requests/{erasure_id}", dpo).json()["status"]
            == "COMPLETE"
            for erasure_id in erasures
        )

    # The organisation erases what it supplied; then the data protection officer erases both
    # people everywhere (the organisation's request alone leaves vetting the person).
    by_organisation = call(
        stack,
        "POST",
        "applications",
        "/erasure-requests",
        key,
        {"application_id": application_id},
        expect=(202,),
    ).json()["id"]
    wait_for(lambda: erased(by_organisation), timeout=120, message="the organisation's erasure")
    erasures = [
        call(
            stack,
            "POST",
            "applications",
            "/erasure-requests",
            dpo,
            {"application_id": app},
            expect=(202,),
        ).json()["id"]
        for app in (application_id, second["id"])
    ]
    wait_for(
        lambda: erased(*erasures),
        timeout=120,
        message="both erasures complete in all four services",
    )
    # Nobody keeps gate access: the grant ended, the badge names nobody any more.
    assert (
        get(stack, "access", f"/establishments/WWI/gate-check?person={person_id}", security).json()[
            "reason"
        ]
        == "ENDED"
    )
    assert (
        get(stack, "access", "/establishments/WWI/gate-check?badge=WWI-77", security).json()[
            "allowed"
        ]
        is False
    )
    stack.stop()

    hits = scan(stack.var_dir, s.needles())
    assert not hits, (
        "personal or special-category values in the logs (each: sentinel, file, "
        "line):\n" + "\n".join(hits)
    )
    # Every database (encrypted values opened, sealed audit reasons opened with any key left)
    # and every message waiting on the broker, dead-letter queues included: nothing of the two
    # erased people. What belongs to others stays (the organisation's coordinator, the
    # invented people of the provoked failures), so it is not searched for.
    mine = {name: needle for name, needle in s.needles().items() if not name.startswith(NOT_ERASED)}
    left = database_hits(stack, mine) + broker_hits(stack, mine)
    assert not left, "erased values still held:\n" + "\n".join(left)


def scan(var_dir: Path, needles: Mapping[str, str]) -> list[str]:
    hits = []
    files = [path for path in sorted(var_dir.rglob("*")) if path.is_file()]
    assert any(path.parent.name == "logs" for path in files), f"no logs under {var_dir}"
    for path in files:
        relative = path.relative_to(var_dir)
        if relative.parts[0] in DELIVERY_CHANNELS:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            lowered = line.lower()
            for name, needle in needles.items():
                if needle in lowered:
                    at = lowered.index(needle)
                    excerpt = line[max(0, at - 120) : at + len(needle) + 60]
                    hits.append(f"- {name} ({needle!r}) in {relative} line {number}: …{excerpt}…")
    return hits
