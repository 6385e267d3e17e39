"""Erasure in vetting, access and notifications, each service on its own event, on
embedded SQLite and on real PostgreSQL: every personal value seeded as a unique sentinel, the
erasure run, then the whole database searched (decrypted, sealed audit parts opened where a
key is left) with zero hits; access ended before anything else; the report's counts and ids;
statistics columns kept; a second request changing nothing and reporting zeros; later news
about the erased ids dropped. A second person in the same database keeps everything (the
search finds their sentinels: it would find the erased person's too)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from access.models import Grant, IncomingCase
from notifications.domain.lifecycle import NotificationState
from notifications.models import Notification, Recipient
from notifications.service_layer import delivery
from tests.support.access_harness import Access
from tests.support.clock import iso_now, now
from tests.support.erasure import (
    dead_letter,
    emitted_since,
    hand,
    last_outbox_id,
    mark_published,
    person_erased,
    report,
    zeros,
)
from tests.support.notifications_harness import contacts_data
from tests.support.sentinel_scan import found, hits, sentinel
from tests.support.service_harness import ServiceHarness
from tests.support.vetting_harness import Vetting, submitted_data
from vetting.models import (
    CaseUpdate,
    Check,
    Clearance,
    InformationRequest,
    Person,
    PersonIdentifier,
    VettingCase,
)

# --- vetting ---------------------------------------------------------------------------------


def birth_date() -> str:
    """Unique enough: two people of a test share one with odds of 1 in 18,000."""
    return (date(1930, 1, 1) + timedelta(days=uuid.uuid4().int % 18_000)).isoformat()


def seeded_applicant(words: dict[str, str], mobile: str, birth: str) -> dict[str, Any]:
    data = submitted_data(f"{words['email']}@example.org")
    applicant = data["applicant"]
    applicant.update(
        forenames=words["forenames"],
        surname=words["surname"],
        middle_names=words["middle"],
        mobile=mobile,
        date_of_birth=birth,
    )
    details = applicant["details"]
    # Their own passport: the sample's is every sample applicant's.
    details["identity_documents"] = [{"type": "PASSPORT", "number": "P" + mobile[2:]}]
    details["addresses"][0]["line1"] = f"1 {words['street']} Street"
    details["declarations"]["convictions"][0]["offence"] = words["offence"]
    details["referees"][0]["surname"] = words["referee"]
    return applicant


@pytest.fixture
def vetting(backend_env):
    harness = Vetting(backend_env["vetting"])
    yield harness
    harness.platform.engine.dispose()


def seed_person(vetting: Vetting) -> tuple[list[str], dict[str, str]]:
    """Two applications of one person (two organisations): the first cleared, the second
    waiting on an officer after an information request was answered. Their sentinels."""
    words = {
        k: sentinel()
        for k in (
            "forenames",
            "surname",
            "middle",
            "email",
            "street",
            "offence",
            "referee",
            "reason",
            "question",
            "why",
            "answer",
            "dead",
            "condition",
        )
    }
    mobile = f"07{uuid.uuid4().int % 10**9:09d}"
    birth = birth_date()
    applicant = seeded_applicant(words, mobile, birth)
    first = vetting.submit(applicant=applicant)
    second = vetting.submit(applicant=applicant)
    vetting.work()
    cleared = vetting.call(
        "POST",
        f"/cases/{vetting.case(first)['id']}/clearance",
        # The officer's own words as a condition: erased with the rest.
        json={"reason": words["reason"], "other_condition": words["condition"]},
    )
    assert cleared.status_code == 201, cleared.json
    asked = vetting.call(
        "POST",
        f"/cases/{vetting.case(second)['id']}/information-requests",
        json={
            "items": [{"question": words["question"], "field": "addresses"}],
            "reason": words["why"],
        },
    )
    assert asked.status_code == 201, asked.json
    vetting.event(
        "application.info_provided",
        {
            "application_id": second,
            "request_id": asked.json["id"],
            "answers": [{"answer": words["answer"]}],
            "provided_at": iso_now(),
        },
    )
    dead_letter(vetting, second, words["dead"])
    return [first, second], {**words, "mobile": mobile, "birth": birth}


def test_vetting_revokes_then_erases_every_case_and_clearance_of_the_person(vetting):
    applications, seeded = seed_person(vetting)
    others, other_seeded = seed_person(vetting)
    secrets = list(seeded.values())
    # The search finds what is there (all but the mobile: vetting never keeps it).
    assert found(vetting.platform, secrets) == {s.casefold() for s in secrets} - {seeded["mobile"]}
    last = last_outbox_id(vetting)
    assert [vetting.case(a)["status"] for a in applications] == ["CLEARED", "AWAITING_DECISION"]

    erasure_id = str(uuid.uuid4())
    hand(
        vetting,
        "application.erasure_requested",
        {
            "erasure_id": erasure_id,
            "application_id": applications[1],
            "requested_at": iso_now(),
            "scope": "PERSON",
        },
        applications[1],
    )

    assert hits(vetting.platform, secrets) == []
    assert found(vetting.platform, other_seeded.values()) == {
        s.casefold() for s in other_seeded.values()
    } - {other_seeded["mobile"]}
    with vetting.platform.session_factory() as session:
        cases = {c.application_id: c for c in session.execute(select(VettingCase)).scalars()}
        mine = [cases[a] for a in applications]
        [clearance] = session.execute(
            select(Clearance).where(Clearance.case_id == mine[0].id)
        ).scalars()
        person = session.get(Person, mine[0].person_id)
        checks = list(session.execute(select(Check).where(Check.case_id == mine[0].id)).scalars())
        updates = list(
            session.execute(select(CaseUpdate).where(CaseUpdate.case_id == mine[1].id)).scalars()
        )
        [request] = session.execute(
            select(InformationRequest).where(InformationRequest.case_id == mine[1].id)
        ).scalars()
        other_clearances = list(
            session.execute(
                select(Clearance).where(Clearance.person_id == cases[others[0]].person_id)
            ).scalars()
        )
    # Access first: the clearance ended, quietly (access acts on the report, nobody is told).
    assert (clearance.status, clearance.suspension_reason) == ("REVOKED", "ERASURE")
    assert emitted_since(vetting, last) == ["vetting.person_erased"]
    assert [c.status for c in other_clearances] == ["ACTIVE"]
    # Statistics stay; what named or described the person is gone.
    assert [c.status for c in mine] == ["CLEARED", "WITHDRAWN"]  # the open one stops
    assert all(
        c.role
        and c.requested_access
        and c.frequency
        and c.establishments
        and c.required_level
        and c.policy_version
        and c.opened_at
        for c in mine
    )
    assert all(c.applicant is None and c.applicant_name == {} and c.risk is None for c in mine)
    assert (clearance.level, clearance.access, clearance.conditions) == (
        mine[0].required_level,
        "ESCORTED",
        [],
    )
    assert checks and all(
        c.name
        and c.status in ("PASSED", "ADVERSE")
        and c.result is None
        and c.provider_reference is None
        for c in checks
    )
    assert updates and all(u.kind and u.data == {} for u in updates)
    assert (request.items, request.reason, request.answers) == ([{"field": "addresses"}], "", None)
    assert person.match_key == f"erased:{person.id}"
    done = report(vetting, "vetting.person_erased", erasure_id)
    assert done["person_id"] == person.id and done["application_ids"] == sorted(applications)
    counts = done["counts"]
    assert (
        counts["clearances_revoked"],
        counts["cases"],
        counts["cases_closed"],
        counts["checks"],
        counts["case_updates"],
        counts["information_requests"],
        counts["people"],
        counts["dead_letters"],
    ) == (1, 2, 1, len(checks) * 2, 1, 1, 1, 1)
    assert counts["audit_keys"] >= 2 and counts["outbox_rows"] >= 4
    # Nothing left in the outbox about them but the report itself (copies purged).
    assert [
        e["type"]
        for e in vetting.published()
        if set(applications) & {e.get("application_id"), *(e.get("application_ids") or ())}
    ] == ["vetting.person_erased"]

    # Again, through the other application: nothing left to change, and it still reports.
    mark_published(vetting)
    again = str(uuid.uuid4())
    hand(
        vetting,
        "application.erasure_requested",
        {
            "erasure_id": again,
            "application_id": applications[0],
            "requested_at": iso_now(),
            "scope": "PERSON",
        },
        applications[0],
    )
    repeat = report(vetting, "vetting.person_erased", again)
    assert repeat["person_id"] == person.id
    assert repeat["application_ids"] == sorted(applications)
    # The only thing found: the first report, already published (a copy, purged like any).
    assert zeros(repeat["counts"], "outbox_rows") == {}
    assert hits(vetting.platform, secrets) == []

    # A late (redelivered) submission of an erased application brings nothing back.
    vetting.event(
        "application.submitted",
        submitted_data(
            application_id=applications[1],
            applicant=seeded_applicant(seeded, seeded["mobile"], seeded["birth"]),
        ),
    )
    assert hits(vetting.platform, secrets) == []


def test_an_organisations_erasure_leaves_the_person_the_clearance_and_the_others(vetting):
    """Organisation B erases its application for a person organisation A had cleared: B's case
    is stopped and blanked; the person, A's case, the clearance and what recognises the person
    stay; the report names B's application alone and no person."""
    applicant = seeded_applicant(
        {
            k: sentinel()
            for k in ("forenames", "surname", "middle", "email", "street", "offence", "referee")
        },
        f"07{uuid.uuid4().int % 10**9:09d}",
        birth_date(),
    )
    first = vetting.submit(applicant=applicant, organisation_id=str(uuid.uuid4()))
    vetting.work()
    assert (
        vetting.call(
            "POST", f"/cases/{vetting.case(first)['id']}/clearance", json={"reason": "Fine."}
        ).status_code
        == 201
    )
    organisation_b = str(uuid.uuid4())
    second = vetting.submit(applicant=applicant, organisation_id=organisation_b)
    assert vetting.case(second)["status"] == "CLEARED"  # the same person: served
    erasure_id = str(uuid.uuid4())
    hand(
        vetting,
        "application.erasure_requested",
        {
            "erasure_id": erasure_id,
            "application_id": second,
            "requested_at": iso_now(),
            "scope": "ORGANISATION",
            "organisation_id": organisation_b,
        },
        second,
    )
    [done] = [
        e for e in vetting.published("vetting.applications_erased") if e["erasure_id"] == erasure_id
    ]
    assert done["application_ids"] == [second] and "person_id" not in done
    assert vetting.published("vetting.person_erased") == []
    mine, theirs = vetting.case(first), vetting.case(second)
    assert mine["applicant"] and mine["applicant_name"]["surname"]
    assert theirs["applicant"] is None and theirs["applicant_name"] == {}
    [clearance] = vetting.call("GET", f"/clearances?person_id={mine['person_id']}").json
    assert clearance["status"] == "ACTIVE"
    with vetting.platform.session_factory() as session:
        assert (
            session.execute(
                select(PersonIdentifier).where(PersonIdentifier.person_id == mine["person_id"])
            ).first()
            is not None
        )
        assert session.get(Person, mine["person_id"]).match_key.startswith("person:")
    # The person's next application is still recognised, and still served.
    third = vetting.submit(applicant=applicant, organisation_id=str(uuid.uuid4()))
    assert vetting.case(third)["person_id"] == mine["person_id"]


