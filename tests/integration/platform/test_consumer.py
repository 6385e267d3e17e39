"""The idempotent consumer: duplicates, poison messages, retries, dead letters and replay."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.db import dead_letters_table, inbox_table, outbox_table
from tests.support import operator_cli, wait_for
from tests.support.platforms import (
    ConsumerThread,
    count,
    platform_for,
    publish_raw,
    service_handlers,
    submitted_envelope,
)
from vetting.models import VettingCase

FAST_RETRIES = {"consumer_retry_base_s": 0.05, "consumer_max_attempts": 3}


def test_the_same_event_delivered_three_times_has_one_effect(backend_env):
    vetting = platform_for("vetting", backend_env["vetting"])
    envelope = submitted_envelope()
    publish_raw(vetting, [envelope, envelope, envelope])
    with ConsumerThread(vetting, service_handlers("vetting", vetting)) as consumer:
        wait_for(lambda: consumer.dispatcher.stats["duplicates"] == 2, message="3 deliveries")
    assert count(vetting, VettingCase.__table__) == 1
    assert count(vetting, outbox_table) == 1
    assert count(vetting, inbox_table) == 1


def test_invalid_payload_is_dead_lettered_with_its_error_and_others_flow_on(backend_env):
    vetting = platform_for("vetting", backend_env["vetting"])
    bad = submitted_envelope(role="ARCHBISHOP")
    good = submitted_envelope()
    publish_raw(vetting, [bad, "this is not json", good])
    with ConsumerThread(vetting, service_handlers("vetting", vetting)):
        wait_for(lambda: count(vetting, VettingCase.__table__) == 1, message="good event")
        wait_for(lambda: count(vetting, dead_letters_table) == 2, message="two dead letters")
    with vetting.engine.connect() as conn:
        rows = conn.execute(dead_letters_table.select().order_by(dead_letters_table.c.id)).all()
    by_event = {row.event_id: row for row in rows}
    assert "role" in by_event[bad.id].error and by_event[bad.id].event_type == bad.type
    assert any(
        row.error.startswith(("undecodable", "invalid message"))
        and row.event_id is None
        and row.body == "this is not json"
        for row in rows
    ), rows


def test_unknown_event_types_are_acknowledged_and_not_dead_lettered(backend_env):
    vetting = platform_for("vetting", backend_env["vetting"])
    future = submitted_envelope()
    body = json.loads(future.to_json())
    body["version"] = 99
    publish_raw(vetting, [json.dumps(body), submitted_envelope()])
    with ConsumerThread(vetting, service_handlers("vetting", vetting)) as consumer:
        wait_for(lambda: consumer.dispatcher.stats["unknown"] == 1, message="unknown acked")
        wait_for(lambda: count(vetting, VettingCase.__table__) == 1, message="next event")
    assert count(vetting, dead_letters_table) == 0


def test_a_failing_handler_retries_then_dead_letters_and_replays_after_the_fix(backend_env):
    vetting = platform_for("vetting", backend_env["vetting"], **FAST_RETRIES)
    real_handlers = service_handlers("vetting", vetting)
    attempts = []
    fixed = False

    def flaky_open_case(uow, event):
        attempts.append(event.id)
        if not fixed:
            raise RuntimeError("bug in the handler")
        real_handlers["application.submitted"][0](uow, event)

    handlers = {"application.submitted": [flaky_open_case]}
    envelope = submitted_envelope()
    publish_raw(vetting, [envelope])
    with ConsumerThread(vetting, handlers) as consumer:
        wait_for(lambda: count(vetting, dead_letters_table) == 1, message="dead letter")
        assert len(attempts) == FAST_RETRIES["consumer_max_attempts"]
        fixed = True
        with vetting.engine.connect() as conn:
            [row] = conn.execute(dead_letters_table.select()).all()
        assert "bug in the handler" in row.error and row.attempts == 3
        assert row.handler.endswith("flaky_open_case")
        consumer.dispatcher.replay_dead_letter(row.id)
        consumer.dispatcher.replay_dead_letter(row.id)  # a second replay changes nothing
    assert count(vetting, VettingCase.__table__) == 1
    assert count(vetting, dead_letters_table, dead_letters_table.c.replayed_at.is_not(None)) == 1


def test_dead_letter_cli_lists_and_replays(backend_env):
    """The operator's commands: `python -m vetting dead-letters …`."""
    env = {**backend_env["vetting"]}
    vetting = platform_for("vetting", env)
    with vetting.session_factory.begin() as session:
        # A dead letter whose event is valid now (as after a fix): replay must apply it.
        envelope = submitted_envelope()
        session.execute(
            dead_letters_table.insert(),
            {
                "event_id": envelope.id,
                "event_type": envelope.type,
                "handler": "vetting.service_layer.open_case",
                "body": envelope.to_json(),
                "error": "RuntimeError('was broken')",
                "attempts": 5,
                "created_at": envelope.occurred_at,
                "replayed_at": None,
            },
        )

    operator = operator_cli("vetting", env)

    def cli(*args: str) -> Any:
        return operator("dead-letters", *args)

    listed = cli("list")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.strip().splitlines()
    assert json.loads(line)["error"] == "RuntimeError('was broken')"
    replayed = cli("replay", "--all")
    assert replayed.returncode == 0, replayed.stderr
    assert count(vetting, VettingCase.__table__) == 1
    assert cli("list").stdout.strip() == ""


