"""The workbench's decision forms, on both run modes, signed in at the test identity provider:
each form draws; a valid answer runs the API's use case (the case moves, the audit log says
who) and comes back to the case with a banner; a wrong answer is the GOV.UK error summary
(422) and writes nothing; the two-person rules hold (an officer never countersigns, a manager
never countersigns their own proposal); acts that cannot be undone ask to be confirmed; a form
without its CSRF token is refused. Who may reach which form: test_workbench_matrix.py."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.support.clock import today
from tests.support.vetting_harness import NEW_ADDRESS
from tests.support.workbench_harness import Workbench, someone, token_in


@pytest.fixture
def workbench(backend_env: dict[str, dict[str, str]]) -> Iterator[Workbench]:
    bench = Workbench(backend_env["vetting"])
    yield bench
    bench.platform.engine.dispose()


def form(client, url: str) -> tuple[str, str]:
    """The form page (200) and its CSRF token."""
    page = client.get(url)
    assert page.status_code == 200, page.text
    return page.text, token_in(page.text)


def send(client, url: str, answers: dict[str, Any], *, confirm: bool = False):
    """Post the form with its own page's CSRF token (and the confirmation, if asked)."""
    _page, token = form(client, url)
    data = {**answers, "csrf_token": token, **({"confirm": "yes"} if confirm else {})}
    return client.post(url, data=data)


def back_to_case_with(client, response, case_id: str, banner: str) -> None:
    assert response.status_code == 303, response.text
    assert response.headers["Location"].endswith(f"/workbench/cases/{case_id}")
    page = client.get(response.headers["Location"]).text
    assert banner in page


def is_error_page(response, status: int, *messages: str) -> None:
    assert response.status_code == status, response.text
    assert re.search(r"<title>\s*Error: ", response.text), "the title starts Error:"
    assert "govuk-error-summary" in response.text
    for message in messages:
        assert message in response.text, message
    # A message that is no field's (a conflict) links nowhere: never to "#" or "#None".
    assert not re.search(r'href="#(None)?"', response.text)


def audit_actions(workbench: Workbench, kind: str, subject_id: str) -> list[tuple[str, str]]:
    path = f"/{kind}s/{subject_id}/audit"
    entries = workbench.vetting.call("GET", path, who="manager").json
    return [(entry["action"], entry["actor"]) for entry in entries]


def case_url(case: dict[str, Any], action: str) -> str:
    return f"/workbench/cases/{case['id']}/{action}"


def test_every_decision_form_draws(workbench):
    case = workbench.awaiting_decision()
    clearance = workbench.cleared()
    manager = workbench.signed_in("manager")
    for action in (
        "clear",
        "refusal",
        "refusal/countersignature",
        "clearance/countersignature",
        "information-requests",
        "checks/identity/result",
        "checks/identity/retry",
        "identity/link",
        "identity/separation",
        "review",
        "history/acknowledgement",
    ):
        page, _token = form(manager, case_url(case, action))
        assert 'method="post"' in page and case["applicant_name"]["surname"] in page, action
    for action in ("suspend", "reinstate", "revoke"):
        form(manager, f"/workbench/clearances/{clearance['id']}/{action}")
    for missing in ("/workbench/cases/no-such-case/clear", "/workbench/clearances/nope/revoke"):
        assert manager.get(missing).status_code == 404
    assert manager.get(case_url(case, "checks/no_such_check/result")).status_code == 404


def test_clearing_from_the_form_issues_the_clearance_and_audits_who(workbench):
    case = workbench.awaiting_decision()
    officer = workbench.signed_in("officer")
    page, _token = form(officer, case_url(case, "clear"))
    offered = re.findall(r'name="level"[^>]*value="([A-Z_]+)"', page)
    assert offered and "ESCORTED_VISITOR" not in offered  # below what the request needs
    assert case["required_level"] in offered
    assert 'value="ESCORTED_ONLY"' in page
    # The case it is about reads as words, not codes.
    assert f">{case['required_level']}<" not in page.replace(" ", "").replace("\n", "")
    # A level below the request's, posted anyway: the use case's own rule, on the field.
    low = send(officer, case_url(case, "clear"), {"level": "ESCORTED_VISITOR", "reason": "Fine."})
    is_error_page(low, 422, f"This request needs at least {case['required_level']}")
    done = send(
        officer,
        case_url(case, "clear"),
        {"level": case["required_level"], "conditions": "ESCORTED_ONLY", "reason": "No concerns."},
    )
    back_to_case_with(officer, done, case["id"], "Case cleared")
    after = workbench.vetting.case(case["application_id"])
    assert after["status"] == "CLEARED"
    clearance = workbench.vetting.call("GET", f"/clearances/{after['clearance_id']}").json
    assert clearance["conditions"] == ["ESCORTED_ONLY"]
    shown = officer.get(f"/workbench/clearances/{after['clearance_id']}").text
    assert "Escorted only" in shown and "ESCORTED_ONLY" not in shown
    assert ("case.cleared", "officer-ann") in audit_actions(workbench, "case", case["id"])


