"""Signing in to the coordinators' portal: members of the public at their own provider (GOV.UK
One Login in production, the test provider here), invited by email, bound to the person at
their first sign-in; staff of the staff provider cannot sign in there. Both run modes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from applications.models import PortalMember
from tests.support.identity import PROVIDER, TEST_PASSWORD, from_address, sign_in
from tests.support.portal_harness import Portal


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"])
    yield harness
    harness.close()


def test_an_invited_coordinator_signs_in_and_sees_their_organisations_applications(portal):
    client, answer = portal.login("coord_a")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/portal/")
    home = client.get("/portal/")
    assert home.status_code == 302 and home.headers["Location"].endswith("/portal/applications")
    page = client.get("/portal/applications")
    assert page.status_code == 200
    assert portal.email("coord_a") in page.text  # who is signed in: their email address
    with portal.platform.session_factory() as db:
        bound = db.query(PortalMember).filter_by(email=portal.email("coord_a")).one()
    assert bound.subject == f"public-{portal.username('coord_a')}" and bound.joined_at


def test_a_person_nobody_invited_is_told_they_are_not_a_member(portal):
    PROVIDER.add_public_user(portal.username("stranger"), portal.email("stranger"))
    client, answer = portal.login("stranger")
    assert answer.status_code == 302
    page = client.get("/portal/")
    assert page.status_code == 200 and "not a member of an organisation" in page.text
    # ...and no page that acts for an organisation opens for them.
    assert client.get("/portal/applications").status_code == 302


def test_staff_of_the_staff_provider_cannot_sign_in_at_the_portal(portal):
    PROVIDER.add_user(f"staff-{portal.tag}", "Staff Person", ["vetting_officer"])
    client = portal.app.test_client()
    answer = sign_in(
        client, f"staff-{portal.tag}", TEST_PASSWORD, "/portal/login/start", from_address()
    )
    assert answer.status_code == 401  # the provider's: no such user for this client


def test_pages_need_signing_in(portal):
    client = portal.app.test_client()
    answer = client.get("/portal/applications")
    assert answer.status_code == 302 and "/portal/login" in answer.headers["Location"]


def _key_pair() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


def test_the_portal_signs_in_with_a_private_key_as_gov_uk_one_login_requires(embedded):
    """private_key_jwt: the portal proves itself with a JWT signed by its key, no secret; a
    provider holding another public key refuses it."""
    private, public = _key_pair()
    _, other_public = _key_pair()
    for client_id, registered in (("portal-keyed", public), ("portal-wrong-key", other_public)):
        PROVIDER.add_client(
            client_id,
            public_key=registered,
            audiences=["applications"],
            grant_types=["authorization_code"],
            redirect_uris=["http://localhost/portal/auth/callback"],
            scope="openid email",
            people="public",
        )
    outcomes = {}
    for client_id in ("portal-keyed", "portal-wrong-key"):
        portal = Portal(
            embedded["applications"],
            portal_env={
                "APPLICATIONS_PORTAL_OIDC_CLIENT_ID": client_id,
                "APPLICATIONS_PORTAL_OIDC_PRIVATE_KEY": private,
            },
        )
        try:
            client, answer = portal.login("coord_a")
            outcomes[client_id] = (answer.status_code, client.get("/portal/").status_code)
        finally:
            portal.close()
    assert outcomes["portal-keyed"] == (302, 302)  # signed in: on to the applications
    assert outcomes["portal-wrong-key"][0] == 400  # "Signing in did not complete"
