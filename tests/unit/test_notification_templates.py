"""Message templates: every one the catalogue needs renders with realistic data; no SMS ever
names a fellowship, an offence, a reason, a prison or a wing (whatever the event carries); a bad
template set is refused with every problem named, and stops the service at start-up. Driven by
the catalogue and the event contracts: a new template is covered without touching this file."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2
import pytest
from marshmallow import Schema, fields, validate

from notifications.adapters.templates import TemplateError, Templates
from notifications.app import create_app
from notifications.domain.messages import MESSAGES, SECURITY_INBOX, VOLUNTEER, channels_for
from notifications.domain.personalisation import (
    DEFAULT_CONTACT_EMAIL,
    DEFAULT_SERVICE_NAME,
    DEFAULT_VETTING_EMAIL,
    DEFAULT_VETTING_PHONE,
    long_date,
    personalisation,
)
from notifications.service import definition
from shared.config import load_settings
from shared.events.catalogue import build_registry
from shared.platform import build_platform
from shared.reference import load_establishments

TEMPLATES = Templates.load()
REGISTRY = build_registry()
NAMES = {code: e.name for code, e in load_establishments().items()}
LONGEST = max(NAMES, key=lambda code: len(NAMES[code]))  # Kirklevington Grange (HMP & YOI)
OTHER = "WWI" if "WWI" in NAMES else sorted(NAMES)[0]
PEOPLE = [("Siobhán", "O'Neill-Ní Bhriain"), ("Zoë", "D'Arcy")]
CONSOLE = "https://access.example.gov.uk/console"
QUESTIONS = [
    'Where is "Tŷ Gwyn", the address you gave for 2019?',
    "Who is 'Mac', named in your referee's letter?",
]


# Realistic events on the wire, loaded below exactly as the consumer loads them. Each sample
# names the strings its emails must show: dates as people write them, past and future.
SAMPLES: dict[str, list[tuple[dict[str, Any], tuple[str, ...]]]] = {
    "application.received": [
        (
            {"establishments": [LONGEST, OTHER], "submitted_at": "2026-11-27T10:00:00+00:00"},
            (NAMES[LONGEST], NAMES[OTHER]),
        )
    ],
    "application.contact_confirmation_requested": [
        (
            {
                "channel": "EMAIL",
                "forenames": "x",
                "email": "a@example.org",
                "link": "http://127.0.0.1:8001/contacts/confirm/Tk9uZQ",
                "code": None,
                "expires_at": "2026-11-28T10:00:00+00:00",
                "requested_at": "2026-11-27T10:00:00+00:00",
            },
            ("http://127.0.0.1:8001/contacts/confirm/Tk9uZQ", "28 November 2026"),
        ),
        (
            {
                "channel": "SMS",
                "forenames": "x",
                "mobile": "07700900123",
                "link": "http://127.0.0.1:8001/contacts/code",
                "code": "493027",
                "expires_at": "2026-11-27T10:15:00+00:00",
                "requested_at": "2026-11-27T10:00:00+00:00",
            },
            ("http://127.0.0.1:8001/contacts/code",),
        ),
    ],
    "application.volunteer_link_sent": [
        (
            {
                "channel": "EMAIL",
                "forenames": "x",
                "email": "a@example.org",
                "mobile": None,
                "link": "http://127.0.0.1:8001/portal/volunteer/Tk9uZQ",
                "expires_at": "2026-12-11T10:00:00+00:00",
                "sent_at": "2026-11-27T10:00:00+00:00",
            },
            ("http://127.0.0.1:8001/portal/volunteer/Tk9uZQ", "11 December 2026"),
        ),
        (
            {
                "channel": "SMS",
                "forenames": "x",
                "email": None,
                "mobile": "07700900123",
                "link": "http://127.0.0.1:8001/portal/volunteer/Tk9uZQ",
                "expires_at": "2026-12-11T10:00:00+00:00",
                "sent_at": "2026-11-27T10:00:00+00:00",
            },
            ("http://127.0.0.1:8001/portal/volunteer/Tk9uZQ",),
        ),
    ],
    "organisation.member_invited": [
        (
            {
                "organisation_name": "Friends of Tŷ Gwyn & O'Neill's Recovery",
                "email": "new.coordinator@example.org",
                "role": "organisation_admin",
                "sign_in_url": "http://127.0.0.1:8001/portal",
                "invited_at": "2026-11-27T10:00:00+00:00",
            },
            (
                "Friends of Tŷ Gwyn & O'Neill's Recovery",
                "as an admin",
                "http://127.0.0.1:8001/portal",
            ),
        )
    ],
    "vetting.case_opened": [
        (
            {
                "establishments": [LONGEST],
                "requested_access": "ESCORTED",
                "opened_at": "2026-11-27T10:00:00+00:00",
            },
            (),
        )
    ],
    "vetting.info_requested": [
        (
            {
                "request_id": "r1",
                "items": [{"question": q, "field": None} for q in QUESTIONS],
                "reason": "We could not confirm where you lived in 2019.",
                "due_by": "2027-01-04",
                "requested_at": "2026-11-27T10:00:00+00:00",
            },
            (*QUESTIONS, "4 January 2027"),
        ),
        (
            {
                "request_id": "r2",
                "items": [{"question": QUESTIONS[0], "field": "addresses"}],
                "reason": "An address is missing.",
                "due_by": None,
                "requested_at": "2019-03-01T10:00:00+00:00",
            },
            (QUESTIONS[0],),
        ),
        (
            {
                "request_id": "r3",
                "items": [{"question": QUESTIONS[1], "field": None}],
                "reason": "The record check found a caution you did not declare.",
                "due_by": "2027-01-04",
                "requested_at": "2026-11-27T10:00:00+00:00",
                "sensitive": True,
            },
            ("4 January 2027",),
        ),
    ],
    "vetting.clearance_announced": [
        (
            {
                "level": "ENHANCED",
                "issued_at": "2026-11-27T10:00:00+00:00",
                "expires_at": "2029-11-27T10:00:00+00:00",
            },
            ("Level 3 (unescorted)", "27 November 2029"),
        )
    ],
    "vetting.clearance_refused": [
        ({"refused_at": "2026-11-27T10:00:00+00:00"}, ("reconsider", "once")),
        ({"refused_at": "2026-11-27T10:00:00+00:00", "reconsidered": True}, ("final",)),
    ],
    "vetting.information_chased": [
        (
            {
                "request_id": "req-1",
                "due_by": "2027-03-01",
                "requested_at": "2027-02-15T10:00:00+00:00",
                "chased_at": "2027-03-02T06:00:00+00:00",
                "sensitive": False,
                "lapses_on": "2027-03-12",
            },
            ("1 March 2027", "12 March 2027"),
        ),
        (
            {
                "request_id": "req-2",
                "due_by": "2027-03-01",
                "requested_at": "2027-02-15T10:00:00+00:00",
                "chased_at": "2027-03-02T06:00:00+00:00",
                "sensitive": True,
                "lapses_on": "2027-03-12",
            },
            ("1 March 2027", "12 March 2027"),
        ),
    ],
    "vetting.clearance_expiring": [
        (
            {"expires_at": "2027-06-30T23:30:00+00:00", "days_before": 30},
            ("1 July 2027", "30 days"),
        ),
        (
            {"expires_at": "2027-02-01T12:00:00+00:00", "days_before": 1},
            ("1 February 2027", "tomorrow"),
        ),
    ],
    "access.request_opened": [
        (
            {
                "establishment_code": LONGEST,
                "level": "ENHANCED_CTC",
                "max_access": "KEY_HOLDING",
                "clearance_expires_at": "2029-11-27T10:00:00+00:00",
                "renewal": False,
                "opened_at": "2026-11-27T10:00:00+00:00",
            },
            (
                NAMES[LONGEST],
                "Level 4 (counter-terrorism)",
                "key holding",
                CONSOLE,
                "new access request",
            ),
        ),
        (
            {
                "establishment_code": OTHER,
                "level": "STANDARD",
                "max_access": "ESCORTED",
                "clearance_expires_at": "2029-11-27T10:00:00+00:00",
                "renewal": True,
                "opened_at": "2026-11-27T10:00:00+00:00",
            },
            (NAMES[OTHER], "escorted", "renewal"),
        ),
    ],
    "access.approved": [
        (
            {
                "establishment_code": LONGEST,
                "access_type": "KEY_HOLDING",
                "valid_until": "2028-03-31T12:00:00+00:00",
                "decided_at": "2026-11-27T10:00:00+00:00",
            },
            (NAMES[LONGEST], "key holding", "31 March 2028", "photo ID", "key training"),
        ),
        (
            {"establishment_code": OTHER, "decided_at": "2026-11-27T10:00:00+00:00"},
            (NAMES[OTHER], "photo ID", "badge"),
        ),
    ],
    "access.activated": [
        (
            {
                "establishment_code": LONGEST,
                "status": "ACTIVE",
                "by": "ESTABLISHMENT",
                "at": "2026-11-27T10:00:00+00:00",
                "access_type": "UNESCORTED",
                "valid_until": "2028-03-31T12:00:00+00:00",
            },
            # An older publisher's event (no days, no areas): every day, areas as directed.
            (NAMES[LONGEST], "31 March 2028", "Access: unescorted", "Days: every day"),
        ),
        (
            {
                "establishment_code": OTHER,
                "status": "ACTIVE",
                "by": "ESTABLISHMENT",
                "at": "2026-11-27T10:00:00+00:00",
                "access_type": "ESCORTED",
                "valid_until": "2028-03-31T12:00:00+00:00",
                "permitted_days": ["THU", "TUE"],
                "permitted_areas": ["Chapel", "Education block"],
            },
            (
                "Access: escorted (a member of staff stays with you)",
                "Days: Tuesday and Thursday",
                "Areas: Chapel, Education block",
            ),
        ),
    ],
    "access.refused": [
        (
            {"establishment_code": LONGEST, "decided_at": "2026-11-27T10:00:00+00:00"},
            (NAMES[LONGEST], "decided not to give", "does not change"),
        )
    ],
    "access.reinstated": [
        (
            {
                "establishment_code": LONGEST,
                "status": "ACTIVE",
                "by": "ESTABLISHMENT",
                "at": "2026-11-27T10:00:00+00:00",
            },
            (NAMES[LONGEST], "no longer on hold", "again"),
        )
    ],
    "access.exclusion_review_due": [
        (
            {
                "establishment_code": OTHER,
                "status": "EXCLUDED",
                "by": "ESTABLISHMENT",
                "at": "2027-05-01T06:00:00+00:00",
                "review_on": "2027-05-01",
            },
            (NAMES[OTHER], "1 May 2027", "review", "still cannot visit"),
        )
    ],
    "vetting.clearance_suspension_announced": [
        (
            {"suspended_at": "2026-11-27T10:00:00+00:00"},
            ("on hold", "must not visit any prison"),
        )
    ],
    "vetting.clearance_reinstated": [
        ({"reinstated_at": "2026-11-27T10:00:00+00:00"}, ("no longer on hold",)),
    ],
    "vetting.clearance_revoked": [
        ({"revoked_at": "2026-11-27T10:00:00+00:00"}, ("withdrawn", "no longer visit any prison")),
    ],
    "vetting.clearance_expired": [
        (
            {"expired_at": "2029-06-30T23:30:00+00:00"},
            ("ended on 1 July 2029", "up to 12 weeks"),
        ),
    ],
    "access.suspended": [
        (
            {
                "establishment_code": LONGEST,
                "status": "SUSPENDED",
                "by": "VETTING",
                "at": "2026-11-27T10:00:00+00:00",
            },
            (NAMES[LONGEST],),
        )
    ],
    "access.excluded": [
        (
            {
                "establishment_code": LONGEST,
                "status": "EXCLUDED",
                "by": "ESTABLISHMENT",
                "at": "2026-11-27T10:00:00+00:00",
                "review_on": "2027-05-01",
            },
            (NAMES[LONGEST], "1 May 2027"),
        )
    ],
    "access.revoked": [
        (
            {
                "establishment_code": OTHER,
                "status": "REVOKED",
                "by": "ESTABLISHMENT",
                "at": "2026-11-27T10:00:00+00:00",
            },
            (NAMES[OTHER],),
        )
    ],
}


def loaded(event_type: str, wire: Mapping[str, Any]) -> dict[str, Any]:
    """The event as the consumer hands it over: loaded by its contract, with fresh ids."""
    version = REGISTRY.latest(event_type).version
    ids = {
        k: str(uuid.uuid4())
        for k, f in REGISTRY.schema(event_type, version).fields.items()
        if isinstance(f, fields.UUID)
    }
    return REGISTRY.load(event_type, version, {**ids, **wire})


# Messages about no volunteer: a portal invitation names only the organisation.
ABOUT_NOBODY = frozenset({"member_invited"})

# Every (event, template, recipient kind, channel) the catalogue sends.
NEEDED = [
    (event_type, message.template, kind, channel)
    for event_type, messages in MESSAGES.items()
    for message in messages
    for kind in message.recipients
    for channel in channels_for(kind)
]
CASES = [
    (event_type, template, kind, channel, n, person)
    for event_type, template, kind, channel in NEEDED
    for n in range(len(SAMPLES.get(event_type, [None])))
    for person in PEOPLE
]


def test_every_event_in_the_catalogue_has_a_realistic_sample() -> None:
    assert set(MESSAGES) <= set(SAMPLES), "add a sample event to SAMPLES"


@pytest.mark.parametrize(
    ("event_type", "template", "kind", "channel", "n", "person"),
    CASES,
    ids=[f"{c[1]}-{c[2]}.{c[3]}-{c[4]}-{c[5][0]}" for c in CASES],
)
def test_every_template_renders_with_realistic_data(
    event_type: str, template: str, kind: str, channel: str, n: int, person: tuple[str, str]
) -> None:
    wire, expected = SAMPLES[event_type][n]
    forenames, surname = person
    values = personalisation(
        event_type,
        loaded(event_type, wire),
        forenames=forenames,
        surname=surname,
        reference="4F7A21C9",
        establishment_names=NAMES,
        console_url=CONSOLE,
    )
    rendered = TEMPLATES.render(template, kind, channel, values)
    text = f"{rendered.subject or ''}\n{rendered.body}"
    for leftover in ("{{", "}}", "{%", "%}", "None", "&#39;", "&amp;", "&quot;", "\n\n\n"):
        assert leftover not in text, f"{leftover!r} in {template}/{kind}.{channel}:\n{text}"
    if channel == "sms":
        assert rendered.subject is None and forenames in rendered.body
        assert "4F7A21C9" in rendered.body and len(rendered.body) <= 200
        return
    assert rendered.subject and "\n" not in rendered.subject
    # Every email says who is writing and where to write back.
    assert DEFAULT_SERVICE_NAME in rendered.body and DEFAULT_CONTACT_EMAIL in rendered.body
    assert "a few weeks" not in text
    if kind != SECURITY_INBOX and template not in ABOUT_NOBODY:
        assert f"{forenames} {surname}" in text  # O'Neill stays O'Neill
    for phrase in expected:
        assert phrase in text, f"{phrase!r} missing from {template}/{kind}.{channel}:\n{text}"


# --- privacy: an SMS says something changed and where to look, nothing else ----------------

SENTINEL = (
    "Alcoholics Anonymous, Narcotics Anonymous, Cocaine Anonymous, Gamblers Anonymous, "
    "SMART Recovery, Al-Anon: SENTINEL-REASON conviction for a drug offence, caution, "
    "refused, B-Wing, HMP Sentinel"
)
SENTINEL_CODE = "SNTL"
DENYLIST = (
    "alcoholic",
    "narcotic",
    "cocaine",
    "gambl",
    "AA",
    "NA",
    "CA",
    "GA",
    "SMART Recovery",
    "Al-Anon",
    "anonymous",
    "offence",
    "conviction",
    "caution",
    "drug",
    "refused",
    "refusal",
    "reason",
    "sentinel",
    "wing",
    "prison",
    "HMP",
    "YOI",
    "suspen",
    "exclu",
    "revoke",
    "establishment",
    "console",
)
DENIED = [
    re.compile(rf"\b{re.escape(w)}" + (r"\b" if len(w) <= 3 else ""), re.IGNORECASE)
    for w in DENYLIST
]


def sentinel_value(field: fields.Field) -> Any:
    """A value of the field's type, carrying the sentinel wherever the contract allows text."""
    by_type: list[tuple[type, Any]] = [
        (fields.UUID, uuid.uuid4()),
        (fields.DateTime, datetime(2027, 11, 27, 9, tzinfo=UTC)),
        (fields.Date, date(2027, 11, 27)),
        (fields.Boolean, True),
        (fields.Number, 30),
        (fields.Email, "sentinel-b-wing@example.org"),
        (fields.Dict, {"question": SENTINEL, "field": SENTINEL, "reason": SENTINEL}),
    ]
    if isinstance(field, fields.Nested):
        return {name: sentinel_value(f) for name, f in field.schema.fields.items()}
    if isinstance(field, fields.List):
        return [sentinel_value(field.inner), sentinel_value(field.inner)]
    for kind, value in by_type:
        if isinstance(field, kind):
            return value
    choices = [v for v in field.validators if isinstance(v, validate.OneOf)]
    if choices:
        return next(iter(choices[0].choices))
    if any(isinstance(v, validate.Regexp) for v in field.validators):
        return SENTINEL_CODE
    return SENTINEL


