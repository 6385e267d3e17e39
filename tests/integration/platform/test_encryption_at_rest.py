"""Special-category fields are encrypted at rest on PostgreSQL: the raw rows hold no plaintext,
the APIs still show it, existing rows are encrypted by the migration, and `keys rotate` moves
every value to a new key, resumably. The free text written about people (reasons, questions,
the timeline's detail, messages) is checked in every service on embedded SQLite and PostgreSQL,
through the real flows, and its migrations down and up again."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import psycopg
import pytest
from alembic import command
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import Engine, MetaData, select

from applications.models import Application, Organisation
from applications.schemas.examples import sample_application
from applications.service import definition as applications_definition
from applications.service_layer import organisations
from shared.cli import make_cli
from shared.config import load_settings
from shared.crypto import at_rest
from shared.crypto.rotation import rotate
from shared.db import PLATFORM_METADATA, make_engine
from shared.migrations import alembic_config, upgrade
from shared.web import create_web_app
from tests.support.clock import now
from tests.support.platforms import platform_for
from tests.support.sentinel_scan import sentinel
from tests.support.subject_access_world import World
from tests.support.vetting_harness import Vetting
from vetting.models import Check
from vetting.service import definition as vetting_definition

OFFENCE, CONNECTION, FELLOWSHIP = "Sentinel-Offence-XQ7", "Sentinel-Connection-ZK9", "NA"
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_text(database_url: str) -> str:
    """Every row of every table (event copies in the outbox and dead letters too), as plain
    SQL returns it."""
    rows = []
    with psycopg.connect(database_url) as conn:
        tables = [
            t
            for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        for table in tables:
            rows += conn.execute(f'SELECT * FROM "{table}"').fetchall()
    return repr(rows)


def sentinel_details() -> dict:
    return {
        "declarations": {
            "convictions": [
                {"kind": "CONVICTION", "offence": OFFENCE, "date": "2010-01-01", "disposal": "FINE"}
            ],
            "on_licence": False,
            "release_date": None,
        },
        "connections": [{"name": CONNECTION, "relationship": "Brother", "establishment": "WWI"}],
    }


def test_no_plaintext_in_the_applications_database(real_env):
    env = real_env["applications"]
    platform = platform_for("applications", env)
    client = create_web_app(applications_definition(), platform).test_client()
    with platform.unit_of_work() as uow:
        org = organisations.create_organisation(uow, "Org A", FELLOWSHIP, "c@example.org")
        uow.commit()
    with platform.unit_of_work() as uow:
        key = organisations.issue_api_key(uow, org.id, platform.settings.api_key_pepper)
        uow.commit()
    body = sample_application("s@example.org")
    body["applicant"].update(sentinel_details())
    auth = {"Authorization": f"Bearer {key}"}
    created = client.post("/applications", json=body, headers=auth)
    assert created.status_code == 201, created.json
    shown = client.get(f"/applications/{created.json['id']}", headers=auth).json
    assert OFFENCE in json.dumps(shown) and CONNECTION in json.dumps(shown)
    with platform.session_factory() as session:
        assert session.get(Organisation, org.id).fellowship == FELLOWSHIP
    raw = raw_text(env["DATABASE_URL"])
    assert "Org A" in raw  # the raw read works; what is special category is not there:
    for secret in (OFFENCE, CONNECTION, "'NA'", "Canal Street", "Hughes"):
        assert secret not in raw
    platform.engine.dispose()


def seed_vetting(env: dict) -> tuple[Vetting, str]:
    vetting = Vetting(env)
    application_id = vetting.submit(details=sentinel_details())
    vetting.work()
    return vetting, application_id


def test_no_plaintext_in_the_vetting_database(real_env):
    env = real_env["vetting"]
    vetting, application_id = seed_vetting(env)
    case = vetting.case(application_id)
    assert OFFENCE in json.dumps(case) and CONNECTION in json.dumps(case)
    with vetting.platform.session_factory() as session:
        results = json.dumps(session.execute(select(Check.result)).scalars().all())
    assert OFFENCE in results and CONNECTION in results  # check result details
    raw = raw_text(env["DATABASE_URL"])
    assert application_id in raw
    for secret in (OFFENCE, CONNECTION, "Canal Street", "Hughes"):
        assert secret not in raw
    vetting.platform.engine.dispose()


@pytest.mark.unmigrated
def test_the_migration_encrypts_existing_rows_and_the_downgrade_decrypts_them(real_env):
    env = real_env["applications"]
    settings = load_settings("applications", env)
    migrations = applications_definition().migrations_dir
    upgrade(settings, migrations, "0005")
    moment = now()
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        for n in range(3):
            conn.execute(
                "INSERT INTO organisations VALUES (%s, %s, %s, %s, %s)",
                (f"org-{n}", f"Org {n}", FELLOWSHIP, "c@example.org", moment),
            )
            conn.execute(
                "INSERT INTO applications (id, organisation_id, status, applicant, "
                "establishments, created_at, updated_at) VALUES (%s, %s, 'DRAFT', %s, '[]', "
                "%s, %s)",
                (f"app-{n}", f"org-{n}", json.dumps({"n": n, "o": OFFENCE}), moment, moment),
            )
    upgrade(settings, migrations)
    assert OFFENCE not in raw_text(env["DATABASE_URL"])
    platform = platform_for("applications", env)
    with platform.session_factory() as session:
        assert session.get(Organisation, "org-2").fellowship == FELLOWSHIP
        assert session.get(Application, "app-1").applicant == {"n": 1, "o": OFFENCE}
    platform.engine.dispose()
    upgrade(settings, migrations)  # at head already: nothing to do
    command.downgrade(alembic_config(settings, migrations), "0005")
    with psycopg.connect(env["DATABASE_URL"]) as conn:
        assert conn.execute(
            "SELECT applicant->>'o', fellowship FROM applications JOIN "
            "organisations o ON o.id = organisation_id WHERE applications.id "
            "= 'app-0'"
        ).fetchone() == (OFFENCE, FELLOWSHIP)


def vetting_tables() -> list:
    """What `keys rotate` re-encrypts in vetting: its own columns and the platform's (the
    outbox and dead letters, the audit sealing keys)."""
    return at_rest.encrypted_columns(vetting_definition().metadata) + at_rest.encrypted_columns(
        PLATFORM_METADATA
    )


def raw_tokens(database_url: str) -> list[str]:
    tables = vetting_tables()
    tokens = []
    with psycopg.connect(database_url) as conn:
        for table, names in tables:
            for row in conn.execute(f"SELECT {', '.join(names)} FROM {table.name}"):
                tokens += [value for value in row if value is not None]
    return tokens


def test_keys_rotate_moves_everything_to_the_new_key_and_resumes_after_interruption(real_env):
    env_a = {**real_env["vetting"], "DATA_ENCRYPTION_KEYS": KEY_A}
    vetting, application_id = seed_vetting(env_a)
    vetting.submit(details=sentinel_details())
    before = vetting.case(application_id)
    vetting.platform.engine.dispose()
    tokens = raw_tokens(env_a["DATABASE_URL"])
    assert len(tokens) > 4 and all(Fernet(KEY_A).decrypt(t.encode()) for t in tokens)

    # Interrupted: B is the new primary, A still opens the old values; it stops after batch 3.
    env_ba = {**env_a, "DATA_ENCRYPTION_KEYS": f"{KEY_B},{KEY_A}"}
    platform = platform_for("vetting", env_ba)
    tables = vetting_tables()
    batches = []

    def interrupt(table: str, rows: int) -> None:
        batches.append(table)
        if len(batches) == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate(
            platform.engine,
            tables,
            at_rest.keyring_from_settings(platform.settings),
            batch_size=1,
            after_batch=interrupt,
        )
    platform.engine.dispose()
    moved = [t for t in raw_tokens(env_a["DATABASE_URL"]) if _opens(KEY_B, t)]
    assert 0 < len(moved) < len(tokens)

    # Run again from the command line: it finishes, skipping what the first run did.
    cli, runner = make_cli(vetting_definition(), "x"), CliRunner()
    result = runner.invoke(cli, ["keys", "rotate", "--batch-size", "2"], env=env_ba)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["rotated"] == len(tokens) - len(moved)
    assert report["already_current"] == len(moved) and report["unreadable"] == 0
    again = runner.invoke(cli, ["keys", "rotate"], env=env_ba).stdout.splitlines()[-1]
    again = json.loads(again)
    assert again["rotated"] == 0 and again["already_current"] == len(tokens)

    # B alone now reads everything, and each value is encrypted once (no token in a token).
    for token in raw_tokens(env_a["DATABASE_URL"]):
        plaintext = Fernet(KEY_B).decrypt(token.encode()).decode()
        assert not _opens(KEY_B, plaintext) and not _opens(KEY_A, plaintext)
    only_b = Vetting({**env_a, "DATA_ENCRYPTION_KEYS": KEY_B})
    assert without_clock(only_b.case(application_id)) == without_clock(before)
    only_b.platform.engine.dispose()


def without_clock(case: dict) -> dict:
    return {k: v for k, v in case.items() if k not in ("age_s", "waited_s")}


def test_keys_generate_prints_a_usable_key():
    cli = make_cli(vetting_definition(), "x")
    key = CliRunner().invoke(cli, ["keys", "generate"]).stdout.strip()
    assert Fernet(key).decrypt(Fernet(key).encrypt(b"x")) == b"x"


def _opens(key: str, token: str) -> bool:
    try:
        Fernet(key).decrypt(token.encode())
    except Exception:  # noqa: BLE001 - any failure: not a token of this key
        return False
    return True


@pytest.mark.unmigrated
def test_the_migration_encrypts_existing_rows_on_sqlite_too(embedded):
    env = embedded["applications"]
    settings = load_settings("applications", env)
    migrations = applications_definition().migrations_dir
    upgrade(settings, migrations, "0005")
    path = settings.database_url.split("///", 1)[1]
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO organisations VALUES ('o', 'Org', ?, 'c@x', '2026-01-01 00:00:00+00:00')",
            (FELLOWSHIP,),
        )
        conn.execute(
            "INSERT INTO applications (id, organisation_id, status, applicant, "
            "establishments, created_at, updated_at) VALUES ('a', 'o', 'DRAFT', ?, "
            "'[]', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')",
            (json.dumps({"o": OFFENCE}),),
        )
    upgrade(settings, migrations)
    with sqlite3.connect(path) as conn:
        raw = repr(conn.execute("SELECT * FROM applications JOIN organisations").fetchall())
    assert OFFENCE not in raw and f"'{FELLOWSHIP}'" not in raw
    platform = platform_for("applications", env)
    with platform.session_factory() as session:
        assert session.get(Application, "a").applicant == {"o": OFFENCE}
        assert session.get(Organisation, "o").fellowship == FELLOWSHIP
    platform.engine.dispose()
    command.downgrade(alembic_config(settings, migrations), "0005")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT applicant FROM applications").fetchone() == (
            json.dumps({"o": OFFENCE}, separators=(",", ":")),
        )


# --- the free text written about people (applications and vetting 0009, access and
# notifications 0006) ------------------------------------------------------------------------

# service -> table -> its columns that hold what officers and organisations write about people.
FREE_TEXT = {
    "applications": {
        "applications": ("withdrawn_reason",),
        "timeline_entries": ("detail",),
        "information_requests": ("items", "reason"),
    },
    "vetting": {"information_requests": ("items", "reason")},
    "access": {"grants": ("status_reason",)},
    "notifications": {"notifications": ("subject", "body")},
}
# The revision before each service's migration that encrypts them.
BEFORE_FREE_TEXT = {
    "applications": "0008",
    "vetting": "0008",
    "access": "0005",
    "notifications": "0005",
}
NAME_LENGTH = 100  # the most the applications API takes for a forename or a surname
OLD_SUBJECT_LENGTH = 200  # notifications.subject's VARCHAR before notifications 0006


def long_name(prefix: str) -> str:
    """A unique name of the longest length allowed: two of them overflowed a subject line."""
    name = sentinel(prefix)
    return name + "x" * (NAME_LENGTH - len(name))


def seed_free_text(world: World) -> dict[str, str]:
    """Through the real flows: an officer asks a question with a reason (applications and
    vetting keep the request, the timeline the question, notifications tell the volunteer and
    the coordinator, naming the person); the person is cleared and the prison refuses them,
    with a reason; another application is withdrawn with a reason. The sentinels written."""
    words = {
        "question": sentinel("Question"),
        "reason": sentinel("Reason"),
        "withdrawal": sentinel("Withdrawal"),
        "refusal": sentinel("Refusal"),
        "forenames": long_name("Fore"),
        "surname": long_name("Sur"),
    }
    apps, vetting, access = world["applications"], world["vetting"], world["access"]
    body = sample_application("free.text@example.org")
    body["applicant"].update(forenames=words["forenames"], surname=words["surname"])
    first = apps.submit(body)
    world.pump()
    vetting.work()
    case = vetting.case(first)
    asked = vetting.call(
        "POST",
        f"/cases/{case['id']}/information-requests",
        json={
            "items": [{"question": words["question"], "field": "addresses"}],
            "reason": words["reason"],
        },
    )
    assert asked.status_code == 201, asked.json
    world.pump()
    apps.org(
        "POST",
        f"/applications/{first}/responses",
        json={"request_id": asked.json["id"], "answers": [{"answer": "Yes, that is my address."}]},
    )
    world.pump()
    vetting.work()
    cleared = vetting.call(
        "POST", f"/cases/{case['id']}/clearance", json={"reason": "Declared, old and minor."}
    )
    assert cleared.status_code == 201, cleared.json
    world.pump()
    access.decide(
        access.grant_id(cleared.json["person_id"], "WWI"), "refusal", {"reason": words["refusal"]}
    )
    world.pump()
    second = apps.submit(sample_application("withdrawn@example.org"))
    apps.org("POST", f"/applications/{second}/withdraw", json={"reason": words["withdrawal"]})
    world.pump()
    return words


def expected_plaintext(words: dict[str, str]) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(service, table, column) -> what its decrypted values must hold (the test wrote it)."""
    names = f"{words['forenames']} {words['surname']}"
    return {
        ("applications", "applications", "withdrawn_reason"): (words["withdrawal"],),
        ("applications", "timeline_entries", "detail"): (words["question"], words["withdrawal"]),
        ("applications", "information_requests", "items"): (words["question"],),
        # Not kept by applications at all: the organisation is never shown why vetting asks.
        ("vetting", "information_requests", "items"): (words["question"],),
        ("vetting", "information_requests", "reason"): (words["reason"],),
        ("access", "grants", "status_reason"): (words["refusal"],),
        # The coordinator's subject names the person in full: longer than the old VARCHAR(200).
        ("notifications", "notifications", "subject"): (names,),
        ("notifications", "notifications", "body"): (words["question"], words["reason"], names),
    }


