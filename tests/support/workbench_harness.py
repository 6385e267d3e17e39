"""The vetting workbench as its tests drive it: a vetting service with the workbench's client at
the test identity provider, its staff there (the same subjects as the API harness's tokens, so
a case taken through the API is taken by the same person), cases in the states worth showing,
and ways to sign in, send a route's request and read the audit log."""

from __future__ import annotations

import copy
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import url_for
from sqlalchemy import select, update

from shared.audit import log as audit
from tests.support.clock import now, today
from tests.support.identity import (
    PROVIDER,
    TEST_PASSWORD,
    WORKBENCH_ENV,
    from_address,
    sign_in,
)
from tests.support.vetting_harness import STAFF, Vetting, submitted_data
from vetting.models import InformationRequest, VettingCase

# Who signs in, by the API harness's names: username (= subject) and display name.
NAMES = {
    "officer": "Ann Officer",
    "officer2": "Bob Officer",
    "manager": "Cat Manager",
    "manager2": "Dev Manager",
    "security": "Eve Security",
}
# What every form of the matrix posts: enough for most to pass their own validation.
FORM = {
    "reason": "A good reason.",
    "note": "Agreed.",
    "decision": "CONFIRM",
    "reasons": "Not suitable.",
    "outcome": "CONTINUE",
}


@dataclass(frozen=True)
class Page:
    """One workbench route in the authorisation matrix."""

    endpoint: str
    method: str
    public: bool = False  # signing in and out, the assets
    manager_only: bool = False


