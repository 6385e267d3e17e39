"""Staff access tokens as the services check them, against the development identity provider
running as a real process (tests/support/identity.py): only the provider's signature, issuer,
this service's audience, a live and short enough lifetime on the service's own clock, and
known roles get a member of staff in."""

from __future__ import annotations

import base64
import hmac
import json
from datetime import timedelta

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from devidp.keys import new_key
from shared.clock import ManualClock
from shared.web.app import create_web_app
from tests.support.clock import now
from tests.support.identity import PROVIDER, DevIdentityProvider, mint
from tests.support.platforms import platform_for

CASES = "/cases"


@pytest.fixture(scope="module")
def vetting(tmp_path_factory, sqlite_templates):
    from kombu.transport import filesystem

    from tests.support.backends import embedded_env
    from vetting.service import definition

    filesystem.Transport.global_state.clear()
    var_dir = tmp_path_factory.mktemp("tokens") / "var"
    sqlite_templates.copy_into(var_dir)
    clock = ManualClock(now())
    platform = platform_for("vetting", embedded_env(var_dir), clock)
    app = create_web_app(definition(), platform)
    yield app.test_client(), clock
    platform.engine.dispose()


def status(client, token: str) -> int:
    return client.get(CASES, headers={"Authorization": f"Bearer {token}"}).status_code


def officer(at=None, **kwargs) -> str:
    return mint("vetting", "officer-ola", ["vetting_officer"], at=at, **kwargs)


def signed(claims: dict, key=None, header: dict | None = None) -> str:
    """A token signed here: with the provider's own current key unless told otherwise."""
    if key is None:
        data = json.loads((PROVIDER.directory / "keys" / "signing-keys.json").read_text())
        key = KeySet.import_key_set(data).keys[0]
    base = {
        "iss": PROVIDER.issuer,
        "aud": "vetting",
        "sub": "forger",
        "roles": ["vetting_officer"],
        "iat": int(now().timestamp()),
        "exp": int(now().timestamp()) + 600,
    }
    return jwt.encode(header or {"alg": key.alg, "kid": key.kid}, {**base, **claims}, key)


def test_a_token_from_the_provider_for_this_service_gets_in(vetting):
    client, clock = vetting
    assert status(client, officer(at=clock.now())) == 200
    # A role this system does not know is ignored, never an error.
    assert (
        status(
            client, mint("vetting", "officer-ola", ["vetting_officer", "ROLE_GOD"], at=clock.now())
        )
        == 200
    )
    assert (
        status(client, mint("vetting", "nobody", ["ROLE_GOD", "vetting_officr"], at=clock.now()))
        == 403
    )


def test_another_issuer_another_audience_or_an_unknown_key_is_a_401(vetting, tmp_path):
    client, clock = vetting
    assert status(client, signed({})) == 200  # the provider's key, right claims: in
    assert status(client, signed({"iss": "https://another-idp.example"})) == 401
    assert status(client, mint("access", "officer-ola", ["vetting_officer"], at=clock.now())) == 401
    assert status(client, signed({"aud": ["access", "notifications"]})) == 401
    # Signed by a key the provider never published (the service looks again, finds nothing).
    assert status(client, signed({}, key=new_key())) == 401
    # Another provider altogether, however real.
    stranger = DevIdentityProvider(tmp_path / "stranger")
    try:
        assert status(client, stranger.mint("vetting", "officer-ola", ["vetting_officer"])) == 401
    finally:
        stranger.stop()
    # No signature, or a symmetric one "signed" with the provider's public key as the secret.
    kid = json_keys()[0].kid
    public = json.dumps(json_keys()[0].as_dict(private=False)).encode()
    assert status(client, handmade({"alg": "none", "kid": kid}, lambda _: b"")) == 401
    assert (
        status(
            client,
            handmade(
                {"alg": "HS256", "kid": kid}, lambda text: hmac.new(public, text, "sha256").digest()
            ),
        )
        == 401
    )
    assert status(client, "not.a.jwt") == 401


def handmade(header: dict, sign) -> str:
    """A token put together by hand, for the algorithms no library will sign with."""
    claims = {
        "iss": PROVIDER.issuer,
        "aud": "vetting",
        "sub": "forger",
        "roles": ["vetting_officer"],
        "iat": int(now().timestamp()),
        "exp": int(now().timestamp()) + 600,
    }
    text = b".".join(_b64(json.dumps(part).encode()) for part in (header, claims))
    return (text + b"." + _b64(sign(text))).decode()


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def test_expiry_not_before_and_lifetime_are_judged_on_the_service_s_clock(vetting):
    client, clock = vetting
    token = officer(at=clock.now())
    clock.advance(minutes=14)
    assert status(client, token) == 200
    clock.advance(minutes=1, seconds=31)  # past 15 minutes and the 30 s leeway
    assert status(client, token) == 401
    # Not yet valid: issued (and not before) ten minutes from now.
    assert status(client, officer(at=clock.now() + timedelta(minutes=10))) == 401
    # Longer-lived than the 15 minutes staff tokens may have.
    assert status(client, officer(at=clock.now(), lifetime_s=3600)) == 401
    assert status(client, signed({"exp": None, "iat": int(clock.now().timestamp())})) == 401


def test_a_key_rotation_at_the_provider_needs_no_restart(vetting):
    client, clock = vetting
    before = officer(at=clock.now())
    assert status(client, before) == 200
    PROVIDER.rotate_keys("ES256")
    after = mint("vetting", "officer-ola", ["vetting_officer"], at=clock.now(), lifetime_s=899)
    assert jwt.decode(after, KeySet(list(json_keys()))).header["alg"] == "ES256"
    assert status(client, after) == 200  # fetched the keys again for the new key id
    assert status(client, before) == 200  # the old key is still published
    PROVIDER.rotate_keys("RS256")


def json_keys():
    data = json.loads((PROVIDER.directory / "keys" / "signing-keys.json").read_text())
    return KeySet.import_key_set(data).keys