def sentinel_event(event_type: str) -> dict[str, Any]:
    schema: Schema = REGISTRY.schema(event_type, REGISTRY.latest(event_type).version)
    return {name: sentinel_value(f) for name, f in schema.fields.items()}


SMS_CASES = [(e, t) for e, t, _kind, channel in NEEDED if channel == "sms"]


@pytest.mark.parametrize(
    ("event_type", "template"), SMS_CASES, ids=[f"{e}-{t}" for e, t in SMS_CASES]
)
def test_no_sms_names_a_fellowship_offence_reason_prison_or_wing(
    event_type: str, template: str
) -> None:
    names = {**NAMES, SENTINEL_CODE: SENTINEL}
    events = [sentinel_event(event_type)] + [loaded(event_type, w) for w, _ in SAMPLES[event_type]]
    for data in events:
        values = personalisation(
            event_type,
            data,
            forenames="Zoë",
            surname="D'Arcy " + SENTINEL,
            reference="4F7A21C9",
            establishment_names=names,
            console_url=CONSOLE + "/b-wing",
        )
        body = TEMPLATES.render(template, VOLUNTEER, "sms", values).body
        for pattern in DENIED:
            assert not pattern.search(body), f"{pattern.pattern} in {template} SMS: {body}"
        for name in names.values():
            assert name not in body
        assert "D'Arcy" not in body  # first name and reference only


