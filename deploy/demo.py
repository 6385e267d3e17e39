"""`make demo`: submit a sample application to the running stack and show what each service did.

Run `make run` in another terminal first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from urllib.error import HTTPError
from urllib.request import Request, urlopen

from applications.schemas.examples import sample_application
from shared.client_credentials import MachineClient
from shared.config import DEFAULT_PORTS as PORTS


def cli(service: str, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", service, *args],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    ).stdout.strip()


def call(service: str, path: str, token: str, body: dict | None = None) -> dict:
    request = Request(
        f"http://127.0.0.1:{PORTS[service]}{path}",
        method="GET" if body is None else "POST",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urlopen(request, timeout=10) as response:
        return json.load(response)


def main() -> None:
    org = json.loads(
        cli(
            "applications",
            "create-organisation",
            "--name",
            "Demo AA Intergroup",
            "--fellowship",
            "AA",
            "--coordinator-email",
            # The development provider's public user pat: the organisation's first portal admin.
            "pat@example.org",
        )
    )
    # cas, another public user there, joins as a coordinator (the invitation is emailed).
    cli("applications", "invite-portal-member", org["organisation_id"], "cas@example.org")
    key = json.loads(cli("applications", "create-api-key", org["organisation_id"]))["api_key"]
    draft = call("applications", "/applications", key, sample_application("siobhan@example.org"))
    readiness = call("applications", f"/applications/{draft['id']}/readiness", key)
    print(f"applications:  draft {draft['id']}; ready to submit: {readiness['ready']}")
    application = call("applications", f"/applications/{draft['id']}/submit", key, {})
    print(f"applications:  submitted (status {application['status']})")
    # Staff tokens from the development identity provider (client credentials of the demo's
    # clients there: tools/devidp/src/devidp/dev_clients.json).
    officer = demo_client("demo-vetting-officer").token("vetting")
    security = demo_client("demo-security-wwi").token("access")
    operator = demo_client("operator-scripts", "dev-operator-secret-change-me").token(
        "notifications"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        notes = call(
            "notifications", f"/notifications?application_id={application['id']}", operator
        )
        if notes and notes[0]["status"] == "SENT":
            break
        time.sleep(0.2)
    case = call("vetting", f"/cases?application_id={application['id']}", officer)["items"][0]
    print(f"vetting:       case {case['id']} opened at level {case['required_level']}")
    incoming = call("access", "/establishments/WWI/incoming", security)
    print(f"access:        {len(incoming)} person(s) in vetting for HMP Wandsworth (WWI)")
    print(f"notifications: {notes[0]['template']} by {notes[0]['channel']}: {notes[0]['status']}")
    case = wait_for_checks(case["id"], officer)
    if case["status"] == "CLEARED":  # an earlier demo's clearance already covers this person
        clearance = call("vetting", f"/clearances/{case['clearance_id']}", officer)
        print("vetting:       the person's existing clearance covers this application")
    else:
        results = ", ".join(f"{c['name']} {c['status']}" for c in case["checks_detail"])
        print(f"vetting:       checks done ({results})")
        print(
            f"vetting:       risk summary recommends {case['risk']['recommendation']}: "
            f"{case['risk']['rationale']}"
        )
        clearance = call(
            "vetting",
            f"/cases/{case['id']}/clearance",
            officer,
            {"reason": "Declared, old and minor: cleared at the required level."},
        )
    print(
        f"vetting:       cleared: {clearance['level']}, {clearance['access']}, expires "
        f"{clearance['expires_at'][:10]}"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        final = call("applications", f"/applications/{application['id']}", key)
        if final["status"] == "CLEARED":
            break
        time.sleep(0.2)
    grant = wait_for_grant(security, clearance["person_id"])
    print(
        f"access:        grant at WWI: {grant['forenames']} {grant['surname']}, "
        f"{grant['clearance']['level']}, at most {grant['clearance']['max_access']}"
    )
    inducted_now = grant["status"] == "PENDING_REVIEW"
    if inducted_now:
        call(
            "access",
            f"/grants/{grant['id']}/approval",
            security,
            {"access_type": grant["clearance"]["max_access"], "permitted_areas": ["Chapel"]},
        )
        call("access", f"/grants/{grant['id']}/induction", security, {"item": "SECURITY_BRIEFING"})
        grant = call(
            "access",
            f"/grants/{grant['id']}/induction",
            security,
            {"item": "ID_BADGE", "badge_number": f"WWI-DEMO-{grant['id'][:4].upper()}"},
        )
        print(
            f"access:        approved and inducted: {grant['status']}, "
            f"badge {grant['badge_number']}"
        )
    else:
        print(f"access:        already {grant['status']} at WWI (an earlier demo)")
    badge = grant["badge_number"]
    gate = call("access", f"/establishments/WWI/gate-check?badge={badge}", security)
    print(
        f"access:        gate check at WWI: {'ALLOWED' if gate['allowed'] else 'REFUSED'} "
        f"({gate['message']}) until {gate['valid_until'][:10]}"
    )
    deadline = time.monotonic() + (30 if inducted_now else 0)
    while True:
        final = call("applications", f"/applications/{application['id']}", key)
        if (
            any(entry["kind"] == "access_activated" for entry in final["timeline"])
            or time.monotonic() > deadline
        ):
            break
        time.sleep(0.2)
    print(
        f"applications:  status {final['status']}; timeline: "
        + ", ".join(entry["kind"] for entry in final["timeline"])
    )
    print(
        f"console:       http://127.0.0.1:{PORTS['access']}/console — sign in at the "
        "development identity provider as hal (head of security, WWI) / dev-password-only"
    )
    to_decide = submit_for_the_workbench(key)
    workbench_walk_through(to_decide)
    portal_walk_through()


def submit_for_the_workbench(key: str) -> str:
    """A second application, left for an officer to decide in the workbench: its checks find a
    record the applicant did not declare (the simulated providers' sim-undeclared marker), so
    the risk summary refers it to an officer. Its id."""
    tag = int(time.time())  # each demo's applicant a person of their own
    body = sample_application(f"rory+sim-undeclared+{tag}@example.org", passport=f"WD{tag}")
    body["applicant"]["surname"] = "Walker"
    draft = call("applications", "/applications", key, body)
    call("applications", f"/applications/{draft['id']}/submit", key, {})
    return str(draft["id"])


def workbench_walk_through(application_id: str) -> None:
    print(
        f"\nworkbench:     http://127.0.0.1:{PORTS['vetting']}/workbench — the vetting workbench; "
        f"application {application_id} (surname Walker) waits there for a decision.\n"
        "  1. Sign in at the development identity provider as vic (vetting officer), password\n"
        "     dev-password-only. Cases lists the queue, oldest first: open Walker's case.\n"
        "  2. Read the risk summary (Refer: the checks found a record that was not declared) and\n"
        "     the declarations beside what the checks found.\n"
        "  3. Ask for information, or Propose a refusal (with the reasons). A refusal waits for a\n"
        "     manager: Sign out, sign in as meg (vetting manager), open the case and\n"
        "     Countersign the refusal.\n"
        "  4. Clearances finds clearances; Service levels shows ages and waits in working days,\n"
        "     the charts, and the figures as CSV."
    )


def portal_walk_through() -> None:
    print(
        f"\nportal:        http://127.0.0.1:{PORTS['applications']}/portal — the coordinators' "
        "portal of Demo AA Intergroup.\n"
        "  1. Sign in at the development identity provider (standing in for GOV.UK One Login) as\n"
        "     pat (the organisation's admin), password dev-password-only: the applications list,\n"
        "     Team (invite or remove coordinators) and API keys.\n"
        "  2. Sign out and sign in as cas (a coordinator): Start a new application and answer one\n"
        "     question a page; check your answers links each problem to the page that fixes it.\n"
        "  3. Send the volunteer their link: the email lands in var/mail/new; open its link in a\n"
        "     private window to fill in the volunteer's own sections, which cas then sees only\n"
        "     as Complete. Upload a spreadsheet takes many applications at once."
    )


def demo_client(client_id: str, secret: str = "dev-demo-secret-change-me") -> MachineClient:
    return MachineClient.at_issuer(client_id, secret)


def wait_for_grant(security: str, person_id: str) -> dict:
    """The person's grant at WWI, once vetting's clearance has reached the access service."""
    deadline = time.monotonic() + 30
    while True:
        try:
            return call("access", f"/people/{person_id}", security)["grants"][0]
        except HTTPError as error:
            if error.code != 404 or time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def wait_for_checks(case_id: str, officer: str) -> dict:
    """The simulated providers answer after VETTING_SIMULATED_DELAY_S (2 s under make run)."""
    deadline = time.monotonic() + 60
    while True:
        case = call("vetting", f"/cases/{case_id}", officer)
        if case["status"] != "OPEN" or time.monotonic() > deadline:
            return case
        time.sleep(0.5)


if __name__ == "__main__":
    main()