def test_vetting_reports_an_application_it_never_saw_and_drops_it_later(vetting):
    application_id, erasure_id = str(uuid.uuid4()), str(uuid.uuid4())
    hand(
        vetting,
        "application.erasure_requested",
        {
            "erasure_id": erasure_id,
            "application_id": application_id,
            "requested_at": iso_now(),
            "scope": "PERSON",
        },
        application_id,
    )
    done = report(vetting, "vetting.person_erased", erasure_id)
    assert done["person_id"] is None and done["application_ids"] == [application_id]
    assert zeros(done["counts"]) == {}
    name = sentinel()
    vetting.event(
        "application.submitted",
        submitted_data(
            application_id=application_id,
            applicant={**submitted_data()["applicant"], "surname": name},
        ),
    )
    with vetting.platform.session_factory() as session:
        assert session.execute(select(VettingCase)).first() is None
    assert hits(vetting.platform, [name]) == []


# --- access ----------------------------------------------------------------------------------


@pytest.fixture
def access(backend_env):
    harness = Access(backend_env["access"])
    yield harness
    harness.platform.engine.dispose()


def seed_grants(access: Access) -> tuple[str, list[str], dict[str, str]]:
    """A person active at WWI (badge, terms, conditions, a reason), waiting at BMI, and
    incoming at WWI on a second application. Person id, application ids, sentinels."""
    words = {
        k: sentinel()
        for k in ("forenames", "surname", "area", "condition", "reason", "dead", "vetting_terms")
    }
    badge, birth = f"B-{sentinel()}", birth_date()
    person_id = str(uuid.uuid4())
    granted = access.grant_clearance(
        person_id=person_id,
        establishments=("WWI", "BMI"),
        forenames=words["forenames"],
        surname=words["surname"],
        date_of_birth=birth,
        custom_conditions=[{"code": "OTHER", "text": words["vetting_terms"]}],
    )
    access.activate(
        access.grant_id(person_id),
        badge=badge,
        permitted_areas=[words["area"]],
        conditions=[words["condition"]],
        reason=words["reason"],
    )
    second = str(uuid.uuid4())
    access.event(
        "vetting.case_opened",
        {
            "case_id": str(uuid.uuid4()),
            "application_id": second,
            "establishments": ["WWI"],
            "requested_access": "ESCORTED",
            "opened_at": iso_now(),
            "required_level": "STANDARD",
            "checks": ["IDENTITY"],
        },
    )
    dead_letter(access, granted["application_id"], words["dead"])
    return person_id, [granted["application_id"], second], {**words, "badge": badge, "birth": birth}


