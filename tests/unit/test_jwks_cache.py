"""The services' cache of the identity provider's keys: fetched once, fetched again for a key id
it has not seen (a rotation), but not for every forged key id a caller invents."""

from __future__ import annotations

import pytest

from devidp.keys import new_key
from shared import staff_tokens
from shared.auth import AuthError
from shared.staff_tokens import JwksCache, OidcSettings


def test_an_unknown_key_id_fetches_again_at_most_every_few_seconds(monkeypatch):
    published = [new_key()]
    fetched: list[str] = []

    def fetch(url: str, timeout_s: float = 5.0) -> dict:
        fetched.append(url)
        return {"keys": [key.as_dict(private=False) for key in published]}

    clock = [1000.0]
    monkeypatch.setattr(staff_tokens, "fetch_json", fetch)
    monkeypatch.setattr(staff_tokens.time, "monotonic", lambda: clock[0])
    cache = JwksCache(
        OidcSettings(
            "https://idp.example",
            "vetting",
            jwks_url="https://idp.example/jwks",
            jwks_min_refetch_s=10,
        )
    )
    assert cache.key(published[0].kid) is not None and len(fetched) == 1
    assert cache.key(published[0].kid) is not None and len(fetched) == 1  # cached
    for forged in ("a", "b", "c"):  # a burst of invented key ids: one fetch at most
        clock[0] += 1
        with pytest.raises(AuthError):
            cache.key(forged)
    assert len(fetched) == 1
    published.insert(0, new_key("ES256"))  # the provider rotates
    clock[0] += 10
    assert cache.key(published[0].kid) is not None and len(fetched) == 2
    clock[0] += staff_tokens.JWKS_TTL_S + 1  # and after a while, whatever
    cache.key(published[1].kid)
    assert len(fetched) == 3
