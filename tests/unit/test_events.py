import json
import uuid
from pathlib import Path

import pytest
from marshmallow import ValidationError

from shared.events import Envelope, EventRegistry, EventSpec, UnknownEvent
from shared.events.catalogue import build_registry
from shared.events.contracts.applications import ApplicationSubmittedV1
from shared.events.docs import render
from shared.events.vocabulary import publisher_of
from shared.messaging.subscriptions import subscriptions
from shared.messaging.topology import SERVICES
from tests.support.clock import iso_now, now

REPO = Path(__file__).resolve().parents[2]


def submitted_data() -> dict:
    return {
        "application_id": str(uuid.uuid4()),
        "organisation_id": str(uuid.uuid4()),
        "applicant": {
            "forenames": "Zoë",
            "surname": "D'Arcy",
            "email": "zoe@example.org",
            "preferred_channel": "EMAIL",
        },
        "role": "GROUP_FACILITATOR",
        "establishments": ["WWI"],
        "requested_access": "ESCORTED",
        "frequency": "REGULAR",
        "submitted_at": iso_now(),
    }


def test_envelope_round_trips_through_json():
    envelope = Envelope(
        type="application.submitted",
        version=1,
        source="applications",
        subject="s-1",
        data={"a": 1},
        correlation_id="c-1",
        causation_id="x",
        occurred_at=now(),
    )
    again = Envelope.from_json(envelope.to_json())
    assert again == envelope


@pytest.mark.parametrize(
    "broken",
    [
        {"type": "no-dot"},
        {"version": 0},
        {"id": "not-a-uuid"},
        {"occurred_at": "yesterday"},
        {"data": "not an object"},
        {"correlation_id": ""},
    ],
)
def test_envelope_rejects_invalid_fields(broken):
    good = json.loads(
        Envelope(
            type="a.b",
            version=1,
            source="s",
            subject="x",
            data={},
            correlation_id="c",
            occurred_at=now(),
        ).to_json()
    )
    with pytest.raises(ValidationError):
        Envelope.from_json({**good, **broken})


def test_envelope_rejects_unknown_fields():
    good = json.loads(
        Envelope(
            type="a.b",
            version=1,
            source="s",
            subject="x",
            data={},
            correlation_id="c",
            occurred_at=now(),
        ).to_json()
    )
    with pytest.raises(ValidationError):
        Envelope.from_json({**good, "extra": 1})


def test_registry_validates_data_and_returns_wire_form():
    registry = build_registry()
    data = registry.validate("application.submitted", 1, submitted_data())
    json.dumps(data)  # wire form is JSON-ready
    with pytest.raises(ValidationError) as error:
        registry.validate("application.submitted", 1, {**submitted_data(), "role": "BOSS"})
    assert "role" in error.value.messages


def test_registry_unknown_type_and_duplicate_registration():
    registry = build_registry()
    with pytest.raises(UnknownEvent):
        registry.get("application.submitted", 99)
    with pytest.raises(UnknownEvent):
        registry.latest("nothing.here")
    spec = EventSpec("a.b", 1, "s", ApplicationSubmittedV1, "x")
    with pytest.raises(ValueError, match="twice"):
        EventRegistry([spec, spec])


def test_every_subscription_names_a_catalogued_event_of_a_known_source():
    registry = build_registry()
    catalogued = {spec.type for spec in registry}
    for service, types in ((s, subscriptions(s)) for s in SERVICES):
        for event_type in types:
            assert event_type in catalogued, (service, event_type)
            assert publisher_of(event_type) == registry.latest(event_type).source


def test_events_document_is_generated_from_the_registry():
    document = (REPO / "docs" / "events.md").read_text()
    assert document == render(), "docs/events.md is stale: run `make events-doc`"
