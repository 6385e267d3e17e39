"""BROKER_QUEUE_TYPE: which arguments the topology declares its RabbitMQ queues with."""

from __future__ import annotations

import pytest

from shared.config import load_settings
from shared.messaging.topology import SERVICES, Topology

AMQP = {"BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//", "BROKER_PREFIX": "p."}


def _queues(topology: Topology, service: str):
    return (
        topology.inbox_queue(service),
        topology.retry_queue(service),
        topology.dead_letter_queue(service),
    )


def test_classic_by_default_declares_no_queue_type_argument():
    # Unchanged from before the option existed: redeclaring existing queues stays equivalent.
    topology = Topology(load_settings("vetting", AMQP))
    assert topology.settings.broker_queue_type == "classic"
    inbox, retry, dead = _queues(topology, "vetting")
    assert inbox.queue_arguments == {
        "x-dead-letter-exchange": "p.dead-letter",
        "x-dead-letter-routing-key": "vetting",
    }
    assert retry.queue_arguments == {
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": "p.vetting.inbox",
    }
    assert not dead.queue_arguments


@pytest.mark.parametrize("service", SERVICES)
def test_quorum_declares_every_queue_as_quorum(service: str):
    topology = Topology(load_settings(service, {**AMQP, "BROKER_QUEUE_TYPE": "quorum"}))
    inbox, retry, dead = _queues(topology, service)
    assert inbox.queue_arguments == {
        "x-dead-letter-exchange": "p.dead-letter",
        "x-dead-letter-routing-key": service,
        "x-queue-type": "quorum",
    }
    # The retry queue's only purpose is the hop back to the inbox: at-least-once keeps a
    # message until the inbox confirmed it (and RabbitMQ requires reject-publish for that).
    assert retry.queue_arguments == {
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": f"p.{service}.inbox",
        "x-queue-type": "quorum",
        "x-dead-letter-strategy": "at-least-once",
        "x-overflow": "reject-publish",
    }
    assert dead.queue_arguments == {"x-queue-type": "quorum"}
    assert all(
        queue.durable and not queue.auto_delete and not queue.exclusive
        for queue in (inbox, retry, dead)
    ), "quorum queues must be durable"


def test_the_embedded_transport_ignores_the_queue_type():
    topology = Topology(load_settings("access", {"BROKER_QUEUE_TYPE": "quorum"}))
    assert not topology.is_quorum
    assert topology.inbox_queue("access").queue_arguments is None


@pytest.mark.parametrize(
    "value, expected", [("", "classic"), ("Quorum", "quorum"), (" classic ", "classic")]
)
def test_the_setting_is_read_case_insensitively(value: str, expected: str):
    assert load_settings("access", {"BROKER_QUEUE_TYPE": value}).broker_queue_type == expected


def test_an_unknown_queue_type_stops_the_process():
    with pytest.raises(ValueError, match="BROKER_QUEUE_TYPE='stream'"):
        load_settings("access", {"BROKER_QUEUE_TYPE": "stream"})