def stored_rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    """A table's rows as the driver returns them: what a copy of the database shows."""
    with engine.connect() as connection:
        return [
            dict(row._mapping) for row in connection.exec_driver_sql(f'SELECT * FROM "{table}"')
        ]


def stored_text(platform: Any) -> str:
    """Every stored value of every table (the event copies too), as the driver returns it."""
    metadata = MetaData()
    metadata.reflect(bind=platform.engine)
    return repr([stored_rows(platform.engine, table) for table in metadata.tables])


def decrypted_values(platform: Any, table: str, column: str) -> list[str]:
    """The column's stored values, each of which must be a token the service's keys open."""
    keyring = at_rest.keyring_from_settings(platform.settings)
    values = [row[column] for row in stored_rows(platform.engine, table) if row[column] is not None]
    opened = []
    for value in values:
        assert isinstance(value, str) and value.startswith("gAAAAA"), (table, column, value)
        opened.append(keyring.decrypt(value))
    return opened


def model_values(service: str, platform: Any) -> dict[tuple[str, str], list[Any]]:
    """(table, column) -> its values through the model's types (decrypted), by primary key."""
    metadata = __import__(f"{service}.models", fromlist=["Base"]).Base.metadata
    found = {}
    with platform.session_factory() as session:
        for table, columns in FREE_TEXT[service].items():
            t = metadata.tables[table]
            for column in columns:
                found[(table, column)] = list(
                    session.execute(select(t.c[column]).order_by(*t.primary_key.columns)).scalars()
                )
    return found


