"""Who may call what, for every endpoint of every service by every kind of caller, generated
from the services' URL maps: an endpoint without a rule below fails the test.

Callers: nobody, a forged token, organisations A and B, vetting officer and manager, security
officer and head of security at WWI, a security officer and a head of security at BMI, a
notifications operator, an auditor, the data protection officer, a governor at WWI and one
elsewhere. For each endpoint the rule names
which credential it takes (organisation key, staff token, either, or Notify's callback token),
which roles may use it (the volunteer's pages take the token in their link and nothing else:
404 for every caller here), and whether records are scoped (to the owning organisation, to the
establishment). Expected: no or forged credential 401; the other kind of credential 401; a staff
role the rule does not name 403; the right role or organisation but someone else's record 404
(as if it did not exist); the right caller anything but 401/403/404 (a 422 for the empty body is
fine: what is checked is who gets past the door, not what they send). Never a 5xx. Where a
record is scoped, the body is a valid one (BODIES): a body is checked before the record is looked
up, so only a valid body reaches the scope check.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from kombu.transport import filesystem

from shared.messaging.topology import SERVICES
from tests.support.access_harness import Access
from tests.support.api_routes import NOT_API
from tests.support.applications_api import Client
from tests.support.backends import embedded_env
from tests.support.clock import iso_now
from tests.support.events import hand
from tests.support.identity import mint
from tests.support.notifications_harness import Notifications
from tests.support.photos import jpeg_with_exif
from tests.support.platforms import platform_for
from tests.support.vetting_harness import Vetting, cleared

# Not the API: the front doors have matrices of their own (tests/integration/access/
# test_access_console.py), and GOV.UK Frontend's assets are public (test_frontdoor.py).
PUBLIC = NOT_API
ORG, STAFF, EITHER, CALLBACK = "organisation key", "staff token", "either", "Notify callback"
# The volunteer's pages: the token in the link is the credential, and no caller here holds one
# (an organisation key or a staff token opens nothing there).
LINK = "the volunteer's link"
VETTING = ("vetting_officer", "vetting_manager")
SECURITY = ("security_officer", "head_of_security")


@dataclass(frozen=True)
class Caller:
    kind: str  # "none", "forged", ORG or STAFF
    roles: tuple[str, ...] = ()
    establishment: str | None = None
    organisation: str | None = None


CALLERS = {
    "nobody": Caller("none"),
    "forged": Caller("forged"),
    "org_a": Caller(ORG, organisation="A"),
    "org_b": Caller(ORG, organisation="B"),
    "vetting_officer": Caller(STAFF, ("vetting_officer",)),
    "vetting_manager": Caller(STAFF, ("vetting_manager",)),
    "security_wwi": Caller(STAFF, ("security_officer",), "WWI"),
    "head_wwi": Caller(STAFF, ("head_of_security",), "WWI"),
    "security_bmi": Caller(STAFF, ("security_officer",), "BMI"),
    "head_bmi": Caller(STAFF, ("head_of_security",), "BMI"),
    "operator": Caller(STAFF, ("operator",)),
    "auditor": Caller(STAFF, ("auditor",)),
    "dpo": Caller(STAFF, ("data_protection_officer",)),
    "governor_wwi": Caller(STAFF, ("governor",), "WWI"),
    "governor_elsewhere": Caller(STAFF, ("governor",), "MDI"),
}


@dataclass(frozen=True)
class Rule:
    credential: str
    roles: tuple[str, ...] = ()
    scope: str | None = None  # "organisation" or "establishment": others' records are 404


def rules() -> dict[str, dict[tuple[str, str], Rule]]:
    app, grant = "/applications/<string:application_id>", "/grants/<string:grant_id>"
    case, clearance = "/cases/<string:case_id>", "/clearances/<string:clearance_id>"
    place = "/establishments/<string:code>"
    everywhere = {
        ("GET", "/audit"): Rule(STAFF, ("auditor",)),
        ("GET", "/subject-access-request"): Rule(STAFF, ("data_protection_officer",)),
    }
    return {
        "applications": {
            **everywhere,
            ("GET", "/applications"): Rule(ORG),
            ("POST", "/applications"): Rule(ORG),
            ("POST", "/applications/bulk"): Rule(ORG),
            ("GET", "/establishments"): Rule(ORG),
            **{
                (method, app + tail): Rule(ORG, scope="organisation")
                for method, tail in (
                    ("GET", ""),
                    ("PATCH", ""),
                    ("GET", "/readiness"),
                    ("POST", "/submit"),
                    ("POST", "/withdraw"),
                    ("POST", "/renewals"),
                    ("POST", "/responses"),
                    ("POST", "/changes"),
                    ("POST", "/reconsideration"),
                    ("POST", "/sponsorship-end"),
                    ("POST", "/contact-confirmations"),
                )
            },
            ("POST", "/erasure-requests"): Rule(
                EITHER, ("data_protection_officer",), "organisation"
            ),
            ("GET", "/erasure-requests/<string:erasure_id>"): Rule(
                EITHER, ("data_protection_officer",), "organisation"
            ),
            ("GET", "/volunteer/confirmations/<string:token>"): Rule(LINK),
            ("POST", "/volunteer/confirmations/<string:token>"): Rule(LINK),
            ("POST", "/volunteer/opt-outs/<string:token>"): Rule(LINK),
        },
        "vetting": {
            **everywhere,
            **{
                (method, path): Rule(STAFF, VETTING)
                for method, path in (
                    ("GET", "/cases"),
                    ("GET", case),
                    ("GET", case + "/audit"),
                    ("POST", case + "/checks/<string:check>/result"),
                    ("POST", case + "/checks/<string:check>/retry"),
                    ("POST", case + "/clearance"),
                    ("POST", case + "/information-requests"),
                    ("POST", case + "/information-requests/<string:request_id>/answer"),
                    ("POST", case + "/refusal"),
                    ("POST", case + "/review"),
                    ("GET", "/clearances"),
                    ("GET", clearance),
                    ("GET", clearance + "/audit"),
                    ("POST", clearance + "/suspension"),
                    ("POST", clearance + "/reinstatement"),
                    ("GET", "/reports/cases"),
                    ("GET", "/reports/cases.csv"),
                    ("POST", case + "/assignment"),
                    ("DELETE", case + "/assignment"),
                    ("POST", case + "/identity/link"),
                    ("POST", case + "/identity/separation"),
                )
            },
            ("POST", case + "/refusal/countersignature"): Rule(STAFF, ("vetting_manager",)),
            ("POST", case + "/clearance/countersignature"): Rule(STAFF, ("vetting_manager",)),
            ("POST", clearance + "/revocation"): Rule(STAFF, ("vetting_manager",)),
            ("POST", case + "/history/acknowledgement"): Rule(STAFF, ("vetting_manager",)),
            # The seeded case concerns WWI: another establishment's governor gets 404.
            ("POST", case + "/reconsideration"): Rule(STAFF, ("governor",), "establishment"),
        },
        "access": {
            **everywhere,
            ("GET", "/establishments"): Rule(STAFF, SECURITY),
            **{
                (method, path): Rule(STAFF, SECURITY, "establishment")
                for method, path in (
                    ("GET", place + "/gate-check"),
                    ("GET", place + "/grants"),
                    ("GET", place + "/incoming"),
                    ("GET", place + "/queue"),
                    ("GET", grant),
                    ("GET", grant + "/history"),
                    ("POST", grant + "/approval"),
                    ("POST", grant + "/refusal"),
                    ("POST", grant + "/induction"),
                    ("POST", grant + "/suspension"),
                    ("POST", grant + "/reinstatement"),
                    ("POST", grant + "/ending"),
                    ("GET", "/people/<string:person_id>"),
                    ("GET", place + "/review-items"),
                    ("POST", "/review-items/<string:item_id>/resolution"),
                    ("GET", place + "/visits"),
                    ("POST", place + "/visits"),
                    ("POST", place + "/visits/<string:visit_id>/sign-out"),
                    ("GET", place + "/on-site"),
                    ("GET", place + "/people"),
                    ("GET", place + "/holders"),
                    ("GET", place + "/holders.csv"),
                    ("GET", grant + "/photo"),
                    ("PUT", grant + "/photo"),
                )
            },
            ("POST", grant + "/exclusion"): Rule(STAFF, ("head_of_security",), "establishment"),
            ("POST", grant + "/revocation"): Rule(STAFF, ("head_of_security",), "establishment"),
        },
        "notifications": {
            **everywhere,
            ("GET", "/notifications"): Rule(STAFF, ("operator",)),
            ("POST", "/notifications/<string:notification_id>/resend"): Rule(STAFF, ("operator",)),
            ("PUT", "/recipients/<string:application_id>/opt-outs"): Rule(STAFF, ("operator",)),
            ("POST", "/callbacks/notify"): Rule(CALLBACK),
        },
    }


CONNECTION = {"name": "A Person", "relationship": "Brother", "establishment": "BMI"}
BODIES: dict[str, dict[str, Any]] = {
    "/withdraw": {"reason": "Moving away."},
    "/reconsideration": {"grounds": "New information."},
    "/sponsorship-end": {"reason_code": "LEFT_ORGANISATION"},
    "/contact-confirmations": {"channel": "EMAIL"},
    "/responses": {"request_id": "r-1", "answers": [{"answer": "An answer."}]},
    "/changes": {"kind": "NEW_CONNECTION", "connection": CONNECTION},
    "/approval": {"access_type": "ESCORTED"},
    "/refusal": {"reason": "A good reason."},
    "/induction": {"item": "SECURITY_BRIEFING"},
    "/suspension": {"reason": "A good reason."},
    "/reinstatement": {"reason": "A good reason."},
    "/exclusion": {"reason": "A good reason.", "review_on": "2099-01-01"},
    "/revocation": {"reason": "A good reason."},
    "/ending": {"reason": "A good reason."},
    "/resolution": {"outcome": "DISMISS", "reason": "A good reason."},
}


def body_for(service: str, method: str, rule: str, ids: dict[str, str]) -> Any:
    if method not in ("POST", "PUT", "PATCH"):
        return None
    if rule == "/erasure-requests":
        return {"application_id": ids["application_id"]}
    if rule.endswith("/visits"):
        return {"person_id": ids["person_id"]}
    if service == "vetting":
        # A scoped route checks its body first: a valid one reaches the scope check.
        return (
            {"grounds": "A good reason to look again."} if rule.endswith("/reconsideration") else {}
        )
    return BODIES.get("/" + rule.rsplit("/", 1)[-1], {})


def expected(rule: Rule, caller: Caller) -> str:
    """ "allowed", or the status the caller must get."""
    if rule.credential == LINK:
        return "404"
    if caller.kind in ("none", "forged") or rule.credential == CALLBACK:
        return "401"
    takes_org = rule.credential in (ORG, EITHER)
    takes_staff = rule.credential in (STAFF, EITHER)
    if caller.kind == ORG:
        if not takes_org:
            return "401"
        return "404" if rule.scope == "organisation" and caller.organisation == "B" else "allowed"
    if not takes_staff:
        return "401"
    if not set(caller.roles) & set(rule.roles):
        return "403"
    if rule.scope == "establishment" and caller.establishment != "WWI":
        return "404"
    return "allowed"


def api_rules(app: Any) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(PUBLIC) and rule.rule != "/"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


class Seeded:
    """One record of every kind a path can name, owned by organisation A / held at WWI."""

    def __init__(self, env: dict[str, dict[str, str]]) -> None:
        from applications.service import definition
        from applications.service_layer import organisations
        from shared.web.app import create_web_app

        self.applications = platform_for("applications", env["applications"])
        self.keys = {}
        for name in ("A", "B"):
            with self.applications.unit_of_work() as uow:
                org = organisations.create_organisation(uow, f"Org {name}", "NA", "c@example.org")
                uow.commit()
            with self.applications.unit_of_work() as uow:
                self.keys[name] = organisations.issue_api_key(
                    uow, org.id, self.applications.settings.api_key_pepper
                )
                uow.commit()
        client = Client(create_web_app(definition(), self.applications).test_client(), self.keys)
        self.clients = {"applications": client.raw}
        draft = client.draft()
        # Vetting asked something about it: the organisation has a request to answer.
        hand(
            self.applications,
            "applications",
            "vetting.info_requested",
            {
                "case_id": str(uuid.uuid4()),
                "application_id": draft["id"],
                "request_id": "r-1",
                "items": [{"question": "Which?", "field": None}],
                "reason": "Unclear.",
                "requested_at": iso_now(),
            },
        )
        erasure = client.call("POST", "/erasure-requests", json={"application_id": draft["id"]})
        assert erasure.status_code == 202, erasure.json

        self.vetting = Vetting(env["vetting"])
        vetted_app, found = cleared(self.vetting)
        case_id = self.vetting.case(vetted_app)["id"]
        self.access = Access(env["access"])
        person_id = self.access.grant_clearance()["person_id"]
        # News naming someone else for the person: a review item at WWI.
        self.access.grant_clearance(person_id=person_id, surname="Someone-Else")
        [item] = self.access.call("GET", "/establishments/WWI/review-items").json
        self.access.put_photo(self.access.grant_id(person_id), jpeg_with_exif())
        # Someone on site at WWI: a visit to sign out.
        visitor = self.access.grant_clearance()["person_id"]
        self.access.activate(self.access.grant_id(visitor))
        visit = self.access.call(
            "POST", "/establishments/WWI/visits", "officer", json={"person_id": visitor}
        )
        assert visit.status_code == 201, visit.json
        self.notifications = Notifications(env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
        notified_app = self.notifications.submitted()
        self.clients.update(
            vetting=self.vetting.client,
            access=self.access.client,
            notifications=self.notifications.client,
        )
        self.ids = {
            "application_id": draft["id"],
            "erasure_id": erasure.json["id"],
            "case_id": case_id,
            "check": "IDENTITY",
            "clearance_id": found["id"],
            "code": "WWI",
            "person_id": person_id,
            "grant_id": self.access.grant_id(person_id),
            "item_id": item["id"],
            "visit_id": visit.json["id"],
            "request_id": str(uuid.uuid4()),
            "notification_id": self.notifications.rows(notified_app)[0].id,
        }
        self.notified_app = notified_app

    def close(self) -> None:
        for platform in (
            self.applications,
            self.vetting.platform,
            self.access.platform,
            self.notifications.platform,
        ):
            platform.engine.dispose()

    def path(self, service: str, rule: str) -> str:
        path = rule
        for name, value in self.ids.items():
            if name == "application_id" and service == "notifications":
                value = self.notified_app
            path = path.replace(f"<string:{name}>", str(value))
        return path

    def headers(self, caller: Caller, service: str) -> dict[str, str]:
        if caller.kind == "none":
            return {}
        if caller.kind == "forged":
            return {"Authorization": "Bearer forged.token.here"}
        if caller.kind == ORG:
            return {"Authorization": f"Bearer {self.keys[caller.organisation]}"}
        # Minted by the identity provider for this service (its audience).
        token = mint(
            service,
            f"matrix-{'-'.join(caller.roles)}",
            caller.roles,
            [caller.establishment] if caller.establishment else [],
            at=self.applications.clock.now(),
        )
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    # Once for the four services (module scope), on the embedded mode: what is tested is the
    # routes' guards, which do not depend on the database.
    filesystem.Transport.global_state.clear()
    var_dir = tmp_path_factory.mktemp("matrix") / "var"
    # Every caller's refusals come from one address: room for all of them within a minute
    # (the limit itself is tested in test_rate_limits).
    limits = {"RATE_LIMIT_UNAUTHENTICATED": "100000 per minute"}
    world = Seeded({service: {**embedded_env(var_dir), **limits} for service in SERVICES})
    yield world
    world.close()


@pytest.mark.parametrize("service", ["applications", "vetting", "access", "notifications"])
def test_every_endpoint_by_every_caller(seeded, service):
    client, declared = seeded.clients[service], rules()[service]
    found = api_rules(client.application)
    missing = [endpoint for endpoint in found if endpoint not in declared]
    assert not missing, f"{service}: endpoints without an authorisation rule here: {missing}"
    stale = [endpoint for endpoint in declared if endpoint not in found]
    assert not stale, f"{service}: rules for endpoints that no longer exist: {stale}"
    wrong = []
    for (method, rule), (name, caller) in itertools.product(found, CALLERS.items()):
        path = seeded.path(service, rule)
        query = (
            {"person": seeded.ids["person_id"]}
            if rule.endswith(("gate-check", "subject-access-request"))
            else {"name": "O'Neill"}
            if rule.endswith("/people")
            else {"person_id": seeded.ids["person_id"]}
            if rule.endswith("/visits") and method == "GET"
            else None
        )
        response = client.open(
            path,
            method=method,
            headers=seeded.headers(caller, service),
            json=body_for(service, method, rule, seeded.ids),
            query_string=query,
        )
        want = expected(declared[(method, rule)], caller)
        status = response.status_code
        ok = (
            status not in (401, 403, 404)
            if want == "allowed"
            else status == int(want)
            or (want == "401" and rule == "/callbacks/notify" and status == 404)
        )
        if not ok or status >= 500:
            wrong.append(f"{method} {rule} as {name}: {status}, expected {want}")
    assert not wrong, "\n".join(wrong)
