"""`python -m shared broker-setup`: each service its own principal on the broker.

For the virtual host of BROKER_URL (whose user must be a broker administrator) it creates, or
brings up to date, idempotently:
- one user per service, named BROKER_USER_<SERVICE> (default `<BROKER_PREFIX><service>`), with
  the password BROKER_PASSWORD_<SERVICE> and no management tags;
- that user's permissions (RabbitMQ regular expressions over exchange and queue names): it may
  configure and write only its own objects (its events exchange, its retry and dead-letter
  exchanges and queues) and read only its own queues (inbox, retry, dead-letter) — so it can
  neither publish another service's events nor read another's inbox;
- the whole topology: exchanges, queues and the inboxes' bindings to the publishers' exchanges
  (services running as their own users only check that it is there).
Users, the vhost and permissions are one definitions import through BROKER_ADMIN_URL
(shared.messaging.admin); the topology is declared over AMQP as the administrator.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from kombu import Connection

from shared.config import (
    Settings,
    SettingsError,
    broker_password_variable,
    broker_user_variable,
    load_settings,
)
from shared.messaging.admin import BrokerAdmin, admin_from_url, user_definition
from shared.messaging.connection import make_connection
from shared.messaging.topology import SERVICES, Topology

# A generated password is 32 random bytes; anything much shorter is a typo or a placeholder.
MIN_PASSWORD_LENGTH = 16


@dataclass(frozen=True)
class Permissions:
    configure: str
    write: str
    read: str


def permissions_for(prefix: str, service: str) -> Permissions:
    """The service's own objects only, with the deployment's prefix (itself matched literally)."""
    own = re.escape(prefix + service)
    return Permissions(
        configure=rf"^{own}\.(events|retry|dead-letter)$",
        write=rf"^{own}\.(events|retry|dead-letter)$",
        read=rf"^{own}\.(inbox|retry|dead-letter)$",
    )


def vhost_of(broker_url: str) -> str:
    return Connection(broker_url).virtual_host or "/"


def passwords_from(env: Mapping[str, str]) -> dict[str, str]:
    """Every service's broker password; SettingsError naming each one missing or too short."""
    passwords, problems = {}, []
    for service in SERVICES:
        variable = broker_password_variable(service)
        password = env.get(variable, "")
        if len(password) < MIN_PASSWORD_LENGTH:
            problems.append(
                f"{variable} is shorter than {MIN_PASSWORD_LENGTH} characters"
                if password
                else f"{variable} is not set"
            )
        passwords[service] = password
    if problems:
        raise SettingsError("; ".join(problems))
    return passwords


def check_users(settings: Settings) -> None:
    """Four distinct users, none of them the administrator: else one would share another's
    permissions (or the administrator would lose its own)."""
    users = [settings.broker_user(service) for service in SERVICES]
    if len(set(users)) != len(users):
        raise SettingsError(
            f"the services' broker users must differ: {', '.join(users)} "
            f"({', '.join(broker_user_variable(s) for s in SERVICES)})"
        )
    if settings.broker_connection_user in users:
        raise SettingsError(
            f"BROKER_URL must connect as a broker administrator, not as the "
            f"service user {settings.broker_connection_user!r}"
        )


def definitions(settings: Settings, passwords: Mapping[str, str]) -> dict[str, Any]:
    """The users, the vhost and the permissions, in RabbitMQ's definitions format."""
    vhost = vhost_of(settings.broker_url)
    everything = {"vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}
    return {
        "vhosts": [{"name": vhost}],
        "users": [
            user_definition(settings.broker_user(service), passwords[service])
            for service in SERVICES
        ],
        "permissions": [
            # The administrator declares the topology in this vhost, which may be new.
            {"user": settings.broker_connection_user, **everything},
            *(
                {
                    "user": settings.broker_user(service),
                    "vhost": vhost,
                    **asdict(permissions_for(settings.broker_prefix, service)),
                }
                for service in SERVICES
            ),
        ],
    }


def broker_setup(settings: Settings, admin: BrokerAdmin, passwords: Mapping[str, str]) -> list[str]:
    """Users, permissions, topology; one line per thing done (never a password)."""
    check_users(settings)
    wanted = definitions(settings, passwords)
    admin.apply(wanted)
    done = [
        f"{service}: user {permission['user']!r} on vhost {permission['vhost']!r}: "
        f"configure {permission['configure']} write {permission['write']} "
        f"read {permission['read']}"
        for service, permission in zip(SERVICES, wanted["permissions"][1:], strict=True)
    ]
    with make_connection(settings) as connection:
        Topology(settings).declare_everything(connection)
    done.append(
        f"topology declared on vhost {vhost_of(settings.broker_url)!r} "
        f"(prefix {settings.broker_prefix!r})"
    )
    return done


def broker_setup_from_env(env: Mapping[str, str]) -> list[str]:
    settings = load_settings("broker-setup", env)
    if settings.is_embedded_broker:
        raise SettingsError(
            "BROKER_URL is the embedded filesystem transport: it has no users "
            "to set up (point BROKER_URL at RabbitMQ as an administrator)"
        )
    admin_url = env.get("BROKER_ADMIN_URL", "").strip()
    if not admin_url:
        raise SettingsError(
            "BROKER_ADMIN_URL is not set: http://user:password@host:15672 (the "
            "management API) or rabbitmqctl: (this machine's CLI)"
        )
    passwords = passwords_from(env)
    return broker_setup(
        settings, admin_from_url(admin_url, ca_file=settings.broker_ca_file), passwords
    )
