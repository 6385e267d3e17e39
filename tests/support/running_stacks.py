"""A whole stack of real processes for a test module or session: the end-to-end scenarios'
shared stacks (tests/e2e/conftest.py) and the workbench's browser tests (tests/browser)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


@contextmanager
def running_stack(
    request: pytest.FixtureRequest,
    mode: str,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_templates: SqliteTemplates,
    service_env: Mapping[str, Mapping[str, str]] | None = None,
) -> Iterator[tuple[Stack, Inbox]]:
    """A whole stack on `mode` ("embedded" or "real") and the inbox its SMTP server fills;
    `service_env` adds settings to a service's processes (e.g. a front door's client)."""
    var_dir = tmp_path_factory.mktemp(f"stack-{mode}") / "var"
    inbox, smtp_port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    extra = service_env or {}
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
            {
                service: {**broker.service_env(service), **extra.get(service, {})}
                for service in SERVICES
            },
        )
    else:
        sqlite_templates.copy_into(var_dir)
        env = {service: {**embedded_env(var_dir), **extra.get(service, {})} for service in SERVICES}
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