def test_a_wrong_answer_is_the_error_summary_and_writes_nothing(workbench):
    case = workbench.awaiting_decision()
    officer = workbench.signed_in("officer")
    blank = send(officer, case_url(case, "clear"), {"reason": "  "})
    is_error_page(blank, 422, "Enter the reason", 'href="#reason"')
    short = send(officer, case_url(case, "refusal"), {"reasons": "no"})
    is_error_page(short, 422, "Line 1: ")
    asked = send(
        officer,
        case_url(case, "information-requests"),
        {"items": "Where in 2019?", "reason": "A gap.", "due_by": ["31", "2", "2027"]},
    )
    is_error_page(asked, 422, "real date")
    assert "Where in 2019?" in asked.text  # what was typed stays
    assert workbench.status(case["id"]) == "AWAITING_DECISION"
    assert [who for _action, who in audit_actions(workbench, "case", case["id"])] == ["system"]


def test_a_refusal_is_confirmed_then_countersigned_by_another_manager(workbench):
    case = workbench.adverse()
    url = case_url(case, "refusal")
    manager = workbench.signed_in("manager")
    asked = send(manager, url, {"reasons": "Undeclared conviction.\nDishonesty."})
    assert asked.status_code == 200 and "Refuse " in asked.text and 'name="confirm"' in asked.text
    assert workbench.status(case["id"]) == "AWAITING_DECISION"  # not yet
    changed = manager.post(
        url, data={"reasons": "Again.", "change": "yes", "csrf_token": token_in(asked.text)}
    )
    assert changed.status_code == 200 and "Again." in changed.text
    done = send(manager, url, {"reasons": "Undeclared conviction.\nDishonesty."}, confirm=True)
    back_to_case_with(manager, done, case["id"], "Refusal proposed")
    assert workbench.status(case["id"]) == "REFUSAL_PENDING"
    sign = case_url(case, "refusal/countersignature")
    officer = workbench.signed_in("officer")
    assert officer.get(sign).status_code == 403
    token = token_in(officer.get(f"/workbench/cases/{case['id']}").text)
    refused = officer.post(
        sign, data={"decision": "CONFIRM", "note": "Agreed.", "csrf_token": token}
    )
    assert refused.status_code == 403
    own = send(manager, sign, {"decision": "CONFIRM", "note": "Agreed."}, confirm=True)
    is_error_page(own, 403, "You proposed this refusal")
    assert workbench.status(case["id"]) == "REFUSAL_PENDING"
    other = workbench.signed_in("manager2")
    first = send(other, sign, {"decision": "CONFIRM", "note": "Agreed."})
    assert first.status_code == 200 and "Confirm the refusal?" in first.text
    assert workbench.status(case["id"]) == "REFUSAL_PENDING"
    signed = send(other, sign, {"decision": "CONFIRM", "note": "Agreed."}, confirm=True)
    back_to_case_with(other, signed, case["id"], "Refusal countersigned")
    assert workbench.status(case["id"]) == "REFUSED"
    assert audit_actions(workbench, "case", case["id"])[:2] == [
        ("case.refusal_countersigned", "manager-dev"),
        ("case.refusal_proposed", "manager-cat"),
    ]