def test_access_ends_every_grant_at_once_and_erases_the_person(access):
    person_id, applications, seeded = seed_grants(access)
    other_id, _, other_seeded = seed_grants(access)
    secrets, other_secrets = list(seeded.values()), list(other_seeded.values())
    assert access.gate(person=person_id)["allowed"] is True
    assert found(access.platform, secrets) == {s.casefold() for s in secrets}
    last = last_outbox_id(access)

    erasure_id = person_erased(access, person_id, applications)

    assert access.gate(person=person_id)["reason"] == "ENDED"
    assert access.gate(person=other_id)["allowed"] is True
    # Nothing left anywhere: the badge number and permitted areas the audit log recorded were
    # sealed with the grant's key, which erasure destroyed.
    assert hits(access.platform, secrets) == []
    assert found(access.platform, other_secrets) == {s.casefold() for s in other_secrets}
    with access.platform.session_factory() as session:
        grants = {
            g.establishment_code: g
            for g in session.execute(select(Grant).where(Grant.person_id == person_id)).scalars()
        }
        incoming = session.execute(
            select(IncomingCase).where(IncomingCase.application_id.in_(applications))
        ).all()
    assert {code: g.status for code, g in grants.items()} == {"WWI": "ENDED", "BMI": "ENDED"}
    wwi = grants["WWI"]
    assert (wwi.access_type, wwi.clearance_level, wwi.clearance_status) == (
        "UNESCORTED",
        "ENHANCED",
        "REVOKED",
    )
    assert wwi.activated_at and wwi.decided_at and wwi.opened_at and wwi.clearance_expires_at
    assert set(wwi.induction) == {"SECURITY_BRIEFING", "ID_BADGE"}
    assert all(set(step) == {"at"} for step in wwi.induction.values())
    assert (wwi.forenames, wwi.date_of_birth, wwi.badge_number, wwi.permitted_areas) == (
        None,
        None,
        None,
        [],
    )
    assert incoming == []
    # Nobody is told: no per-grant event, only the report (and nothing else about them left).
    assert emitted_since(access, last) == ["access.person_erased"]
    assert [e["type"] for e in access.published() if e.get("person_id") == person_id] == [
        "access.person_erased"
    ]
    done = report(access, "access.person_erased", erasure_id)
    assert (done["person_id"], done["application_ids"]) == (person_id, sorted(applications))
    counts = done["counts"]
    assert (
        counts["grants_ended"],
        counts["grants"],
        counts["incoming_cases"],
        counts["dead_letters"],
    ) == (2, 2, 1, 1)
    assert counts["audit_keys"] >= 1 and counts["outbox_rows"] >= 2

    mark_published(access)
    again = person_erased(access, person_id, applications)
    assert zeros(report(access, "access.person_erased", again)["counts"], "outbox_rows") == {}
    # vetting's late news (a redelivered grant) reopens nothing and names nobody.
    access.grant_clearance(
        person_id=person_id,
        application_id=applications[0],
        forenames=seeded["forenames"],
        surname=seeded["surname"],
    )
    with access.platform.session_factory() as session:
        statuses = (
            session.execute(select(Grant.status).where(Grant.person_id == person_id))
            .scalars()
            .all()
        )
    assert sorted(statuses) == ["ENDED", "ENDED"]
    assert hits(access.platform, secrets) == []


