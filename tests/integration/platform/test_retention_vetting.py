"""Retention in vetting, on both run modes: its `retention run` purges what is past its
period and nothing else, keeps what statistics and what still lives need, audits each purge,
changes nothing on a dry run and purges nothing the second time."""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from shared import retention
from shared.db import dead_letters_table, outbox_table
from tests.support.clock import iso_now, now
from tests.support.retention_world import (
    ANSWER,
    CHECK_SENTINELS,
    CONNECTION,
    GROUNDS,
    NOTE,
    OFFENCE,
    QUESTION,
    REASON,
    SIX_MONTHS_ON,
    TWELVE_MONTHS_ON,
    UPHELD,
    WITHDRAWAL,
    add_dead_letter,
    audited,
    cli_run,
    count,
    dump,
    env_of,
    later,
    publish_outbox,
    purge,
    raw,
    with_env,
    zeros,
)
from tests.support.vetting_harness import Vetting, submitted_data
from vetting.models import Clearance, Person, PersonIdentifier, VettingCase
from vetting.service_layer import retention as vetting_retention


@pytest.fixture
def vetting(backend_env):
    harness = Vetting(backend_env["vetting"])
    yield harness
    harness.platform.engine.dispose()


SENTINEL_DETAILS = {
    "declarations": {
        "convictions": [
            {"kind": "CAUTION", "offence": OFFENCE, "date": "2009-03-01", "disposal": "CAUTION"}
        ],
        "on_licence": False,
        "release_date": None,
    },
    "connections": [{"name": CONNECTION, "relationship": "Cousin", "establishment": "BMI"}],
}


def open_case(vetting: Vetting, surname: str, email: str | None = None, **overrides: Any) -> str:
    data = submitted_data(email, details=SENTINEL_DETAILS, **overrides)
    data["applicant"]["surname"] = surname
    # A person of their own: their own passport (the sample's is shared by every sample).
    data["applicant"]["details"]["identity_documents"] = [
        {"type": "PASSPORT", "number": f"P{zlib.crc32(surname.encode()):010d}"}
    ]
    vetting.event("application.submitted", data)
    return data["application_id"]


def decide(
    vetting: Vetting, app_id: str, action: str, body: dict, who: str = "officer", expect: int = 200
) -> dict:
    case = vetting.case(app_id)
    response = vetting.call("POST", f"/cases/{case['id']}{action}", who=who, json=body)
    assert response.status_code == expect, response.json
    return response.json


def event(vetting: Vetting, event_type: str, app_id: str, **data: Any) -> None:
    vetting.event(event_type, {"application_id": app_id, **data})


def seed_vetting(vetting: Vetting) -> dict[str, str]:
    """Three people: one cleared (and a withdrawn second application), one refused (upheld on
    reconsideration), one with a withdrawn application and a live one."""
    cleared = open_case(vetting, "Retention-Cleared-P1")
    vetting.work()
    decide(
        vetting,
        cleared,
        "/information-requests",
        {"items": [{"question": QUESTION, "field": "declarations"}], "reason": REASON},
        expect=201,
    )
    request_id = vetting.case(cleared)["information_requests"][0]["id"]
    event(
        vetting,
        "application.info_provided",
        cleared,
        request_id=request_id,
        answers=[{"answer": ANSWER}],
        provided_at=iso_now(),
    )
    vetting.clear(cleared, {"reason": "Old caution, declared."})
    # A second application of the cleared person asks for more than the clearance allows.
    withdrawn_too = open_case(vetting, "Retention-Cleared-P1", requested_access="UNESCORTED")
    event(
        vetting, "application.withdrawn", withdrawn_too, reason=WITHDRAWAL, withdrawn_at=iso_now()
    )

    refused = open_case(vetting, "Retention-Refused-P2", "r+sim-undeclared@example.org")
    vetting.work()
    decide(vetting, refused, "/refusal", {"reasons": [REASON]})
    decide(
        vetting,
        refused,
        "/refusal/countersignature",
        {"decision": "CONFIRM", "note": NOTE},
        who="manager",
    )
    event(
        vetting,
        "application.reconsideration_requested",
        refused,
        grounds=GROUNDS,
        requested_at=iso_now(),
    )
    decide(vetting, refused, "/refusal", {"reasons": [UPHELD]}, who="officer2")

    withdrawn = open_case(vetting, "Retention-Live-P3")
    event(vetting, "application.withdrawn", withdrawn, reason=WITHDRAWAL, withdrawn_at=iso_now())
    live = open_case(vetting, "Retention-Live-P3", requested_access="UNESCORTED")
    vetting.work()
    return {
        "cleared": cleared,
        "withdrawn_too": withdrawn_too,
        "refused": refused,
        "withdrawn": withdrawn,
        "live": live,
    }


