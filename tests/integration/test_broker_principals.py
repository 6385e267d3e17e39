"""Each service is its own principal on the broker, on real RabbitMQ.

One virtual host and four users for the module (`python -m shared broker-setup`'s work, through
rabbitmqctl on the shared server); the TLS tests start a private node with a certificate of a
throwaway CA and the management plugin (broker-setup through the HTTP API there).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from amqp.exceptions import AccessRefused, PreconditionFailed
from kombu import Connection, Consumer, Queue

from shared.broker_setup import permissions_for
from shared.config import load_settings
from shared.db import dead_letters_table
from shared.events import Envelope
from shared.messaging.admin import BrokerAdminError
from shared.messaging.connection import make_connection
from shared.messaging.publisher import BrokerPublisher, OutgoingMessage
from shared.messaging.subscriptions import subscriptions
from shared.messaging.topology import SERVICES, Topology, TopologyMissing
from shared.messaging.trust import UNTRUSTED_PUBLISHER
from tests.support import operator_cli, wait_for
from tests.support.access_harness import Access
from tests.support.backends import unavailable
from tests.support.broker_principals import BrokerPrincipals
from tests.support.clock import iso_now, now
from tests.support.platforms import ConsumerThread, count, service_handlers
from tests.support.private_servers import PrivateServerUnavailable, free_port, private_rabbitmq
from tests.support.tls import make_certificates

FAST_RETRIES = {"consumer_retry_base_s": 0.05, "consumer_max_attempts": 3}


@pytest.fixture(scope="module")
def broker(amqp_url: str) -> Iterator[BrokerPrincipals]:
    try:
        principals = BrokerPrincipals(amqp_url, "rabbitmqctl:").__enter__()
    except BrokerAdminError as exc:
        unavailable(f"rabbitmqctl cannot administer the broker here: {exc}")
    try:
        yield principals
    finally:
        principals.close()


def topology(broker: BrokerPrincipals, service: str) -> Topology:
    return Topology(load_settings(service, broker.service_env(service)))


def publish_as(
    broker: BrokerPrincipals,
    service: str,
    envelope: Envelope,
    *,
    exchange: str | None = None,
    routing_key: str | None = None,
    user_id: str | None = None,
) -> None:
    """Publish with `service`'s credentials (by default to the exchange of the event's type)."""
    own = topology(broker, service)
    with Connection(broker.url_for(service)) as connection:
        BrokerPublisher(connection, user_id=user_id or broker.users[service]).publish_batch(
            [
                OutgoingMessage(
                    exchange=own.exchange_for(envelope.type).name if exchange is None else exchange,
                    routing_key=routing_key or envelope.type,
                    body=envelope.to_json(),
                    message_id=envelope.id,
                    correlation_id=envelope.correlation_id,
                    event_type=envelope.type,
                )
            ]
        )


def vetting_event(event_type: str, data: dict) -> Envelope:
    return Envelope(
        type=event_type,
        version=1,
        source="vetting",
        subject=data["application_id"],
        data=data,
        correlation_id=str(uuid.uuid4()),
        occurred_at=now(),
    )


def test_broker_setup_is_idempotent_and_allows_each_service_only_its_own(broker):
    again = broker.setup()
    assert again == broker.setup()
    listed = subprocess.run(
        ["rabbitmqctl", "-q", "list_permissions", "-p", broker.vhost, "--formatter", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    granted = {
        row["user"]: (row["configure"], row["write"], row["read"])
        for row in json.loads(listed.stdout)
    }
    for service in SERVICES:
        allowed = permissions_for(broker.prefix, service)
        assert granted[broker.users[service]] == (allowed.configure, allowed.write, allowed.read)
        # Each finds its own objects as its own user (what its processes check at start).
        with make_connection(load_settings(service, broker.service_env(service))) as connection:
            topology(broker, service).declare_all(connection)
    # Objects broker-setup has not made: the process says so instead of declaring them.
    elsewhere = {**broker.service_env("vetting"), "BROKER_PREFIX": "not-set-up."}
    with (
        pytest.raises(TopologyMissing, match="broker-setup"),
        make_connection(load_settings("vetting", elsewhere)) as connection,
    ):
        Topology(load_settings("vetting", elsewhere)).declare_all(connection)


@pytest.mark.parametrize(
    "attempt",
    [
        "another service's exchange",
        "the default exchange",
        "another's name",
        "another's inbox",
        "a queue of its own on another's exchange",
    ],
)
def test_the_broker_refuses_what_is_not_the_services_own(broker, attempt):
    applications = topology(broker, "applications")
    event = vetting_event("vetting.clearance_reinstated", {"application_id": "x"})
    if attempt == "another service's exchange":
        with pytest.raises(AccessRefused, match=r"vetting\.events"):
            publish_as(broker, "applications", event)
    elif attempt == "the default exchange":  # straight into access's inbox
        with pytest.raises(AccessRefused, match=r"amq\.default"):
            publish_as(
                broker,
                "applications",
                event,
                exchange="",
                routing_key=applications.inbox_name("access"),
            )
    elif attempt == "another's name":  # its own exchange, claiming to be vetting
        with pytest.raises(PreconditionFailed, match="user_id"):
            publish_as(
                broker,
                "applications",
                event,
                exchange=applications.events_exchange("applications").name,
                user_id=broker.users["vetting"],
            )
    elif attempt == "another's inbox":
        with (
            pytest.raises(AccessRefused, match=r"access\.inbox"),
            Connection(broker.url_for("applications")) as connection,
        ):
            Consumer(
                connection.channel(),
                queues=[Queue(applications.inbox_name("access"))],
                auto_declare=False,
            ).consume()
            connection.drain_events(timeout=5)
    else:
        eavesdrop = Queue(
            broker.prefix + "applications.eavesdrop",
            exchange=applications.events_exchange("vetting"),
            routing_key="#",
        )
        with pytest.raises(AccessRefused), Connection(broker.url_for("applications")) as connection:
            eavesdrop(connection.channel()).declare()


def _suspended_grant(access: Access) -> tuple[dict, dict]:
    granted = access.grant_clearance()
    access.activate(access.grant_id(granted["person_id"]), badge="B-principal")
    change = {
        **{key: granted[key] for key in ("clearance_id", "application_id", "person_id")},
        "suspension_id": str(uuid.uuid4()),
    }  # a reinstatement names the suspension
    access.event(
        "vetting.clearance_suspended",
        {**change, "reason": "OFFICER_DECISION", "suspended_at": iso_now()},
    )
    assert access.gate(badge="B-principal")["reason"] == "SUSPENDED"
    return granted, change


def test_an_event_not_from_its_publisher_is_dead_lettered_and_the_real_one_flows(broker, pg_urls):
    access = Access({"DATABASE_URL": pg_urls["access"], **broker.service_env("access")})
    _granted, change = _suspended_grant(access)
    forged = vetting_event("vetting.clearance_reinstated", {**change, "reinstated_at": iso_now()})
    # The applications user can write only to its own exchange: it routes a forged vetting
    # event into access's inbox under the key of an application event access listens to.
    publish_as(
        broker,
        "applications",
        forged,
        exchange=topology(broker, "applications").events_exchange("applications").name,
        routing_key=next(
            kind for kind in subscriptions("access") if kind.startswith("application.")
        ),
    )
    with ConsumerThread(access.platform, service_handlers("access", access.platform)) as run:
        wait_for(lambda: count(access.platform, dead_letters_table) == 1, message="dead letter")
        assert run.dispatcher.stats["processed"] == 0
        assert access.gate(badge="B-principal")["reason"] == "SUSPENDED"
        with access.platform.engine.connect() as conn:
            [row] = conn.execute(dead_letters_table.select()).all()
        assert row.error.startswith(UNTRUSTED_PUBLISHER) and row.event_id == forged.id
        assert broker.users["applications"] in row.error and row.handler is None

        genuine = vetting_event(
            "vetting.clearance_reinstated", {**change, "reinstated_at": iso_now()}
        )
        publish_as(broker, "vetting", genuine)
        wait_for(
            lambda: access.gate(badge="B-principal")["reason"] == "ALLOWED",
            message="the genuine reinstatement",
        )
    # The alert reached access's own dead-letter queue (through access's own exchange).
    with Connection(broker.admin_url) as admin:
        notice = Queue(topology(broker, "access").dead_letter_queue("access").name)(
            admin.channel()
        ).get(no_ack=True)
    assert notice is not None and notice.payload["error_type"] == UNTRUSTED_PUBLISHER
    assert notice.properties["user_id"] == broker.users["access"]
    # A forged event's dead letter is a record, never an event to apply.
    operator = operator_cli(
        "access", {"DATABASE_URL": pg_urls["access"], **broker.service_env("access")}
    )
    every = operator("dead-letters", "replay", "--all")
    assert every.returncode == 0 and "untrusted publisher left alone" in every.stderr
    one = operator("dead-letters", "replay", str(row.id))
    assert one.returncode == 1 and "never replayed" in one.stderr
    assert access.gate(badge="B-principal")["reason"] == "ALLOWED"  # not re-suspended, etc.


def test_a_retry_comes_back_as_the_services_own_user_and_is_handled(broker, pg_urls):
    from tests.support.platforms import platform_for, submitted_envelope
    from vetting.models import VettingCase

    vetting = platform_for(
        "vetting",
        {"DATABASE_URL": pg_urls["vetting"], **broker.service_env("vetting")},
        **FAST_RETRIES,
    )
    real = service_handlers("vetting", vetting)["application.submitted"][0]
    calls = []

    def fails_once(uow, event):
        calls.append(event.id)
        if len(calls) == 1:
            raise RuntimeError("transient")
        real(uow, event)

    submitted = submitted_envelope()
    publish_as(broker, "applications", submitted)
    with ConsumerThread(vetting, {"application.submitted": [fails_once]}):
        wait_for(lambda: count(vetting, VettingCase.__table__) == 1, message="second attempt")
    # (The forged event of the test above reached vetting's inbox too, and is dead-lettered.)
    assert calls == [submitted.id] * 2
    assert count(vetting, dead_letters_table, dead_letters_table.c.event_id == submitted.id) == 0


def test_even_the_trusted_publisher_cannot_lift_another_suspension_or_change_who(broker, pg_urls):
    """Defence in depth in access: genuine vetting credentials, forged content."""
    from tests.support.access_harness import clearance_granted

    access = Access({"DATABASE_URL": pg_urls["access"], **broker.service_env("access")})
    granted, change = _suspended_grant(access)
    grant_id = access.grant_id(granted["person_id"])
    before = access.grant(grant_id)
    forged_reinstatement = vetting_event(
        "vetting.clearance_reinstated",
        {**change, "suspension_id": str(uuid.uuid4()), "reinstated_at": iso_now()},
    )
    impostor = clearance_granted(
        person_id=granted["person_id"],
        forenames="Mallory",
        surname="Quinn",
        date_of_birth="1971-07-07",
        access="KEY_HOLDING",
        expires_in_days=30_000,
    )
    publish_as(broker, "vetting", forged_reinstatement)
    publish_as(broker, "vetting", vetting_event("vetting.clearance_granted", impostor))
    with ConsumerThread(access.platform, service_handlers("access", access.platform)) as run:
        wait_for(lambda: run.dispatcher.stats["processed"] >= 2, message="both handled")
    assert count(access.platform, dead_letters_table) == 0  # trusted, so handled...
    gate = access.gate(badge="B-principal")
    assert (gate["allowed"], gate["reason"], gate["surname"]) == (False, "SUSPENDED", "O'Neill")
    assert access.grant(grant_id) == before  # ...and nothing about the grant changed
    [item] = access.call("GET", "/establishments/WWI/review-items").json
    assert item["proposed"]["surname"] == "Quinn" and item["grant_id"] == grant_id
    access.platform.engine.dispose()


# -- TLS, and broker-setup through the management API, on a private node ------------------------


@pytest.fixture(scope="module")
def tls_node() -> Iterator[tuple[str, str, Path]]:
    folder = Path(tempfile.mkdtemp(prefix="broker-tls-"))
    folder.chmod(0o755)  # the node runs as the rabbitmq user: it reads the certificates here
    files = make_certificates(folder / "tls")
    tls_port, management_port = free_port(), free_port()
    config = "\n".join(
        [
            f"listeners.ssl.default = 127.0.0.1:{tls_port}",
            f"ssl_options.cacertfile = {files.ca}",
            f"ssl_options.certfile = {files.cert}",
            f"ssl_options.keyfile = {files.key}",
            "ssl_options.verify = verify_none",
            f"management.tcp.port = {management_port}",
            "management.tcp.ip = 127.0.0.1",
            "",
        ]
    )
    try:
        node = private_rabbitmq(config=config, plugins=("rabbitmq_management",))
    except PrivateServerUnavailable as exc:
        unavailable(str(exc))
    with node:
        yield (
            f"amqps://test:{node.password}@127.0.0.1:{tls_port}//",
            f"http://test:{node.password}@127.0.0.1:{management_port}",
            files.ca,
        )


@pytest.mark.slow  # a private RabbitMQ node of its own: `make test`, not the quick loop
def test_tls_connects_with_the_ca_file_and_fails_without(tls_node):
    amqps_url, management_url, ca_file = tls_node
    with BrokerPrincipals(amqps_url, management_url, ca_file=str(ca_file)) as broker:
        assert broker.setup() == broker.setup()  # idempotent through the HTTP API too
        env = broker.service_env("vetting")
        assert env["BROKER_URL"].startswith("amqps://") and env["BROKER_CA_FILE"]
        with make_connection(load_settings("vetting", env)) as connection:
            Topology(load_settings("vetting", env)).declare_all(connection)
        without = {key: value for key, value in env.items() if key != "BROKER_CA_FILE"}
        with (
            pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED"),
            make_connection(load_settings("vetting", without)) as connection,
        ):
            connection.ensure_connection(max_retries=1)
