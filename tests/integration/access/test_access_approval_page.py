"""The approval page shows what a decision needs: the organisation and role, the group and area
(application.placement_announced), the clearance's conditions, and a prominent flag when the
person declared a connection with someone held at this establishment (vetting's
connection_establishments, the code only). Each event is idempotent under duplicate delivery.
A prison's exclusion or revocation is published for vetting with its reason; dates on the page
read as the console writes them; a gate answer for a request not yet approved has no end date."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.support.access_harness import Access
from tests.support.clock import now
from tests.support.console_harness import csrf
from tests.support.erasure import person_erased
from tests.support.events import deliver, envelope
from tests.support.subject_access_world import DPO, PATH

ORGANISATION = "Fellowship of Hope"
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def placement(application_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "application_id": application_id,
        "organisation_id": str(uuid.uuid4()),
        "organisation_name": ORGANISATION,
        "role": "GROUP_FACILITATOR",
        "group_name": "Tuesday evening meeting",
        "area": "Chapel",
        "announced_at": now().isoformat(),
        **changes,
    }


def twice(access: Access, event_type: str, data: dict[str, Any]) -> None:
    """The same envelope redelivered (the inbox), then the same news in a new envelope (the
    use case's own idempotence)."""
    event = envelope(access.platform.registry, event_type, data)
    deliver(access.platform, "access", event)
    deliver(access.platform, "access", event)
    access.event(event_type, data)


def placements(access: Access) -> list[Any]:
    from sqlalchemy import select

    from access.models import ApplicationPlacement

    with access.platform.session_factory() as session:
        return list(session.execute(select(ApplicationPlacement)).scalars())


def test_the_page_shows_organisation_role_group_area_and_conditions(console):
    access = console.access
    application_id = str(uuid.uuid4())
    twice(access, "application.placement_announced", placement(application_id))
    assert len(placements(access)) == 1
    data = access.grant_clearance(
        application_id=application_id, conditions=("NO_LONE_WORKING", "EXCLUDE:BMI")
    )
    grant_id = access.grant_id(data["person_id"])
    page = console.signed_in("officer").get(f"/console/grants/{grant_id}").text
    assert "What they will do here" in page
    for shown in (ORGANISATION, "Group facilitator", "Tuesday evening meeting", "Chapel"):
        assert shown in page, shown
    assert "NO_LONE_WORKING" in page  # the clearance's conditions for this establishment
    assert "Declared connection" not in page  # none declared here
    # The person's own copy (subject access) has what the application said.
    access.staff = {**access.staff, "dpo": DPO}
    answer = access.call("GET", PATH, "dpo", query_string={"person": data["person_id"]})
    assert answer.status_code == 200, answer.json
    [placed] = answer.json["content"]["placements"]
    assert (placed["organisation_name"], placed["group_name"]) == (
        ORGANISATION,
        "Tuesday evening meeting",
    )


def test_a_missing_group_and_area_say_so_and_an_unknown_placement_is_not_invented(console):
    access = console.access
    application_id = str(uuid.uuid4())
    access.event(
        "application.placement_announced",
        placement(application_id, group_name=None, area=None, role="VISITING_SPEAKER"),
    )
    data = access.grant_clearance(application_id=application_id)
    page = console.signed_in("officer").get(f"/console/grants/{access.grant_id(data['person_id'])}")
    assert "Visiting speaker" in page.text and page.text.count("Not given") == 2
    # A grant whose application's placement never arrived: said, not guessed.
    other = console.signed_in("officer").get(f"/console/grants/{console.grant_id}").text
    assert "have not reached this service yet" in other and ORGANISATION not in other


def test_a_declared_connection_is_flagged_only_where_it_was_declared(console):
    access = console.access
    sent = access.grant_clearance(establishments=("WWI", "BMI"), connection_establishments=["WWI"])
    person_id = sent["person_id"]
    event = envelope(access.platform.registry, "vetting.clearance_granted", sent)
    deliver(access.platform, "access", event)  # redelivered: nothing new
    here, there = access.grant_id(person_id, "WWI"), access.grant_id(person_id, "BMI")
    assert access.grant(here)["declared_connection"] is True
    assert access.grant(there, who="other")["declared_connection"] is False
    page = console.signed_in("officer").get(f"/console/grants/{here}").text
    assert 'data-flag="declared-connection"' in page
    assert (
        "govuk-notification-banner" in page and "Declared connection with someone held here" in page
    )
    elsewhere = console.signed_in("other").get(f"/console/grants/{there}").text
    assert "Declared connection" not in elsewhere
    # The queue marks it too, at that establishment only.
    assert "Declared connection" in console.signed_in("officer").get("/console/queue").text
    assert "Declared connection" not in console.signed_in("other").get("/console/queue").text
    # Another establishment's staff cannot read this grant (nor its flag) at all.
    assert console.signed_in("other").get(f"/console/grants/{here}").status_code == 404


def test_a_renewal_that_declares_no_connection_clears_the_flag(console):
    access = console.access
    first = access.grant_clearance(connection_establishments=["WWI"])
    person_id = first["person_id"]
    grant_id = access.grant_id(person_id)
    assert access.grant(grant_id)["declared_connection"] is True
    access.grant_clearance(person_id=person_id, replaces_clearance_id=first["clearance_id"])
    assert access.grant(access.grant_id(person_id))["declared_connection"] is False


def test_an_older_publisher_without_the_field_flags_nothing(console):
    access = console.access
    sent = access.grant_clearance()
    assert "connection_establishments" not in sent
    assert access.grant(access.grant_id(sent["person_id"]))["declared_connection"] is False


def test_erasure_forgets_the_placement_and_the_flag(console):
    access = console.access
    application_id = str(uuid.uuid4())
    access.event("application.placement_announced", placement(application_id))
    sent = access.grant_clearance(application_id=application_id, connection_establishments=["WWI"])
    person_erased(access, sent["person_id"], [application_id])
    assert placements(access) == []
    from access.models import Grant

    with access.platform.session_factory() as session:
        grant = session.get(Grant, access.grant_id(sent["person_id"]))
        assert grant is not None and grant.declared_connection is False
    # Late news about the erased application brings nothing back.
    access.event("application.placement_announced", placement(application_id))
    assert placements(access) == []


def test_exclusion_and_revocation_are_published_for_vetting_with_the_reason(console):
    access = console.access
    excluded = access.grant_clearance()
    excluded_grant = access.grant_id(excluded["person_id"])
    access.activate(excluded_grant)
    review_on = (now().date().replace(year=now().year + 1)).isoformat()
    access.decide(
        excluded_grant,
        "exclusion",
        {"reason": "Passed a package to a prisoner.", "review_on": review_on},
        who="head",
    )
    revoked = access.grant_clearance()
    revoked_grant = access.grant_id(revoked["person_id"])
    access.activate(revoked_grant)
    access.decide(revoked_grant, "revocation", {"reason": "Threatened staff."}, who="head")
    evidence = access.published("access.decision_evidence")
    assert [(e["grant_id"], e["decision"], e["reason"], e["review_on"]) for e in evidence] == [
        (excluded_grant, "EXCLUDED", "Passed a package to a prisoner.", review_on),
        (revoked_grant, "REVOKED", "Threatened staff.", None),
    ]
    # The events notifications hears still carry no reason.
    for event_type in ("access.excluded", "access.revoked"):
        [sent] = access.published(event_type)
        assert "reason" not in sent and "Threatened" not in str(sent) and "package" not in str(sent)


def test_ending_a_grant_publishes_no_evidence(console):
    access = console.access
    access.activate(console.grant_id)
    access.decide(console.grant_id, "ending", {"reason": "Moved away."})
    assert access.published("access.decision_evidence") == []


def test_an_approval_error_gives_the_clearance_expiry_in_words(console):
    client = console.signed_in("officer")
    response = client.post(
        f"/console/grants/{console.grant_id}/approve",
        data={"csrf_token": csrf(client), "access_type": "UNESCORTED", "valid_until": "2099-01-01"},
    )
    assert response.status_code == 422
    expires = console.access.grant(console.grant_id)["clearance"]["expires_at"]
    assert re.search(r"clearance expires \(\d{1,2} [A-Z][a-z]+ \d{4}\)", response.text)
    assert expires[:10] not in response.text.split("clearance expires", 1)[1][:40]
    assert not ISO_MOMENT.search(response.text.split('class="govuk-error-summary', 1)[1][:2000])


def test_a_request_not_yet_approved_is_not_allowed_and_shows_no_end_date(console):
    access = console.access
    answer = access.gate(person=console.person_id)
    assert answer["allowed"] is False and answer["valid_until"] is None
    client = console.signed_in("officer")
    page = client.post(
        "/console/gate", data={"csrf_token": csrf(client), "person_id": console.person_id}
    ).text
    assert "NOT ALLOWED" in page and "Valid until" not in page.split("gate-verdict", 1)[1]
    access.activate(console.grant_id)
    page = client.post(
        "/console/gate", data={"csrf_token": csrf(client), "person_id": console.person_id}
    ).text
    assert "ALLOWED" in page and "Valid until" in page
