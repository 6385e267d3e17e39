"""Who reads each personal field of each event: the minimum each consumer needs, said once.

A field is personal (`is_personal`) when it names or reaches a person or says something about
them in words: names, contacts, dates of birth, documents and addresses (`details`), free text
(reasons, grounds, answers, questions), the conditions of a clearance (they can point at a
connection with a prisoner); or when its schema says so (`metadata={"personal": True}`).

Every personal field of every contract is declared here with the services that read it, and a
test (tests/unit/test_event_readers.py) holds the declarations to the code: each reader
subscribes to the event and its code names the field, and no personal field is read by nobody
(an event must not carry a person's data that no consumer uses: stop sending it instead).
Other fields are read by any subscriber that needs them (`docs/events.md` says "subscribers").

A queue receives whole messages: every subscriber of an event gets every field of it. So the
test also fails when a subscriber receives a personal field it does not read: the cure is a
smaller event for that subscriber, published with the larger one (as application.received is
for notifications, vetting.application_cleared for applications).
"""

from __future__ import annotations

from collections.abc import Iterator

from marshmallow import Schema, fields

PERSONAL_NAMES = frozenset(
    {
        "forenames",
        "surname",
        "middle_names",
        "date_of_birth",
        "email",
        "mobile",
        "details",
        "coordinator_email",
        "reason",
        "grounds",
        "answers",
        "items",
        "conditions",
    }
)

V, AC, AP, N = "vetting", "access", "applications", "notifications"

READERS: dict[str, dict[str, tuple[str, ...]]] = {
    "application.submitted": {
        "applicant.forenames": (V,),
        "applicant.surname": (V,),
        "applicant.middle_names": (V,),
        "applicant.date_of_birth": (V,),
        "applicant.email": (V,),
        "applicant.details": (V,),
        # No longer sent (notifications learn contacts from application.contacts_recorded):
        # optional in v1, so an old publisher's copy still validates; nobody reads it.
        "applicant.mobile": (),
        "coordinator_email": (),
    },
    "application.placement_announced": {"organisation_name": (AC,), "group_name": (AC,)},
    "application.info_provided": {"answers": (V,)},
    "application.withdrawn": {"reason": (V,)},
    "application.circumstances_changed": {"details": (V,)},
    "application.reconsideration_requested": {"grounds": (V,)},
    "application.contacts_recorded": {
        "volunteer.forenames": (N,),
        "volunteer.surname": (N,),
        "volunteer.email": (N,),
        "volunteer.mobile": (N,),
        "coordinator.email": (N,),
    },
    "application.contact_confirmation_requested": {
        "forenames": (N,),
        "email": (N,),
        "mobile": (N,),
    },
    "application.volunteer_link_sent": {
        "forenames": (N,),
        "email": (N,),
        "mobile": (N,),
    },
    "organisation.member_invited": {"email": (N,)},
    "vetting.info_requested": {"items": (N,), "reason": (N,)},
    "vetting.info_request_announced": {"items": (AP,), "volunteer_items": (AP,)},
    "vetting.clearance_granted": {
        "conditions": (AC,),
        "custom_conditions": (AC,),
        "forenames": (AC,),
        "surname": (AC,),
        "date_of_birth": (AC,),
        "connection_establishments": (AC,),
    },
    "vetting.application_cleared": {"conditions": (AP,)},
    "vetting.clearance_suspended": {"reason": (AP, AC)},
    "access.decision_evidence": {"reason": (V,)},
}

# Declared as sent by nobody: the test lets these be read by nobody.
NOT_SENT = frozenset(
    {("application.submitted", "applicant.mobile"), ("application.submitted", "coordinator_email")}
)


def walk(schema: Schema, prefix: str = "") -> Iterator[tuple[str, str, fields.Field]]:
    """(path, leaf name, field) for every field, nested ones as `outer.inner`."""
    for name, field in schema.fields.items():
        yield f"{prefix}{name}", name, field
        if isinstance(field, fields.Nested):
            yield from walk(field.schema, f"{prefix}{name}.")


def is_personal(name: str, field: fields.Field) -> bool:
    if isinstance(field, fields.Nested):
        return False  # its fields say
    return name in PERSONAL_NAMES or bool(field.metadata.get("personal"))


def readers_of(event_type: str, path: str) -> tuple[str, ...] | None:
    """The declared readers of a personal field; None when not declared."""
    return READERS.get(event_type, {}).get(path)
