import time
from datetime import UTC, datetime

import pytest

from shared.auth import (
    AuthError,
    StaffIdentity,
    generate_api_key,
    parse_api_key,
    secret_matches,
)
from shared.clock import ManualClock
from shared.staff_tokens import OidcSettings, StaffTokenVerifier


def test_api_key_is_shown_once_and_stored_only_as_a_keyed_hash():
    key = generate_api_key("pepper")
    key_id, secret = parse_api_key(key.plaintext)
    assert key_id == key.key_id
    assert secret not in key.secret_hash and key.plaintext not in key.secret_hash
    assert secret_matches(secret, key.secret_hash, "pepper")
    assert not secret_matches(secret, key.secret_hash, "another pepper")
    assert not secret_matches(secret + "x", key.secret_hash, "pepper")
    assert generate_api_key("pepper").plaintext != key.plaintext


@pytest.mark.parametrize("presented", ["", "abc", "maak__x", "maak_id_", "other_id_secret"])
def test_malformed_api_keys_are_refused(presented):
    with pytest.raises(AuthError):
        parse_api_key(presented)


def test_staff_identity_comes_from_the_claims_the_settings_name_and_ignores_unknown_roles():
    verifier = StaffTokenVerifier(
        OidcSettings(
            "https://idp.example", "access", roles_claim="groups", establishments_claim="caseloads"
        ),
        ManualClock(datetime(2026, 6, 10, 11, 0, tzinfo=UTC)),
    )
    identity = verifier.identity(
        {
            "sub": "s1",
            "groups": ["security_officer", "ROLE_SUPER", "security_officr"],
            "caseloads": ["WWI", "BMI"],
            "roles": ["head_of_security"],
        }
    )
    assert identity == StaffIdentity(
        "s1", frozenset({"security_officer"}), frozenset({"WWI", "BMI"})
    )
    assert identity.covers("WWI") and not identity.covers("ACI")
    assert identity.has_role("security_officer", "head_of_security")
    assert not identity.has_role("vetting_manager", "head_of_security")
    # One value as a space-separated string, as some providers send it; junk is nothing.
    assert verifier.identity({"sub": "s2", "groups": "auditor operator", "caseloads": 7}).roles == {
        "auditor",
        "operator",
    }
    for subject in (None, "", 5, "x" * 201):
        with pytest.raises(AuthError):
            verifier.identity({"sub": subject})


def test_api_key_cache_remembers_known_keys_for_its_ttl_only():
    from shared.web.auth import ApiKeyCache, StoredApiKey

    calls = []
    store = {"k1": StoredApiKey("org", "hash", revoked=False)}

    def lookup(key_id):
        calls.append(key_id)
        return store.get(key_id)

    cache = ApiKeyCache(lookup, ttl_s=0.2)
    assert cache("k1") == cache("k1") == store["k1"]
    assert calls == ["k1"]
    assert cache("nope") is None and cache("nope") is None
    assert calls == ["k1", "nope", "nope"]  # unknown keys are never remembered
    store["k1"] = StoredApiKey("org", "hash", revoked=True)
    time.sleep(0.25)
    assert cache("k1").revoked
    assert ApiKeyCache(lookup, ttl_s=0)("k1") is not None and calls[-1] == "k1"
