"""The coordinators' portal as its tests drive it: an applications service with the portal's
client at the test identity provider, two organisations (A and B) each with an admin and a
coordinator there, and ways to sign in and to make applications of each organisation."""

from __future__ import annotations

import uuid
from typing import Any

from flask.testing import FlaskClient

from applications.models import PortalMember
from applications.service import definition
from applications.service_layer import members, organisations
from shared.platform import Platform
from shared.web import create_web_app
from tests.support.applications_api import Client
from tests.support.identity import PORTAL_ENV, PROVIDER, TEST_PASSWORD, from_address, sign_in
from tests.support.platforms import platform_for


class Portal:
    """Organisations A and B; in each an admin (`admin_a`) and a coordinator (`coord_a`), each a
    public user at the provider with an email address of their own (unique to this harness)."""

    def __init__(
        self, env: dict[str, str], portal_env: dict[str, str] | None = None, **overrides: Any
    ) -> None:
        # portal_env: the portal's client at the provider, if not the test one.
        client = PORTAL_ENV if portal_env is None else portal_env
        self.platform: Platform = platform_for("applications", {**env, **client}, **overrides)
        self.app = create_web_app(definition(), self.platform)
        self.tag = uuid.uuid4().hex[:8]
        self.organisation_ids: dict[str, str] = {}
        self.keys: dict[str, str] = {}
        for name in ("A", "B"):
            with self.platform.unit_of_work() as uow:
                org = organisations.create_organisation(
                    uow, f"Org {name}", "NA", f"c-{name.lower()}-{self.tag}@example.org"
                )
                uow.commit()
            self.organisation_ids[name] = org.id
            with self.platform.unit_of_work() as uow:
                self.keys[name] = organisations.issue_api_key(
                    uow, org.id, self.platform.settings.api_key_pepper
                )
                uow.commit()
            self.add_member(f"admin_{name.lower()}", name, members.ADMIN)
            self.add_member(f"coord_{name.lower()}", name, members.COORDINATOR)
        # The organisations' API, to make and move applications as an integrator would.
        self.api = Client(self.app.test_client(), self.keys)

    def username(self, who: str) -> str:
        return f"{who}-{self.tag}"

    def email(self, who: str) -> str:
        return f"{who}-{self.tag}@example.org"

    def add_member(self, who: str, organisation: str, role: str) -> None:
        """`who` invited to `organisation` with `role`, and a public user at the provider."""
        PROVIDER.add_public_user(self.username(who), self.email(who))
        with self.platform.unit_of_work() as uow:
            uow.session.add(
                PortalMember(
                    id=str(uuid.uuid4()),
                    organisation_id=self.organisation_ids[organisation],
                    email=self.email(who),
                    role=role,
                    invited_by="test",
                    invited_at=self.platform.clock.now(),
                )
            )
            uow.commit()

    def login(self, who: str, password: str = TEST_PASSWORD) -> tuple[FlaskClient, Any]:
        """(client, the portal's last answer) for `who` ("admin_a", "coord_b", ...)."""
        client = self.app.test_client()
        answer = sign_in(
            client, self.username(who), password, "/portal/login/start", from_address()
        )
        return client, answer

    def signed_in(self, who: str) -> FlaskClient:
        client, answer = self.login(who)
        assert answer.status_code == 302, answer.text
        return client

    def close(self) -> None:
        self.platform.engine.dispose()