def test_retries_go_through_the_delayed_retry_queue_on_rabbitmq(real_env):
    vetting = platform_for("vetting", real_env["vetting"], **FAST_RETRIES)
    real_handlers = service_handlers("vetting", vetting)
    calls = []

    def fails_twice(uow, event):
        calls.append(event.id)
        if len(calls) < 3:
            raise RuntimeError("transient")
        real_handlers["application.submitted"][0](uow, event)

    publish_raw(vetting, [submitted_envelope()])
    with ConsumerThread(vetting, {"application.submitted": [fails_twice]}):
        wait_for(lambda: count(vetting, VettingCase.__table__) == 1, message="third attempt")
    assert len(calls) == 3
    assert count(vetting, dead_letters_table) == 0


def test_dead_letters_raise_a_notice_without_the_event_on_rabbitmq(real_env):
    vetting = platform_for("vetting", real_env["vetting"])
    bad = submitted_envelope(frequency="SOMETIMES")
    publish_raw(vetting, [bad])
    with ConsumerThread(vetting, service_handlers("vetting", vetting)):
        wait_for(lambda: count(vetting, dead_letters_table) == 1, message="dead letter")
    with vetting.connection() as connection:
        queue = vetting.topology.dead_letter_queue("vetting")(connection.default_channel)
        message = wait_for(lambda: queue.get(no_ack=True), message="DLQ copy")
    assert message.payload == {
        "service": "vetting",
        "event_id": bad.id,
        "event_type": "application.submitted",
        "handler": None,
        "attempts": 1,
        "error_type": "invalid message",
    }
    # The event and its error stay in the database (erasure and retention reach them there).
    assert "x-error" not in message.headers and "Sam" not in message.body
    assert "SOMETIMES" not in message.body


@pytest.mark.parametrize("attempt", [1])
def test_database_outage_does_not_burn_attempts(backend_env, attempt):
    """A handler that cannot reach its database is not the message's fault: no dead letter."""
    from sqlalchemy import exc as sa_exc

    vetting = platform_for("vetting", backend_env["vetting"], **FAST_RETRIES)
    real = service_handlers("vetting", vetting)["application.submitted"][0]
    outages = []

    def database_away(uow, event):
        if len(outages) < 5:
            outages.append(1)
            raise sa_exc.OperationalError("SELECT 1", {}, Exception("connection refused"))
        real(uow, event)

    publish_raw(vetting, [submitted_envelope()])
    with ConsumerThread(vetting, {"application.submitted": [database_away]}):
        wait_for(lambda: count(vetting, VettingCase.__table__) == 1, message="after outage")
    assert len(outages) == 5 > FAST_RETRIES["consumer_max_attempts"]
    assert count(vetting, dead_letters_table) == 0
