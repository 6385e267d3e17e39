"""One application travels through all four services, as real processes, on both run modes."""

from __future__ import annotations

from tests.e2e.helpers import application_body, get, organisation_key, staff_token, submit
from tests.support import wait_for


def test_submitted_application_reaches_every_service_and_the_applicant_by_email(stack, smtp):
    inbox, _port = smtp
    key = organisation_key(stack)
    body = application_body("siobhan@example.org")
    created = submit(stack, key, body)
    assert created.status_code == 200, created.text
    application_id = created.json()["id"]

    [email] = wait_for(lambda: inbox.to("siobhan@example.org"), message="the email")
    assert email["Subject"] == "Your application is being checked"
    assert "Siobhán O'Connor" in email.get_payload(decode=True).decode()

    officer = staff_token(stack, "vetting", "vetting_officer")
    [case] = get(stack, "vetting", f"/cases?application_id={application_id}",
                 officer).json()["items"]
    assert case["status"] in ("OPEN", "AWAITING_DECISION")  # the checks run meanwhile
    assert case["establishments"] == ["WWI", "BMI"]

    security = staff_token(stack, "access", "security_officer", "WWI")
    incoming = get(stack, "access", "/establishments/WWI/incoming", security).json()
    assert [row["case_id"] for row in incoming] == [case["id"]]
    # The same officer has no scope at BMI: it does not exist for them.
    assert get(stack, "access", "/establishments/BMI/incoming", security).status_code == 404

    operator = staff_token(stack, "notifications", "operator")
    notes = wait_for(lambda: [n for n in get(
        stack, "notifications", f"/notifications?application_id={application_id}",
        operator).json() if n["status"] == "SENT"], message="SENT notification")
    assert [(n["template"], n["channel"]) for n in notes] == [("vetting_started", "EMAIL")]

    def timeline_complete():
        view = get(stack, "applications", f"/applications/{application_id}", key).json()
        kinds = [entry["kind"] for entry in view["timeline"]]
        return view if "notification_sent" in kinds else None

    view = wait_for(timeline_complete, message="timeline")
    assert view["status"] == "IN_VETTING"
    assert [e["kind"] for e in view["timeline"]] == [
        "draft_created", "submitted", "checks_started", "notification_sent"]
    # Exactly one email, however long we wait for stragglers.
    assert len(inbox.to("siobhan@example.org")) == 1


def test_staff_endpoints_refuse_missing_wrong_or_insufficient_tokens(stack):
    officer = staff_token(stack, "vetting", "vetting_officer")
    security = staff_token(stack, "access", "security_officer", "WWI")
    assert get(stack, "vetting", "/cases", "").status_code == 401
    assert get(stack, "vetting", "/cases", officer + "x").status_code == 401
    refused = get(stack, "vetting", "/cases", security)
    assert refused.status_code == 403 and refused.json() == {
        "status": 403, "message": "You do not have permission to do this."}
    assert get(stack, "notifications", "/notifications", officer).status_code == 403