def stable(view: dict[str, Any]) -> dict[str, Any]:
    """A case view without what the clock changes."""
    return {k: v for k, v in view.items() if k not in ("age_s", "waited_s")}


def people(vetting: Vetting) -> dict[str, tuple[str, int]]:
    """Each person's key and how many identifiers recognise them, by person id."""
    with vetting.platform.session_factory() as session:
        counts = dict(
            session.execute(
                select(PersonIdentifier.person_id, func.count()).group_by(
                    PersonIdentifier.person_id
                )
            ).all()
        )
        return {
            person.id: (person.match_key, counts.get(person.id, 0))
            for person in session.execute(select(Person)).scalars()
        }


def person_of(vetting: Vetting, app_id: str) -> str:
    return vetting.case(app_id)["person_id"]


def test_vetting_purges_check_details_then_closed_applicants_and_keeps_what_lives(vetting):
    apps = seed_vetting(vetting)
    platform = vetting.platform
    for name in ("cleared", "refused", "live"):
        assert OFFENCE in dump(vetting.case(apps[name]))
    before = {name: vetting.case(app_id) for name, app_id in apps.items()}
    assert {name: view["status"] for name, view in before.items()} == {
        "cleared": "CLEARED",
        "withdrawn_too": "WITHDRAWN",
        "refused": "REFUSED",
        "withdrawn": "WITHDRAWN",
        "live": "AWAITING_DECISION",
    }
    assert QUESTION in raw(platform) and "Retention-Refused-P2" in raw(platform)
    published = publish_outbox(platform)
    add_dead_letter(platform, now(), body=f'{{"offence": "{OFFENCE}"}}')
    add_dead_letter(platform, None, body="{}")

    # Five months on, nothing is due (and the outbox is kept a year here).
    early = retention.run(
        platform.session_factory,
        with_env(platform, RETENTION_OUTBOX_DAYS="365"),
        vetting_retention.PURGES,
        later(5 * 30),
        clock=platform.clock,
    )
    assert zeros(early), early

    # A dry run counts what is due and changes nothing.
    six = later(SIX_MONTHS_ON)
    expected = {
        "check_details": 4,
        "closed_applicants": 0,
        "people": 0,
        "outbox": published,
        "dead_letters": 1,
    }
    assert purge(platform, vetting_retention.PURGES, six, dry_run=True) == expected
    assert {name: stable(vetting.case(app_id)) for name, app_id in apps.items()} == {
        name: stable(view) for name, view in before.items()
    }
    assert count(platform, outbox_table) == published
    assert audited(platform, "retention.check_details_purged") == []

    # Past six months: every closed case's check details go; names and statistics stay.
    assert cli_run("vetting", env_of(platform), "--at", six.isoformat()) == expected
    for name in ("cleared", "withdrawn_too", "refused", "withdrawn"):
        view = vetting.case(apps[name])
        assert not any(s in dump(view) for s in CHECK_SENTINELS), name
        assert view["applicant_name"]["surname"].startswith("Retention-")
        assert view["status"] == before[name]["status"]
        assert view["required_level"] == before[name]["required_level"]
        assert [(c["name"], c["status"], c["result"]) for c in view["checks_detail"]] == [
            (c["name"], c["status"], None) for c in before[name]["checks_detail"]
        ]
        assert "addresses" in view["applicant"]["details"]  # only the record's sections go
    cleared = vetting.case(apps["cleared"])
    assert cleared["risk"] == {
        k: before["cleared"]["risk"][k]
        for k in ("recommendation", "complete", "policy_version", "assessed_on")
    }
    [request] = cleared["information_requests"]
    assert request["answers"] is None and request["items"] == [{"field": "declarations"}]
    assert all(set(u["data"]) <= set(vetting_retention.UPDATE_KEPT) for u in cleared["updates"])
    refused = vetting.case(apps["refused"])
    assert refused["refusal"] == {
        k: before["refused"]["refusal"][k]
        for k in ("proposed_by", "proposed_at", "countersigned_by", "countersigned_at")
    }
    assert refused["reconsideration"]["outcome"] == "UPHELD"
    assert "grounds" not in refused["reconsideration"]
    assert stable(vetting.case(apps["live"])) == stable(before["live"])
    assert QUESTION not in raw(platform) and REASON not in raw(platform)
    assert count(platform, outbox_table) == 0 and count(platform, dead_letters_table) == 1
    entries = audited(platform, "retention.check_details_purged")
    assert len(entries) == 4 and {e["actor"] for e in entries} == {"retention"}
    assert {e["actor_kind"] for e in entries} == {"SYSTEM"}
    assert not any(s in dump(entries) for s in CHECK_SENTINELS)
    assert "risk.factors" in dump(entries)  # which fields went, not what they held

    # Again at the same moment: nothing.
    assert zeros(purge(platform, vetting_retention.PURGES, six))

    # Past twelve months: refused and withdrawn applicants are anonymised; a person goes only
    # when nothing live needs them.
    keys = people(vetting)
    twelve = later(TWELVE_MONTHS_ON)
    assert purge(platform, vetting_retention.PURGES, twelve) == {
        "check_details": 0,
        "closed_applicants": 3,
        "people": 1,
        "outbox": 0,
        "dead_letters": 0,
    }
    for name in ("withdrawn_too", "refused", "withdrawn"):
        view = vetting.case(apps[name])
        assert view["applicant"] is None and view["applicant_name"] == {}
        assert "Retention-" not in dump(view)
        assert view["status"] == before[name]["status"] and view["role"] == before[name]["role"]
        assert view["establishments"] == before[name]["establishments"]
        assert all(c["provider_reference"] is None for c in view["checks_detail"])
    after = people(vetting)
    refused_person = person_of(vetting, apps["refused"])
    assert after[refused_person] == ("anonymised:" + refused_person, 0)  # unrecognisable
    for name in ("cleared", "live"):  # a clearance, a live case: kept
        person = person_of(vetting, apps[name])
        assert after[person] == keys[person] and after[person][1] > 0
    assert "retention-refused-p2" not in raw(platform)
    assert "Retention-Refused-P2" not in raw(platform)
    cleared = vetting.case(apps["cleared"])
    assert cleared["applicant_name"]["surname"] == "Retention-Cleared-P1"
    assert cleared["applicant"]["date_of_birth"]
    with platform.session_factory() as session:
        assert session.execute(select(Clearance.status)).scalars().all() == ["ACTIVE"]
    assert OFFENCE in dump(vetting.case(apps["live"]))
    assert zeros(purge(platform, vetting_retention.PURGES, twelve))


