"""Encryption at rest of special-category fields: a rotatable key set and the column types.

The key set comes from `DATA_ENCRYPTION_KEYS` (comma-separated Fernet keys, newest first): the
first encrypts, any of them decrypts (`MultiFernet`). Only when the settings carry the insecure
development secret may the key be left unset: it is then derived from that secret, as the other
development secrets are.

`EncryptedJSON` and `EncryptedText` store a Fernet token as TEXT. They find the key set in a
process-wide registry: `build_platform` installs it from the settings (`install`); a type used
before then raises `KeyringNotInstalled` rather than write plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import MetaData, Table, Text, TypeDecorator

from shared.config import INSECURE_DEV_SECRET, Settings

__all__ = [
    "EncryptedJSON",
    "EncryptedText",
    "InvalidToken",
    "Keyring",
    "KeyringNotInstalled",
    "encrypted_columns",
    "install",
    "installed",
    "keyring_from_settings",
]


class KeyringNotInstalled(RuntimeError):
    pass


class Keyring:
    """Fernet keys, newest first: encrypt with the first, decrypt with any."""

    def __init__(self, keys: Sequence[str | bytes]) -> None:
        if not keys:
            raise ValueError("a keyring needs at least one key")
        try:
            self._fernets = [Fernet(key) for key in keys]
        except (ValueError, TypeError) as exc:
            raise ValueError(f"not a Fernet key (32 url-safe base64 bytes): {exc}") from None
        self._multi = MultiFernet(self._fernets)

    @property
    def primary(self) -> Fernet:
        return self._fernets[0]

    def __len__(self) -> int:
        return len(self._fernets)

    def encrypt(self, plaintext: str) -> str:
        return self._multi.encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        return self._multi.decrypt(token.encode("ascii")).decode()

    def is_current(self, token: str) -> bool:
        """Whether the primary key alone decrypts `token` (nothing to rotate)."""
        try:
            self.primary.decrypt(token.encode("ascii"))
        except InvalidToken:
            return False
        return True

    def rotate(self, token: str) -> str:
        """The same plaintext under the primary key (raises InvalidToken if no key opens it)."""
        return self._multi.rotate(token.encode("ascii")).decode("ascii")

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")


def development_key(secret: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(f"data-key:{secret}".encode()).digest()).decode()


def keyring_from_settings(settings: Settings) -> Keyring:
    keys = [key.strip() for key in settings.data_encryption_keys if key.strip()]
    if not keys:
        if settings.secret_key != INSECURE_DEV_SECRET:
            raise ValueError(
                "DATA_ENCRYPTION_KEYS must be set (comma-separated Fernet keys, "
                "newest first) when SECRET_KEY is: `python -m <service> keys "
                "generate` makes one"
            )
        keys = [development_key(settings.secret_key)]
    return Keyring(keys)


_lock = threading.Lock()
_installed: Keyring | None = None


def install(keyring: Keyring | None) -> None:
    """Make `keyring` the one the encrypted column types use in this process (None: remove)."""
    global _installed
    with _lock:
        _installed = keyring


def installed() -> Keyring:
    keyring = _installed
    if keyring is None:
        raise KeyringNotInstalled(
            "no data encryption keyring installed: build the platform "
            "(shared.platform.build_platform) or call shared.crypto.at_rest.install"
        )
    return keyring


class _Encrypted(TypeDecorator):
    impl = Text
    cache_ok = True

    def _dump(self, value: Any) -> str:
        raise NotImplementedError

    def _load(self, text: str) -> Any:
        raise NotImplementedError

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        plaintext = self._dump(value)
        return installed().encrypt(plaintext)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        if value is None:
            return None
        return self._load(installed().decrypt(value))


class EncryptedJSON(_Encrypted):
    """A JSON document, stored as a Fernet token."""

    cache_ok = True

    def _dump(self, value: Any) -> str:
        return json.dumps(value, separators=(",", ":"), sort_keys=True)

    def _load(self, text: str) -> Any:
        return json.loads(text)


class EncryptedText(_Encrypted):
    """A string, stored as a Fernet token."""

    cache_ok = True

    def _dump(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"EncryptedText takes a str, not {type(value).__name__}")
        return value

    def _load(self, text: str) -> str:
        return text


def encrypted_columns(metadata: MetaData) -> list[tuple[Table, list[str]]]:
    """Each table of `metadata` with encrypted columns, and their names (in metadata order)."""
    found = []
    for table in metadata.sorted_tables:
        names = [column.name for column in table.columns if isinstance(column.type, _Encrypted)]
        if names:
            found.append((table, names))
    return found
