"""Generate the event catalogue document from the registry: `python -m shared.events.docs`."""

from __future__ import annotations

from marshmallow import Schema, fields

from shared.events.catalogue import build_registry
from shared.events.envelope import EnvelopeSchema
from shared.events.readers import is_personal, readers_of, walk
from shared.messaging.subscriptions import subscriptions
from shared.messaging.topology import SERVICES


def _field_type(field: fields.Field) -> str:
    if isinstance(field, fields.Nested):
        nested = field.nested if isinstance(field.nested, type) else type(field.nested)
        return f"object ({nested.__name__})"
    if isinstance(field, fields.List):
        return f"list of {_field_type(field.inner)}"
    return type(field).__name__.lower()


def _field_rows(schema: Schema, prefix: str = "") -> list[str]:
    rows = []
    for name, field in schema.fields.items():
        required = "yes" if field.required else "no"
        rows.append(f"| `{prefix}{name}` | {_field_type(field)} | {required} |")
        if isinstance(field, fields.Nested):
            rows.extend(_field_rows(field.schema, prefix=f"{prefix}{name}."))
    return rows


def _reader_rows(event_type: str, schema: Schema) -> list[str]:
    rows = []
    for path, name, field in walk(schema):
        required = "yes" if field.required else "no"
        if is_personal(name, field):
            readers = readers_of(event_type, path)
            who = "**undeclared**" if readers is None else ", ".join(readers) or "nobody (not sent)"
            kind = "personal"
        else:
            who, kind = "subscribers", ""
        rows.append(f"| `{path}` | {_field_type(field)} | {required} | {kind} | {who} |")
    return rows


def render() -> str:
    registry = build_registry()
    lines = [
        "# Event catalogue",
        "",
        "Generated from `shared/src/shared/events/catalogue.py` (schemas in `contracts/`) by",
        "`make events-doc`; a test fails when this file and the registry disagree.",
        "",
        "## Envelope (every event)",
        "",
        "| field | type | required |",
        "|---|---|---|",
        *_field_rows(EnvelopeSchema()),
        "",
        "Routing: exchange `<source>.events` (topic), routing key = `type`.",
        "",
        "Each event's fields say who reads them. A personal field (names, contacts, dates of",
        "birth, documents, addresses, free text, a clearance's conditions) lists the services",
        "that read it, declared in `shared/src/shared/events/readers.py` and checked against",
        "their code by a test, which also fails on a personal field that nobody reads. A queue",
        "receives whole messages, so every subscriber gets every field: the test fails too when a",
        "subscriber gets a personal field it does not read, and a consumer that needs less gets a",
        "smaller event of its own, published with the larger one (`application.received`,",
        "`application.withdrawal_announced`, `vetting.info_request_announced`,",
        "`vetting.application_cleared`, `vetting.clearance_announced`). Any other field is there",
        "for the subscribers that need it.",
        "",
    ]
    for spec in registry:
        consumers = sorted(s for s in SERVICES if spec.type in subscriptions(s))
        lines += [
            f"## `{spec.type}` v{spec.version}",
            "",
            spec.description,
            "",
            f"Published by **{spec.source}**; consumed by "
            f"{', '.join(f'**{c}**' for c in consumers) or 'nobody yet'}.",
            "",
            "| field | type | required | data | read by |",
            "|---|---|---|---|---|",
            *_reader_rows(spec.type, spec.schema()),
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render(), end="")