class Workbench:
    def __init__(self, env: dict[str, str], **extra: str) -> None:
        for who, name in NAMES.items():
            subject, roles, establishments = STAFF[who]
            PROVIDER.add_user(subject, name, roles, establishments)
        self.vetting = Vetting({**env, **WORKBENCH_ENV}, **extra)
        self.app = self.vetting.app
        self.platform = self.vetting.platform
        self.request_id = ""  # the last information request asked (information_asked)

    # Signing in ------------------------------------------------------------------------------

    def login(self, who: str, password: str = TEST_PASSWORD):
        """(client, the workbench's last answer) for the API harness's `who` ("officer"...)."""
        client = self.app.test_client()
        subject = STAFF[who][0]
        return client, sign_in(client, subject, password, "/workbench/login/start", from_address())

    def signed_in(self, who: str):
        client, response = self.login(who)
        assert response.status_code == 302, response.text
        return client

    # Cases in the states worth showing ----------------------------------------------------------

    def awaiting_decision(self, email: str | None = None, **overrides: Any) -> dict[str, Any]:
        """A case whose checks are all in: the officer's to decide, for a person of their own
        (a new name, birthday and passport: never served by another case's clearance). The
        case as the API shows it."""
        email = email or f"wb-{uuid.uuid4().hex[:8]}@example.org"
        if "applicant" not in overrides:
            overrides["applicant"] = someone(email)
        app_id = self.vetting.submit(email, **overrides)
        self.vetting.work()
        return self.vetting.case(app_id)

    def adverse(self) -> dict[str, Any]:
        """Awaiting a decision, with a record the applicant did not declare: the risk summary
        recommends refusal."""
        return self.awaiting_decision(f"wb-{uuid.uuid4().hex[:8]}+sim-undeclared@example.org")

    def checks_failing(self) -> dict[str, Any]:
        """A check whose provider keeps failing: FAILED once its retries are spent."""
        return self.awaiting_decision(
            f"wb-{uuid.uuid4().hex[:8]}+sim-error-always-criminal-record@example.org"
        )

    def refusal_pending(self, who: str = "officer") -> dict[str, Any]:
        case = self.adverse()
        response = self.vetting.call(
            "POST", f"/cases/{case['id']}/refusal", who=who, json={"reasons": ["Undeclared."]}
        )
        assert response.status_code in (200, 202), response.json
        return self.vetting.case(case["application_id"])

    def clearance_pending(self, who: str = "officer") -> dict[str, Any]:
        """A clearance proposed against the risk summary: a manager's to countersign."""
        case = self.adverse()
        response = self.vetting.call(
            "POST", f"/cases/{case['id']}/clearance", who=who, json={"reason": "Spent, minor."}
        )
        assert response.status_code == 202, response.json
        return self.vetting.case(case["application_id"])

    def information_asked(self) -> dict[str, Any]:
        """Information asked for and not given by the date it was due (not chased yet)."""
        case = self.awaiting_decision()
        asked = self.vetting.call(
            "POST",
            f"/cases/{case['id']}/information-requests",
            json={
                "items": [{"question": "Where did you live in 2019?"}],
                "reason": "A gap in the address history.",
                "due_by": (today() + timedelta(days=10)).isoformat(),
            },
        )
        assert asked.status_code == 201, asked.json
        self.request_id = asked.json["id"]
        self._set_request(due_by=(today() - timedelta(days=1)).isoformat())
        return self.vetting.case(case["application_id"])

    def information_overdue(self) -> dict[str, Any]:
        """Information not given by the date it was due, chased, and lapsed to the officer
        after the grace period."""
        case = self.information_asked()
        assert self.vetting.sweep_information()["chased"] >= 1
        self._set_request(chased_at=now() - timedelta(days=30))  # ... and the grace period
        assert self.vetting.sweep_information()["lapsed"] >= 1
        return self.vetting.case(case["application_id"])

    def _set_request(self, **values: Any) -> None:
        with self.platform.session_factory() as session:
            session.execute(
                update(InformationRequest)
                .where(InformationRequest.id == self.request_id)
                .values(**values)
            )
            session.commit()

    def possible_match(self) -> dict[str, Any]:
        """A case whose applicant has the name and birthday of someone cleared, with another
        passport: the officer links or separates the two before anything else."""
        applicant = someone(f"wb-{uuid.uuid4().hex[:8]}@example.org")
        known = self.awaiting_decision(applicant["email"], applicant=applicant)
        self.vetting.clear(known["application_id"])
        other = copy.deepcopy(applicant)
        other["email"] = f"wb-{uuid.uuid4().hex[:8]}@example.org"
        other["details"]["identity_documents"] = [
            {"type": "PASSPORT", "number": f"X{uuid.uuid4().hex[:8].upper()}", "expiry": None}
        ]
        return self.awaiting_decision(other["email"], applicant=other)

    def cleared(self, email: str | None = None, **overrides: Any) -> dict[str, Any]:
        """A case cleared: the clearance."""
        case = self.awaiting_decision(email, **overrides)
        return self.vetting.clear(case["application_id"])

    def age(self, case_id: str, days: int) -> None:
        """Open the case `days` earlier than it was: the queue's order and age filter, without
        moving the clock."""
        with self.platform.session_factory() as session:
            case = session.get(VettingCase, case_id)
            assert case is not None
            session.execute(
                update(VettingCase)
                .where(VettingCase.id == case_id)
                .values(opened_at=case.opened_at - timedelta(days=days))
            )
            session.commit()

    # Reading what happened -------------------------------------------------------------------

    def reads(self, subject_type: str, subject_id: str) -> list[dict[str, Any]]:
        """The audit log's record of reads of one case or clearance."""
        with self.platform.session_factory() as session:
            return [
                entry
                for entry in audit.entries(
                    session, subject_type=subject_type, subject_id=subject_id, limit=500
                )
                if entry["action"] == f"{subject_type}.read"
            ]

    def status(self, case_id: str) -> str:
        with self.platform.session_factory() as session:
            return session.execute(
                select(VettingCase.status).where(VettingCase.id == case_id)
            ).scalar_one()

    # The matrix ------------------------------------------------------------------------------

    def url(self, page: Page, **values: str) -> str:
        rule = next(
            rule
            for rule in self.app.url_map.iter_rules()
            if rule.endpoint == page.endpoint and page.method in (rule.methods or ())
        )
        defaults: dict[str, Any] = {
            "filename": "workbench.css",
            "anything": "no-such-page",
            **values,
        }
        with self.app.test_request_context():
            return url_for(page.endpoint, **{k: defaults[k] for k in rule.arguments})

    def send(self, client, page: Page, csrf: str | None = None, **values: str):
        url = self.url(page, **values)
        if page.method == "GET":
            return client.get(url)
        return client.post(url, data={**FORM, **({"csrf_token": csrf} if csrf else {})})


SURNAMES = ("Okafor", "Nowak", "Lindqvist", "Bianchi", "Haddad", "Murphy", "Tanaka", "Evans")


def someone(email: str) -> dict[str, Any]:
    """The sample applicant made into a person of their own."""
    applicant = submitted_data(email)["applicant"]
    tag = uuid.uuid4()
    applicant["surname"] = f"{SURNAMES[tag.int % len(SURNAMES)]}-{tag.hex[:4].upper()}"
    applicant["date_of_birth"] = f"19{60 + tag.int % 40}-0{1 + tag.int % 9}-1{tag.int % 9}"
    applicant["details"]["identity_documents"] = [
        {"type": "PASSPORT", "number": f"P{tag.hex[:9].upper()}", "expiry": None}
    ]
    return applicant


def token_in(html: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def csrf(client) -> str:
    """A CSRF token of this client's session (every signed-in page has one: Sign out)."""
    return token_in(client.get("/workbench/cases").text)