def test_a_clearance_against_the_risk_summary_waits_for_a_manager(workbench):
    case = workbench.adverse()
    officer = workbench.signed_in("officer")
    proposed = send(officer, case_url(case, "clear"), {"reason": "Spent and minor."})
    back_to_case_with(officer, proposed, case["id"], "takes effect only when a vetting manager")
    assert workbench.status(case["id"]) == "CLEARANCE_PENDING"
    sign = case_url(case, "clearance/countersignature")
    assert officer.get(sign).status_code == 403
    blank = send(workbench.signed_in("manager"), sign, {"note": "Hmm."})
    is_error_page(blank, 422, "Select confirm or reject")
    manager = workbench.signed_in("manager")
    signed = send(manager, sign, {"decision": "CONFIRM", "note": "Agreed: spent."})
    back_to_case_with(manager, signed, case["id"], "Clearance countersigned")
    assert workbench.status(case["id"]) == "CLEARED"


def test_a_manager_never_countersigns_their_own_clearance(workbench):
    case = workbench.clearance_pending(who="manager")
    manager = workbench.signed_in("manager")
    own = send(
        manager,
        case_url(case, "clearance/countersignature"),
        {"decision": "CONFIRM", "note": "Mine."},
    )
    is_error_page(own, 403, "You proposed this clearance")
    assert workbench.status(case["id"]) == "CLEARANCE_PENDING"


def test_a_form_without_its_csrf_token_is_refused(workbench):
    case = workbench.awaiting_decision()
    officer = workbench.signed_in("officer")
    refused = officer.post(case_url(case, "clear"), data={"reason": "No token."})
    assert refused.status_code == 400
    assert workbench.status(case["id"]) == "AWAITING_DECISION"


def test_a_sensitive_request_and_the_volunteers_answer(workbench):
    case = workbench.awaiting_decision()
    officer = workbench.signed_in("officer")
    due = today() + timedelta(days=14)
    asked = send(
        officer,
        case_url(case, "information-requests"),
        {
            "items": "Tell us about the 2015 caution.\nWho was involved?",
            "reason": "The check found it.",
            "due_by": [str(due.day), str(due.month), str(due.year)],
            "sensitive": "y",
        },
    )
    back_to_case_with(officer, asked, case["id"], "Information requested from the volunteer")
    after = workbench.vetting.case(case["application_id"])
    [request] = after["information_requests"]
    assert after["status"] == "INFO_REQUESTED" and request["sensitive"] is True
    assert request["due_by"] == due.isoformat() and len(request["items"]) == 2
    url = case_url(case, f"information-requests/{request['id']}/answer")
    page, _token = form(officer, url)
    assert "Who was involved?" in page
    is_error_page(send(officer, url, {"answers": " "}), 422, "Enter the answer")
    answered = send(officer, url, {"answers": "A misunderstanding; no further action."})
    back_to_case_with(officer, answered, case["id"], "Answer recorded")
    assert workbench.status(case["id"]) == "AWAITING_DECISION"
    twice = send(officer, url, {"answers": "Again."})
    is_error_page(twice, 409, "it is ANSWERED")


def test_a_failed_check_is_retried_then_recorded_by_a_manager(workbench):
    case = workbench.checks_failing()
    officer = workbench.signed_in("officer")
    retried = send(officer, case_url(case, "checks/criminal_record/retry"), {})
    back_to_case_with(officer, retried, case["id"], "sent back to its provider")
    assert ("check.retried", "officer-ann") in audit_actions(workbench, "case", case["id"])
    workbench.vetting.work()  # fails for good again
    result = case_url(case, "checks/criminal_record/result")
    answers = {"outcome": "PASSED", "summary": "Checked with the police by telephone."}
    by_officer = send(officer, result, answers)  # a record check typed in: a manager's
    is_error_page(by_officer, 403, "vetting_manager")
    manager = workbench.signed_in("manager")
    found = {"outcome": "ADVERSE", "summary": "The police confirmed one caution."}
    bad = send(manager, result, {**found, "records": "2019-13-01 | Theft"})
    is_error_page(bad, 422, "Line 1: date: Not a valid date.")
    record = {**found, "records": "2019-05-01 | Theft | Words of advice | caution"}
    recorded = send(manager, result, record)
    back_to_case_with(manager, recorded, case["id"], "Criminal Record check result recorded")
    checks = {c["name"]: c for c in workbench.vetting.case(case["application_id"])["checks_detail"]}
    assert checks["CRIMINAL_RECORD"]["status"] == "ADVERSE"
    [kept] = checks["CRIMINAL_RECORD"]["result"]["records"]
    assert (kept["date"], kept["offence"], kept["kind"]) == ("2019-05-01", "Theft", "CAUTION")