# --- notifications ---------------------------------------------------------------------------


class Notifications(ServiceHarness):
    service = "notifications"
    staff: dict = {}


@pytest.fixture
def notes(backend_env):
    harness = Notifications(backend_env["notifications"], NOTIFICATIONS_QUIET_HOURS="")
    yield harness
    harness.platform.engine.dispose()


def seed_messages(notes: Notifications) -> tuple[str, list[str]]:
    """An application whose volunteer (names, email, mobile, an SMS opt-out) and coordinator
    were written to twice: one message sent, the others still queued."""
    words = {k: sentinel() for k in ("forenames", "surname", "email", "coordinator", "dead")}
    mobile = f"07{uuid.uuid4().int % 10**9:09d}"
    application_id = str(uuid.uuid4())
    hand(
        notes,
        "application.contacts_recorded",
        contacts_data(
            application_id,
            forenames=words["forenames"],
            surname=words["surname"],
            email=f"{words['email']}@example.org",
            mobile=mobile,
            channel="SMS",
            coordinator=f"{words['coordinator']}@example.org",
        ),
        application_id,
    )
    hand(
        notes,
        "application.received",
        {"application_id": application_id, "establishments": ["WWI"], "submitted_at": iso_now()},
        application_id,
    )
    hand(
        notes,
        "vetting.case_opened",
        {
            "case_id": str(uuid.uuid4()),
            "application_id": application_id,
            "establishments": ["WWI"],
            "requested_access": "ESCORTED",
            "opened_at": iso_now(),
        },
        application_id,
    )
    with notes.platform.session_factory.begin() as session:
        first = session.execute(
            select(Notification)
            .where(Notification.application_id == application_id)
            .order_by(Notification.id)
            .limit(1)
        ).scalar_one()
        first.status, first.sent_at = NotificationState.SENT, now()
        first.provider, first.provider_reference = "notify", str(uuid.uuid4())
    dead_letter(notes, application_id, words["dead"])
    return application_id, [*words.values(), mobile]


