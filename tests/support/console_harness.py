"""The security console as its tests drive it: an access service with the console's client at
the test identity provider, its staff there, a grant and a review item to act on, and ways to
sign in, send a route's request and read the sessions and the audit log."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select, update

from shared.audit import log as audit
from shared.frontdoor.sessions import staff_sessions_table as SESSIONS
from tests.support.access_harness import Access
from tests.support.identity import CONSOLE_ENV, PROVIDER, TEST_PASSWORD, from_address, sign_in
from tests.support.photos import jpeg_with_exif

# Users at the identity provider: username -> (roles, establishments).
ACCOUNTS = {
    "officer": (["security_officer"], ["WWI"]),
    "head": (["head_of_security"], ["WWI"]),
    "other": (["security_officer"], ["BMI"]),
    "vetter": (["vetting_officer"], []),
}
FORM = {
    "reason": "A good reason.",
    "review_on": "2099-01-01",
    "access_type": "ESCORTED",
    "establishment": "WWI",
    "badge": "NO-SUCH-BADGE",
    "security_briefing": "yes",
    "outcome": "DISMISS",
}


@dataclass(frozen=True)
class Case:
    endpoint: str
    method: str
    public: bool = False
    scoped: bool = False  # another establishment's staff get the 404 page
    head_only: bool = False


class Console:
    def __init__(self, env: dict[str, str], **extra: str) -> None:
        self.access = Access({**env, **CONSOLE_ENV}, **extra)
        self.app = self.access.app
        for username, (roles, codes) in ACCOUNTS.items():
            PROVIDER.add_user(username, username.title(), roles, codes)
        data = self.access.grant_clearance()
        self.person_id, self.grant_id = data["person_id"], self.access.grant_id(data["person_id"])
        # News naming someone else for the person: held in a review item.
        self.access.grant_clearance(person_id=self.person_id, surname="Someone-Else")
        [item] = self.access.call("GET", "/establishments/WWI/review-items").json
        self.item_id = item["id"]
        # A badge photo, so the route that serves it has one to serve.
        self.access.put_photo(self.grant_id, jpeg_with_exif())

    def login(self, who: str, password: str = TEST_PASSWORD, start: str = "/console/login/start"):
        client = self.app.test_client()
        # From an address of its own: this test's wrong passwords never slow another's down.
        return client, sign_in(client, who, password, start, from_address())

    def signed_in(self, who: str):
        client, response = self.login(who)
        assert response.status_code == 302, response.text
        return client

    def sessions(self, subject: str) -> list:
        with self.access.platform.session_factory() as session:
            return list(session.execute(select(SESSIONS).where(SESSIONS.c.subject == subject)))

    def age_sessions(self, subject: str, **changes: object) -> None:
        with self.access.platform.session_factory() as session:
            session.execute(update(SESSIONS).where(SESSIONS.c.subject == subject).values(**changes))
            session.commit()

    @functools.cached_property
    def visit_id(self) -> str:
        """Someone else, let in at WWI and on site: a visit to sign out."""
        visitor = self.access.grant_clearance()["person_id"]
        self.access.activate(self.access.grant_id(visitor))
        response = self.access.call(
            "POST", "/establishments/WWI/visits", "officer", json={"person_id": visitor}
        )
        assert response.status_code == 201, response.json
        return response.json["id"]

    def url(self, case: Case) -> str:
        rule = next(
            rule
            for rule in self.app.url_map.iter_rules()
            if rule.endpoint == case.endpoint and case.method in rule.methods
        )
        values = {
            "grant_id": self.grant_id,
            "person_id": self.person_id,
            "item_id": self.item_id,
            "anything": "no-such-page",
        }
        if "visit_id" in rule.arguments:
            values["visit_id"] = self.visit_id
        with self.app.test_request_context():
            by_establishment = (
                "console.queue",
                "console.on_site",
                "console.on_site_roll",
                "console.find",
                "console.holders",
                "console.holders_csv",
            )
            extra = {"establishment": "WWI"} if case.endpoint in by_establishment else {}
            return url_for(case.endpoint, **{k: values[k] for k in rule.arguments}, **extra)

    def send(self, client, case: Case, csrf: str | None = None):
        if case.method == "GET":
            return client.get(self.url(case))
        return client.post(self.url(case), data={**FORM, **({"csrf_token": csrf} if csrf else {})})

    def audit(self, action: str) -> list[dict]:
        with self.access.platform.session_factory() as session:
            return [
                entry
                for entry in audit.entries(session, subject_type="staff", limit=500)
                if entry["action"] == action
            ]


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def csrf(client) -> str:
    return token_in(client.get("/console/gate").text)