# --- validation ------------------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TEMPLATES.directory, tmp_path / "templates"))


def problems(directory: Path) -> str:
    with pytest.raises(TemplateError) as caught:
        Templates.load(directory).validate()
    return str(caught.value)


def test_the_packaged_templates_validate_clean() -> None:
    TEMPLATES.validate()


def test_a_field_the_event_lacks_is_named_with_its_file(copy: Path) -> None:
    path = copy / "clearance_granted" / "volunteer.email.txt"
    path.write_text(path.read_text("utf-8") + "\nYour group: {{ fellowship }}\n", "utf-8")
    message = problems(copy)
    assert "clearance_granted/volunteer.email.txt" in message and "fellowship" in message


def test_a_missing_file_is_named(copy: Path) -> None:
    (copy / "access_revoked" / "coordinator.email.txt").unlink()
    assert "access_revoked/coordinator.email.txt is missing" in problems(copy)


def test_an_sms_naming_the_establishment_is_refused(copy: Path) -> None:
    path = copy / "access_suspended" / "volunteer.sms.txt"
    path.write_text("Hello {{ forenames }}, {{ establishment_name }} changed.\n", "utf-8")
    message = problems(copy)
    assert "access_suspended/volunteer.sms.txt" in message and "establishment_name" in message
    # Even unchecked, a text is never given the field: rendering fails, nothing is sent.
    values = {"forenames": "Zoë", "reference": "R", "establishment_name": "HMP Sentinel"}
    with pytest.raises(jinja2.UndefinedError):
        Templates.load(copy).render("access_suspended", VOLUNTEER, "sms", values)