def test_notifications_erase_contacts_and_messages_and_cancel_what_is_unsent(notes):
    application_id, secrets = seed_messages(notes)
    other_id, other_secrets = seed_messages(notes)
    assert found(notes.platform, secrets) == {s.casefold() for s in secrets}
    last = last_outbox_id(notes)
    with notes.platform.session_factory() as session:
        kept = {
            n.id: (n.template, n.channel, n.recipient_kind, n.created_at)
            for n in session.execute(
                select(Notification).where(Notification.application_id == application_id)
            ).scalars()
        }
    assert len(kept) == 3  # received: volunteer (SMS) and coordinator; started: volunteer

    person_id = str(uuid.uuid4())
    erasure_id = person_erased(notes, person_id, [application_id])

    assert hits(notes.platform, secrets) == []
    assert found(notes.platform, other_secrets) == {s.casefold() for s in other_secrets}
    with notes.platform.session_factory() as session:
        rows = list(
            session.execute(
                select(Notification).where(Notification.application_id == application_id)
            ).scalars()
        )
        recipient = session.get(Recipient, application_id)
        due = (
            session.execute(
                select(Notification.application_id).where(
                    delivery.is_due(datetime(2100, 1, 1, tzinfo=UTC))
                )
            )
            .scalars()
            .all()
        )
    assert recipient is None
    assert {n.id: (n.template, n.channel, n.recipient_kind, n.created_at) for n in rows} == kept
    assert sorted(n.status for n in rows) == ["PERMANENT_FAILURE", "PERMANENT_FAILURE", "SENT"]
    assert all(n.subject == n.body == "" and n.recipient == f"erased:{n.id}" for n in rows)
    assert application_id not in due and other_id in due  # the sender never sends them
    assert emitted_since(notes, last) == ["notification.person_erased"]
    done = report(notes, "notification.person_erased", erasure_id)
    assert (done["person_id"], done["application_ids"]) == (person_id, [application_id])
    counts = done["counts"]
    assert (
        counts["recipients"],
        counts["notifications"],
        counts["notifications_cancelled"],
        counts["dead_letters"],
    ) == (1, 3, 2, 1)

    mark_published(notes)
    again = person_erased(notes, person_id, [application_id])
    assert zeros(report(notes, "notification.person_erased", again)["counts"], "outbox_rows") == {}
    # A late acknowledgement (redelivered) about the erased application: dropped, nothing
    # stored.
    hand(
        notes,
        "application.received",
        {"application_id": application_id, "establishments": ["WWI"], "submitted_at": iso_now()},
        application_id,
    )
    assert hits(notes.platform, secrets) == []
    with notes.platform.session_factory() as session:
        assert session.get(Recipient, application_id) is None
