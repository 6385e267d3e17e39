"""The key set and the encrypted column types."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import Column, Integer, MetaData, Table, create_engine, select, text

from shared.config import load_settings
from shared.crypto import at_rest
from shared.crypto.at_rest import EncryptedJSON, EncryptedText, Keyring, KeyringNotInstalled

A, B = Keyring.generate_key(), Keyring.generate_key()


@pytest.fixture
def table():
    metadata = MetaData()
    things = Table(
        "things",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("doc", EncryptedJSON),
        Column("note", EncryptedText),
    )
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    at_rest.install(Keyring([A]))
    yield engine, things
    at_rest.install(None)


def test_values_round_trip_and_are_stored_as_tokens(table):
    engine, things = table
    doc = {"declarations": {"convictions": [{"offence": "Sentinel-Theft"}]}, "n": [1, None]}
    with engine.begin() as conn:
        conn.execute(
            things.insert(),
            [{"id": 1, "doc": doc, "note": "Sentinel-NA"}, {"id": 2, "doc": None, "note": None}],
        )
        raw = conn.execute(text("SELECT doc, note FROM things ORDER BY id")).all()
        read = conn.execute(select(things.c.doc, things.c.note).order_by(things.c.id)).all()
    assert "Sentinel" not in str(raw) and raw[1] == (None, None)  # None stays NULL
    assert Fernet(A).decrypt(raw[0][1].encode()) == b"Sentinel-NA"
    assert read == [(doc, "Sentinel-NA"), (None, None)]


def test_any_key_of_the_set_decrypts_and_the_first_encrypts(table):
    engine, things = table
    with engine.begin() as conn:
        conn.execute(things.insert(), {"id": 1, "doc": {"a": 1}, "note": "old"})
    at_rest.install(Keyring([B, A]))
    with engine.begin() as conn:
        assert conn.execute(select(things.c.doc)).scalar_one() == {"a": 1}
        conn.execute(things.insert(), {"id": 2, "doc": {"b": 2}, "note": "new"})
        new = conn.execute(text("SELECT note FROM things WHERE id = 2")).scalar_one()
    assert Fernet(B).decrypt(new.encode()) == b"new"
    at_rest.install(Keyring([A]))
    with engine.connect() as conn, pytest.raises(at_rest.InvalidToken):
        conn.execute(select(things.c.note).where(things.c.id == 2)).scalar_one()


def test_the_types_refuse_to_work_without_a_keyring(table):
    engine, things = table
    at_rest.install(None)
    with engine.begin() as conn, pytest.raises(Exception, match="no data encryption keyring"):
        conn.execute(things.insert(), {"id": 1, "doc": {"a": 1}})
    with pytest.raises(KeyringNotInstalled):
        EncryptedJSON().process_result_value("token", None)
    with pytest.raises(TypeError):
        EncryptedText().process_bind_param(5, None)


def test_rotation_helpers():
    old, new = Keyring([A]), Keyring([B, A])
    token = old.encrypt("x")
    assert not new.is_current(token) and new.is_current(new.rotate(token))
    assert new.decrypt(new.rotate(token)) == "x"


def test_the_key_set_comes_from_settings():
    keyring = at_rest.keyring_from_settings(
        load_settings("applications", {"DATA_ENCRYPTION_KEYS": f" {B} , {A} "})
    )
    assert len(keyring) == 2 and Fernet(B).decrypt(keyring.encrypt("x").encode()) == b"x"
    # The insecure development default derives a stable key from the development secret ...
    dev = [at_rest.keyring_from_settings(load_settings("vetting", {})) for _ in range(2)]
    assert dev[1].decrypt(dev[0].encrypt("x")) == "x"
    # ... but a real SECRET_KEY without DATA_ENCRYPTION_KEYS is refused, as is a bad key.
    with pytest.raises(ValueError, match="DATA_ENCRYPTION_KEYS must be set"):
        at_rest.keyring_from_settings(load_settings("vetting", {"SECRET_KEY": "real"}))
    with pytest.raises(ValueError, match="not a Fernet key"):
        at_rest.keyring_from_settings(load_settings("vetting", {"DATA_ENCRYPTION_KEYS": "nope"}))