def test_every_problem_is_listed_at_once(copy: Path) -> None:
    (copy / "clearance_granted" / "security_inbox.email.txt").write_text(
        "Subject: x\n\nx\n", "utf-8"
    )
    (copy / "access_active" / "volunteer.email.txt").write_text("No subject\n", "utf-8")
    (copy / "access_revoked" / "volunteer.sms.txt").write_text("{{ forenames ", "utf-8")
    message = problems(copy)
    assert message.startswith("3 problem(s)")
    for expected in (
        "clearance_granted/security_inbox.email.txt: no event in the catalogue",
        "access_active/volunteer.email.txt: an email file must start with a 'Sub",
        "access_revoked/volunteer.sms.txt:",
    ):
        assert expected in message


def test_the_service_stops_at_start_up_naming_the_problem(copy: Path, tmp_path: Path) -> None:
    path = copy / "access_approved" / "volunteer.email.txt"
    path.write_text(path.read_text("utf-8").replace("{{ valid_until }}", "{{ wing }}"), "utf-8")
    settings = load_settings(
        "notifications", {"VAR_DIR": str(tmp_path), "NOTIFICATIONS_TEMPLATES_DIR": str(copy)}
    )
    with pytest.raises(SystemExit) as web:
        create_app(settings)
    for expected in ("the service stops", "access_approved/volunteer.email.txt", "wing"):
        assert expected in str(web.value.code)
    with pytest.raises(SystemExit):  # the consumer too
        definition().handlers(build_platform(settings))