@pytest.fixture
def world(backend_env):  # type: ignore[no-untyped-def]
    found = World(backend_env)
    yield found
    found.close()


def test_free_text_about_people_is_encrypted_in_every_service(world):
    words = seed_free_text(world)
    secrets = [words[k] for k in ("question", "reason", "withdrawal", "refusal")]
    for (service, table, column), wanted in expected_plaintext(words).items():
        platform = world[service].platform
        opened = decrypted_values(platform, table, column)
        for text in wanted:  # written, and readable with the keys
            assert any(text in value for value in opened), (service, table, column, text)
        stored = repr([row[column] for row in stored_rows(platform.engine, table)])
        for text in (*secrets, words["forenames"], words["surname"]):
            assert text not in stored, (service, table, column, text)
    # Nowhere in any service's database in plain text (names are personal data and stay plain
    # elsewhere: the notifications table holds them only encrypted, as checked above).
    for service in FREE_TEXT:
        stored = stored_text(world[service].platform)
        assert [s for s in secrets if s in stored] == [], service
    # The APIs still show them: the organisation's view of the withdrawn application.
    apps = world["applications"]
    with apps.platform.session_factory() as session:
        withdrawn = session.execute(
            select(Application).where(Application.status == "WITHDRAWN")
        ).scalar_one()
    view = apps.org("GET", f"/applications/{withdrawn.id}")
    assert view["withdrawn_reason"] == words["withdrawal"]
    # Two 100-character names fit the subject (it overflowed VARCHAR(200) on PostgreSQL).
    subjects = decrypted_values(world["notifications"].platform, "notifications", "subject")
    assert max(len(s) for s in subjects) > OLD_SUBJECT_LENGTH


