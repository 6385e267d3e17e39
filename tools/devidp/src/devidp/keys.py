"""The provider's signing keys: a JSON file of private JWKs, newest first.

The newest signs; every key in the file is published in the JWKS, so tokens signed before a
rotation still verify until the old key is dropped. The file is re-read when it changes, so
`python -m devidp rotate-keys` takes effect in a running provider.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeyParameters, KeySet, RSAKey

# How many keys stay published after a rotation (the newest and the ones before it).
KEPT_KEYS = 3


def new_key(alg: str = "RS256") -> RSAKey | ECKey:
    parameters: KeyParameters = {"kid": secrets.token_hex(8), "use": "sig", "alg": alg}
    if alg == "ES256":
        return ECKey.generate_key("P-256", parameters=parameters, private=True)
    return RSAKey.generate_key(2048, parameters=parameters, private=True)


class KeyStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._keys: list[Any] = []
        if not path.exists():
            self._write([new_key()])

    def _write(self, keys: list[Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"keys": [k.as_dict(private=True) for k in keys]}))
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    def keys(self) -> list[Any]:
        with self._lock:
            mtime = self.path.stat().st_mtime_ns
            if mtime != self._mtime:
                data = json.loads(self.path.read_text())
                self._keys = list(KeySet.import_key_set(data).keys)
                self._mtime = mtime
            return list(self._keys)

    def signing_key(self) -> Any:
        return self.keys()[0]

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [key.as_dict(private=False) for key in self.keys()]}

    def rotate(self, alg: str = "RS256") -> str:
        """A new signing key; the previous ones stay published (up to KEPT_KEYS in all)."""
        key = new_key(alg)
        self._write([key, *self.keys()][:KEPT_KEYS])
        assert key.kid is not None, "new_key names every key"
        return key.kid