def test_a_clearance_is_suspended_reinstated_and_revoked_with_confirmation(workbench):
    clearance = workbench.cleared()
    base = f"/workbench/clearances/{clearance['id']}"
    officer = workbench.signed_in("officer")

    def status() -> str:
        return workbench.vetting.call("GET", f"/clearances/{clearance['id']}").json["status"]

    asked = send(officer, f"{base}/suspend", {"reason": "Arrested on Friday."})
    assert asked.status_code == 200 and 'name="confirm"' in asked.text and status() == "ACTIVE"
    done = send(officer, f"{base}/suspend", {"reason": "Arrested on Friday."}, confirm=True)
    assert done.status_code == 303 and done.headers["Location"].endswith(base)
    assert "Clearance suspended" in officer.get(base).text and status() == "SUSPENDED"
    back = send(officer, f"{base}/reinstate", {"reason": "Released without charge."})
    assert back.status_code == 303 and status() == "ACTIVE"
    assert officer.get(f"{base}/revoke").status_code == 403
    manager = workbench.signed_in("manager")
    first = send(manager, f"{base}/revoke", {"reason": "Dishonesty."})
    assert first.status_code == 200 and "cannot be reinstated" in first.text
    revoked = send(manager, f"{base}/revoke", {"reason": "Dishonesty."}, confirm=True)
    assert revoked.status_code == 303 and status() == "REVOKED"
    assert [action for action, _who in audit_actions(workbench, "clearance", clearance["id"])][
        :3
    ] == ["clearance.revoked", "clearance.reinstated", "clearance.suspended"]


def possible_match(workbench: Workbench, applicant: dict[str, Any]) -> dict[str, Any]:
    """Someone with a known person's name and date of birth, and another passport."""
    email = f"wb-{uuid.uuid4().hex[:8]}@example.org"
    other = {**applicant, "email": email, "details": dict(applicant["details"])}
    other["details"]["identity_documents"] = [
        {"type": "PASSPORT", "number": f"X{uuid.uuid4().hex[:8].upper()}", "expiry": None}
    ]
    app_id = workbench.vetting.submit(email, applicant=other, organisation_id=str(uuid.uuid4()))
    case = workbench.vetting.case(app_id)
    assert case["identity_status"] == "POSSIBLE_MATCH", case["identity"]
    return case


def test_a_possible_match_is_linked_after_confirmation_or_separated(workbench):
    email = f"wb-{uuid.uuid4().hex[:8]}@example.org"
    known = someone(email)
    workbench.cleared(email, applicant=known)
    case = possible_match(workbench, known)
    [candidate] = case["identity"]["candidates"]
    officer = workbench.signed_in("officer")
    url = case_url(case, "identity/link")
    page, _token = form(officer, url)
    assert f'value="{candidate["person_id"]}"' in page
    is_error_page(send(officer, url, {"reason": "Same person."}), 422, "Select the possible match")
    answers = {"person_id": candidate["person_id"], "reason": "Same person: checked by phone."}
    asked = send(officer, url, answers)
    assert asked.status_code == 200 and "Link the applicant to this person?" in asked.text
    assert workbench.vetting.case(case["application_id"])["identity_status"] == "POSSIBLE_MATCH"
    linked = send(officer, url, answers, confirm=True)
    back_to_case_with(officer, linked, case["id"], "Linked")
    after = workbench.vetting.case(case["application_id"])
    assert (after["identity_status"], after["person_id"]) == ("RESOLVED", candidate["person_id"])

    other = possible_match(workbench, known)
    [candidate] = other["identity"]["candidates"]
    separated = send(
        officer,
        case_url(other, "identity/separation"),
        {"person_id": candidate["person_id"], "reason": "Different people: other passport."},
    )
    back_to_case_with(officer, separated, other["id"], "Separated")
    assert workbench.vetting.case(other["application_id"])["identity_status"] == "RESOLVED"