def test_a_case_decided_again_is_purged_again_once_that_decision_is_old(vetting):
    app_id = open_case(vetting, "Retention-Review-P4")
    vetting.work()
    vetting.clear(app_id, {"reason": "Fine."})
    platform = vetting.platform
    assert purge(platform, vetting_retention.PURGES, later(SIX_MONTHS_ON))["check_details"] == 1
    # Reported later: a new conviction reopens the case for review (its clock stops), and the
    # review's decision starts it again.
    event(
        vetting,
        "application.circumstances_changed",
        app_id,
        kind="NEW_CONVICTION",
        details={
            "kind": "CONVICTION",
            "offence": OFFENCE,
            "date": "2024-01-05",
            "disposal": "FINE",
        },
        reported_at=iso_now(),
    )
    assert vetting.case(app_id)["status"] == "REVIEW"
    assert purge(platform, vetting_retention.PURGES, later(SIX_MONTHS_ON))["check_details"] == 0
    assert OFFENCE in dump(vetting.case(app_id))
    decide(vetting, app_id, "/review", {"outcome": "CONTINUE", "reason": "Minor."})
    with platform.session_factory() as session:
        closed_at = session.execute(select(VettingCase.closed_at)).scalar_one()
    assert (
        purge(platform, vetting_retention.PURGES, closed_at + timedelta(days=5 * 30))[
            "check_details"
        ]
        == 0
    )
    assert OFFENCE in dump(vetting.case(app_id))
    assert (
        purge(platform, vetting_retention.PURGES, closed_at + timedelta(days=SIX_MONTHS_ON))[
            "check_details"
        ]
        == 1
    )
    assert OFFENCE not in dump(vetting.case(app_id))