def free_text_stored(engine: Engine, service: str) -> dict[tuple[str, str], list[Any]]:
    return {
        (table, column): [row[column] for row in stored_rows(engine, table)]
        for table, columns in FREE_TEXT[service].items()
        for column in columns
    }


def test_the_free_text_migrations_decrypt_on_downgrade_and_encrypt_again(world, backend_env):
    words = seed_free_text(world)
    secrets = [words[k] for k in ("question", "reason", "withdrawal", "refusal")]
    expected = expected_plaintext(words)
    # The downgrade cuts a subject to the old VARCHAR(200): the names no longer fit whole.
    expected[("notifications", "notifications", "subject")] = (words["forenames"],)
    before = {service: model_values(service, world[service].platform) for service in FREE_TEXT}
    world.close()
    for service, previous in BEFORE_FREE_TEXT.items():
        settings = load_settings(service, backend_env[service])
        definition = __import__(f"{service}.service", fromlist=["definition"]).definition()
        command.downgrade(alembic_config(settings, definition.migrations_dir), previous)
        engine = make_engine(settings.database_url)
        plain = free_text_stored(engine, service)
        engine.dispose()
        assert "gAAAAA" not in repr(plain), service  # every value decrypted
        for (of, table, column), wanted in expected.items():
            if of == service:
                for text in wanted:
                    assert text in repr(plain[(table, column)]), (service, table, column, text)
        if service == "notifications":
            assert max(len(s) for s in plain[("notifications", "subject")]) == OLD_SUBJECT_LENGTH

        platform = platform_for(service, backend_env[service])  # upgraded to head again
        stored = repr(free_text_stored(platform.engine, service))
        assert [s for s in secrets if s in stored] == [], service
        after = model_values(service, platform)
        platform.engine.dispose()
        if service == "notifications":  # the long subjects come back cut, the rest whole
            subjects = before[service].pop(("notifications", "subject"))
            assert any(len(s) > OLD_SUBJECT_LENGTH for s in subjects)
            assert after.pop(("notifications", "subject")) == [
                s[:OLD_SUBJECT_LENGTH] for s in subjects
            ]
        assert after == before[service], service