def test_a_review_after_a_change_of_circumstances(workbench):
    clearance = workbench.cleared()
    app_id = clearance["application_id"]
    workbench.vetting.report_change(app_id, "CHANGE_OF_ADDRESS", NEW_ADDRESS)
    case = workbench.vetting.case(app_id)
    assert case["status"] == "REVIEW"
    officer = workbench.signed_in("officer")
    page, _token = form(officer, case_url(case, "review"))
    assert 'value="CONTINUE"' in page and 'value="REVOKE"' not in page  # a manager's
    revoke = send(officer, case_url(case, "review"), {"outcome": "REVOKE", "reason": "Moved."})
    is_error_page(revoke, 403, "Only a vetting manager can revoke")
    done = send(officer, case_url(case, "review"), {"outcome": "CONTINUE", "reason": "Noted."})
    back_to_case_with(officer, done, case["id"], "Review completed")
    assert workbench.status(case["id"]) == "CLEARED"


def test_a_manager_acknowledges_the_persons_history(workbench):
    email = f"wb-{uuid.uuid4().hex[:8]}@example.org"
    known = someone(email)
    clearance = workbench.cleared(email, applicant=known)
    suspended = workbench.vetting.call(
        "POST", f"/clearances/{clearance['id']}/suspension", json={"reason": "Arrested."}
    )
    assert suspended.status_code == 200, suspended.json
    app_id = workbench.vetting.submit(email, applicant=known, organisation_id=str(uuid.uuid4()))
    workbench.vetting.work()
    case = workbench.vetting.case(app_id)
    assert case["waiting_reason"] == "HISTORY"
    url = case_url(case, "history/acknowledgement")
    assert workbench.signed_in("officer").get(url).status_code == 403
    manager = workbench.signed_in("manager")
    page, _token = form(manager, url)
    assert "Clearance suspended" in page
    done = send(manager, url, {"reason": "Seen the suspension."})
    back_to_case_with(manager, done, case["id"], "History acknowledged")
    assert workbench.vetting.case(app_id)["waiting_reason"] is None


def test_clearing_with_the_officers_terms_from_the_form(workbench):
    case = workbench.awaiting_decision()
    officer = workbench.signed_in("officer")
    page, _token = form(officer, case_url(case, "clear"))
    # The policy's list, then "other" revealing a box for the officer's words.
    assert 'value="CHAPLAINCY_PRESENT"' in page and 'value="OTHER"' in page
    assert 'data-aria-controls="conditional-condition_codes-' in page
    assert 'name="other_condition"' in page and 'name="validity_months"' in page
    assert 'name="review_on"' in page
    # Wrong terms: each on its field, nothing written.
    wrong = send(
        officer,
        case_url(case, "clear"),
        {
            "reason": "No concerns.",
            "condition_codes": ["OTHER"],
            "other_condition": "  ",
            "validity_months": "48",
            "review_on": ["31", "2", "2027"],
        },
    )
    is_error_page(wrong, 422, "Enter the condition in your words", "real date")
    assert 'href="#other_condition"' in wrong.text and 'href="#review_on' in wrong.text
    longer = send(
        officer, case_url(case, "clear"), {"reason": "No concerns.", "validity_months": "48"}
    )
    is_error_page(longer, 422, "never longer", 'href="#validity_months"')
    assert workbench.status(case["id"]) == "AWAITING_DECISION"
    review_on = today() + timedelta(days=90)
    done = send(
        officer,
        case_url(case, "clear"),
        {
            "reason": "No concerns.",
            "condition_codes": ["CHAPLAINCY_PRESENT", "OTHER"],
            "other_condition": "No visits to the healthcare wing.",
            "validity_months": "12",
            "review_on": [str(review_on.day), str(review_on.month), str(review_on.year)],
        },
    )
    back_to_case_with(officer, done, case["id"], "Case cleared")
    after = workbench.vetting.case(case["application_id"])
    clearance = workbench.vetting.call("GET", f"/clearances/{after['clearance_id']}").json
    assert clearance["custom_conditions"] == [
        {"code": "CHAPLAINCY_PRESENT", "text": "Only with a member of the chaplaincy present"},
        {"code": "OTHER", "text": "No visits to the healthcare wing."},
    ]
    assert clearance["review_on"] == review_on.isoformat()
    shown = officer.get(f"/workbench/clearances/{after['clearance_id']}").text
    assert "Only with a member of the chaplaincy present" in shown
    assert "No visits to the healthcare wing." in shown
    assert f"{review_on.day} {review_on:%B %Y}" in shown
