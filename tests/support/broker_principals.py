"""Each service its own broker user, in a virtual host of the test's own.

`python -m shared broker-setup`'s work, done in process: a unique vhost, four users named
`<prefix><service>` with fresh passwords, their permissions and the topology; then each service
gets a BROKER_URL of its own. Closing deletes the vhost (and with it every queue) and the users.

    with BrokerPrincipals(amqp_url, "rabbitmqctl:") as broker:
        env = broker.service_env("vetting")      # BROKER_URL, BROKER_PREFIX, BROKER_USER_*
        broker.admin_url                          # the administrator, in the same vhost
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Self
from urllib.parse import quote, urlsplit, urlunsplit

from shared.broker_setup import broker_setup_from_env
from shared.config import broker_password_variable, broker_user_variable
from shared.messaging.admin import admin_from_url
from shared.messaging.topology import SERVICES
from shared.startup_secrets import generate_secret
from tests.support.deployment_secrets import DEPLOYMENT_ENV


def with_credentials(amqp_url: str, user: str, password: str, vhost: str) -> str:
    parts = urlsplit(amqp_url)
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.hostname}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, "/" + quote(vhost, safe=""), "", ""))


class BrokerPrincipals:
    def __init__(
        self,
        amqp_admin_url: str,
        admin_url: str,
        *,
        ca_file: str | None = None,
        prefix: str | None = None,
    ) -> None:
        run = uuid.uuid4().hex[:10]
        self.vhost = f"t_{run}"
        self.prefix = prefix if prefix is not None else f"t{run}."
        self.ca_file = ca_file
        self.admin = admin_from_url(admin_url, ca_file=ca_file)
        parts = urlsplit(amqp_admin_url)
        self.admin_user, self.admin_password = parts.username or "guest", parts.password or ""
        self.admin_url = with_credentials(
            amqp_admin_url, self.admin_user, self.admin_password, self.vhost
        )
        # As strong as a process accepts (shared.startup_secrets).
        self.passwords = {service: generate_secret() for service in SERVICES}
        self.users = {service: f"{self.prefix}{service}" for service in SERVICES}
        self.setup_env = {
            "BROKER_URL": self.admin_url,
            "BROKER_PREFIX": self.prefix,
            "BROKER_ADMIN_URL": admin_url,
            **self.user_env(),
            **({"BROKER_CA_FILE": ca_file} if ca_file else {}),
            **{
                broker_password_variable(service): password
                for service, password in self.passwords.items()
            },
        }

    def user_env(self) -> dict[str, str]:
        return {broker_user_variable(service): user for service, user in self.users.items()}

    def setup(self) -> list[str]:
        """What `python -m shared broker-setup` does (run it again: nothing changes)."""
        return broker_setup_from_env(self.setup_env)

    def url_for(self, service: str, password: str | None = None) -> str:
        return with_credentials(
            self.admin_url, self.users[service], password or self.passwords[service], self.vhost
        )

    def service_env(self, service: str) -> dict[str, str]:
        """What a process of `service` needs to run as its own user (the session's secrets
        too: outside the embedded mode it refuses to start without them)."""
        return {
            **DEPLOYMENT_ENV,
            "BROKER_URL": self.url_for(service),
            "BROKER_PREFIX": self.prefix,
            **self.user_env(),
            **({"BROKER_CA_FILE": self.ca_file} if self.ca_file else {}),
        }

    def __enter__(self) -> Self:
        try:
            self.setup()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        # Side by side: on the CLI each call starts a VM of its own (seconds each).
        with ThreadPoolExecutor(len(SERVICES) + 1) as pool:
            deleted = [
                pool.submit(self.admin.delete_vhost, self.vhost),
                *(pool.submit(self.admin.delete_user, user) for user in self.users.values()),
            ]
        for future in deleted:
            future.result()