# --- personalisation -------------------------------------------------------------------------


def test_dates_are_written_for_people_on_london_time() -> None:
    assert long_date(date(2027, 11, 27)) == "27 November 2027"
    assert long_date(datetime(2027, 6, 30, 23, 30, tzinfo=UTC)) == "1 July 2027"
    assert long_date(datetime(2027, 1, 31, 23, 30, tzinfo=UTC)) == "31 January 2027"
    assert long_date("2019-03-01") == "1 March 2019"


def _information_requested(n: int, channel: str, **contact: str) -> str:
    event = "vetting.info_requested"
    values = personalisation(
        event,
        loaded(event, SAMPLES[event][n][0]),
        forenames="Zoë",
        surname="D'Arcy",
        reference="4F7A21C9",
        establishment_names=NAMES,
        console_url=CONSOLE,
        **contact,
    )
    return TEMPLATES.render("information_requested", VOLUNTEER, channel, values).body


def test_a_sensitive_request_tells_the_volunteer_to_answer_the_vetting_team_directly() -> None:
    email = _information_requested(
        2, "email", vetting_email="vetting@moj.example", vetting_phone="0113 496 0999"
    )
    for phrase in (
        "vetting@moj.example",
        "0113 496 0999",
        "4F7A21C9",
        "4 January 2027",
        "did not declare",
    ):
        assert phrase in email, email
    # Never "through your coordinator": the organisation was not told what was asked.
    assert "coordinator" not in email and "They will send them to us" not in email
    sms = _information_requested(2, "sms")
    assert DEFAULT_VETTING_PHONE in sms and "organisation" not in sms and len(sms) <= 200
    # A plain request keeps its wording: the coordinator passes the answers on.
    plain = _information_requested(0, "email")
    assert "coordinator" in plain and DEFAULT_VETTING_EMAIL not in plain
    assert "contact your organisation" in _information_requested(0, "sms")


def test_personalisation_makes_only_the_catalogue_fields() -> None:
    data = loaded("access.suspended", SAMPLES["access.suspended"][0][0])
    values = personalisation(
        "access.suspended",
        data,
        forenames="Zoë",
        surname="D'Arcy",
        reference="R",
        establishment_names=NAMES,
        console_url=CONSOLE,
    )
    assert values == {
        "forenames": "Zoë",
        "surname": "D'Arcy",
        "reference": "R",
        "service_name": DEFAULT_SERVICE_NAME,
        "contact_email": DEFAULT_CONTACT_EMAIL,
        "establishment_name": NAMES[LONGEST],
    }
