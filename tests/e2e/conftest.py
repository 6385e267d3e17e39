"""Fixtures that run the real processes: a local SMTP server, and a whole stack per run mode that
the scenarios share (each uses people of its own)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from devstack.stack import Stack
from shared.messaging.admin import BrokerAdminError
from shared.messaging.topology import SERVICES
from tests.support.backends import (
    LazyDatabases,
    LazyEnv,
    PostgresTemplates,
    SqliteTemplates,
    embedded_env,
    unavailable,
)
from tests.support.broker_principals import BrokerPrincipals
from tests.support.deployment_secrets import DEPLOYMENT_ENV
from tests.support.network import free_port
from tests.support.smtp import Inbox
from tests.support.stack_client import STACK_ENV


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@contextmanager
def running_stack(
    request: pytest.FixtureRequest,
    mode: str,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
) -> Iterator[tuple[Stack, Inbox]]:
    """A whole stack on `mode` ("embedded" or "real") and the inbox its SMTP server fills."""
    var_dir = tmp_path_factory.mktemp(f"stack-{mode}") / "var"
    inbox, smtp_port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    databases: LazyDatabases | None = None
    broker: BrokerPrincipals | None = None
    if mode == "real":
        admin = request.getfixturevalue("postgres_admin_url")
        amqp = request.getfixturevalue("amqp_url")
        templates: PostgresTemplates = request.getfixturevalue("postgres_templates")
        databases = LazyDatabases(admin, templates, migrated=True)
        # As production runs: each service its own broker user, in a vhost of the stack's.
        try:
            broker = BrokerPrincipals(amqp, "rabbitmqctl:").__enter__()
        except BrokerAdminError as exc:
            controller.stop()
            unavailable(f"rabbitmqctl cannot administer the broker here: {exc}")
        env: Any = LazyEnv(
            databases,
            {"VAR_DIR": str(var_dir), **DEPLOYMENT_ENV},
            {service: broker.service_env(service) for service in SERVICES},
        )
    else:
        sqlite_templates.copy_into(var_dir)
        env = {service: embedded_env(var_dir) for service in SERVICES}
    ports = {service: free_port() for service in SERVICES}
    try:
        with Stack(
            var_dir=var_dir, service_env=env, ports=ports, smtp_port=smtp_port, base_env=STACK_ENV
        ) as running:
            running.start()
            running.wait_ready()
            yield running, inbox
    finally:
        controller.stop()
        if databases is not None:
            databases.close()
        if broker is not None:
            broker.close()  # the vhost, and with it every queue, and the users


# One stack per run mode for the scenarios that each use people of their own (the journeys,
# identity and lifecycle scenarios): starting a stack costs more than most scenarios. Their
# tests are grouped on one test process per mode (tests/conftest.py), so each mode starts once.
@pytest.fixture(scope="session")
def embedded_stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
) -> Iterator[tuple[Stack, Inbox]]:
    with running_stack(request, "embedded", tmp_path_factory, sqlite_templates) as running:
        yield running


@pytest.fixture(scope="session")
def real_stack(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
) -> Iterator[tuple[Stack, Inbox]]:
    with running_stack(request, "real", tmp_path_factory, sqlite_templates) as running:
        yield running


@pytest.fixture(scope="module")
def module_stack(request: pytest.FixtureRequest, stack_mode: str) -> tuple[Stack, Inbox]:
    """The shared stack of the run mode the module's `stack_mode` fixture names (parametrize
    it): "embedded" or "real"."""
    return request.getfixturevalue(f"{stack_mode}_stack")
