import time
from datetime import UTC, datetime

import pytest

from shared.auth import (
    AuthError,
    StaffIdentity,
    StaffTokens,
    generate_api_key,
    hash_password,
    parse_api_key,
    password_matches,
    secret_matches,
)
from shared.clock import ManualClock


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


def test_staff_token_round_trip_and_scopes():
    tokens = StaffTokens("secret", max_age_s=60)
    identity = StaffIdentity("s1", frozenset({"security_officer"}), frozenset({"WWI", "BMI"}))
    again = tokens.verify(tokens.issue(identity))
    assert again == identity
    assert again.covers("WWI") and not again.covers("ACI")
    assert again.has_role("security_officer", "head_of_security")
    assert not again.has_role("vetting_manager")


def test_staff_token_tampered_wrong_secret_or_expired_is_refused():
    clock = ManualClock(datetime(2026, 6, 10, 11, 0, tzinfo=UTC))
    tokens = StaffTokens("secret", max_age_s=60, clock=clock)
    token = tokens.issue(StaffIdentity("s1", frozenset({"operator"})))
    with pytest.raises(AuthError):
        StaffTokens("other", max_age_s=60).verify(token)
    with pytest.raises(AuthError):
        tokens.verify(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    clock.advance(seconds=60)
    assert tokens.verify(token).staff_id == "s1"  # the last second of its life
    clock.advance(seconds=2)
    with pytest.raises(AuthError):
        tokens.verify(token)


def test_password_hashes_are_salted_and_verify():
    first, second = hash_password("correct horse"), hash_password("correct horse")
    assert first != second and first.startswith("scrypt:")
    assert password_matches(first, "correct horse")
    assert not password_matches(first, "wrong horse")


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
