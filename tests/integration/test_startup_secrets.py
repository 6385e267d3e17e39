"""No defaults outside the embedded mode, on PostgreSQL and RabbitMQ:

- every service refuses to start with each secret missing or a repository default, naming it
  (the command line's settings check in process for each variable, and one real `web` process
  per service, which must stop before gunicorn starts);
- vetting refuses the simulated check providers unless VETTING_ALLOW_SIMULATED=1, and then says
  so on /health/readiness and in every case's audit entry;
- the outbox and dead letters hold no plaintext of a sentinel's criminal declaration.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Mapping
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner

from shared.cli import make_cli
from shared.config import INSECURE_DEV_SECRET, SettingsError
from shared.db import dead_letters_table, outbox_table
from shared.inbox import Dispatcher
from shared.messaging.topology import SERVICES
from shared.startup_secrets import REQUIRED_SECRETS, _development_key, generate_secret
from tests.support.applications_api import organisations_api
from tests.support.platforms import platform_for
from tests.support.sentinel_people import Sentinels, application
from tests.support.vetting_harness import Vetting
from vetting.domain.policy import CHECKS

ALL_MANUAL = ",".join(CHECKS)


def bad_values(variable: str, good: str) -> dict[str, str | None]:
    """What is wrong with a variable: missing, and a default from the repository."""
    if variable in ("DATABASE_URL", "BROKER_URL"):
        user, rest = good.split("://", 1)[1].split("@", 1)
        scheme, name = good.split("://", 1)[0], user.split(":", 1)[0]
        default = "compose-dev-db-password" if variable == "DATABASE_URL" else "guest"
        return {
            "missing": f"{scheme}://{name}@{rest}",
            "default": f"{scheme}://{name}:{default}@{rest}",
        }
    default = (
        _development_key(INSECURE_DEV_SECRET)
        if variable == "DATA_ENCRYPTION_KEYS"
        else INSECURE_DEV_SECRET
    )
    return {"missing": None, "default": default}


def invoke(service: str, env: Mapping[str, str | None], *args: str) -> Any:
    """`python -m <service> …` in process (click's runner), with exactly `env`'s settings."""
    definition = importlib.import_module(f"{service}.service").definition()
    cli = make_cli(definition, f"{service}.app:create_app()")
    return CliRunner().invoke(cli, list(args), env=dict(env))


@pytest.mark.parametrize("service", SERVICES)
def test_each_missing_or_default_secret_stops_the_service_naming_it(real_env, service):
    env = dict(real_env[service])
    assert invoke(service, env, "outbox", "lag").exit_code == 0  # the good set starts
    for entry in REQUIRED_SECRETS:
        if entry.service not in (None, service):
            continue
        if entry.kind == "optional":  # unset is fine; a weak or default one is refused
            env[entry.variable] = env.get(entry.variable) or generate_secret()
        for how, value in bad_values(entry.variable, env[entry.variable]).items():
            if entry.kind == "optional" and not value:
                continue
            result = invoke(service, {**env, entry.variable: value}, "outbox", "lag")
            assert result.exit_code != 0, (entry.variable, how)
            named = [
                line
                for line in result.output.splitlines()
                if line.startswith(f"{entry.variable}: ")
            ]
            assert len(named) == 1, (entry.variable, how, result.output)
            assert "Traceback" not in result.output


@pytest.mark.parametrize("service", SERVICES)
def test_a_real_web_process_with_a_default_secret_exits_before_serving(real_env, service):
    env = {
        **real_env[service],
        "PATH": "/usr/bin:/bin",
        "SECRET_KEY": INSECURE_DEV_SECRET,
        "PORT": "1",
    }
    env.pop("API_KEY_PEPPER")
    result = subprocess.run(
        [sys.executable, "-m", service, "web"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert "SECRET_KEY: a default from the repository" in lines, result.stderr
    assert "API_KEY_PEPPER: missing" in lines, result.stderr
    assert "gunicorn" not in result.stderr.lower() and "Traceback" not in result.stderr


def test_vetting_refuses_the_simulated_providers_unless_asked(real_env):
    env = {k: v for k, v in real_env["vetting"].items() if k != "VETTING_ALLOW_SIMULATED"}
    refused = invoke("vetting", env, "outbox", "lag")
    assert refused.exit_code != 0
    assert (
        "VETTING_MANUAL_CHECKS: " in refused.output
        and "VETTING_ALLOW_SIMULATED=1" in refused.output
    )
    # The check runner stops the same way as a real process.
    process = subprocess.run(
        [sys.executable, "-m", "vetting", "check-runner"],
        env={**env, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert process.returncode != 0 and "VETTING_ALLOW_SIMULATED=1" in process.stderr
    with pytest.raises(SettingsError, match="VETTING_MANUAL_CHECKS"):
        Vetting(env)  # the composition root, in process (web app, consumer handlers)
    # Officers recording every check: nothing simulated, nothing to allow.
    assert (
        invoke("vetting", {**env, "VETTING_MANUAL_CHECKS": ALL_MANUAL}, "outbox", "lag").exit_code
        == 0
    )


def case_audit(vetting: Vetting, application_id: str) -> dict[str, Any]:
    case_id = vetting.case(application_id)["id"]
    [opened] = [
        entry
        for entry in vetting.call("GET", f"/cases/{case_id}/audit").json
        if entry["action"] == "case.opened"
    ]
    return opened["detail"]


def test_allowed_simulation_is_announced_and_audited(real_env):
    allowed = Vetting(real_env["vetting"])  # VETTING_ALLOW_SIMULATED=1, as the tests run
    ready = allowed.client.get("/health/readiness").json
    assert ready["status"] == "ok" and ready["simulated_checks"] == sorted(CHECKS)
    detail = case_audit(allowed, allowed.submit())
    assert detail["simulated_checks"] and set(detail["simulated_checks"]) <= set(CHECKS)
    allowed.platform.engine.dispose()

    manual = Vetting({**real_env["vetting"], "VETTING_MANUAL_CHECKS": ALL_MANUAL})
    assert "simulated_checks" not in manual.client.get("/health/readiness").json
    assert case_audit(manual, manual.submit())["simulated_checks"] == []
    manual.platform.engine.dispose()


def stored(database_url: str, table: str) -> str:
    with psycopg.connect(database_url) as conn:
        return repr(conn.execute(f'SELECT * FROM "{table}"').fetchall())


def test_no_plaintext_declaration_in_the_outbox_or_dead_letters(real_env):
    sentinels = Sentinels()
    body = application(sentinels, "v")
    api, applications = organisations_api(real_env["applications"])
    draft = api.draft(body)
    assert api.call("POST", f"/applications/{draft['id']}/submit").status_code == 200
    # The submitted event, as the relay would publish it, dead-lettered by vetting (its
    # handler failing with an error that repeats the declaration).
    with applications.engine.connect() as conn:
        [raw] = conn.execute(
            outbox_table.select().where(outbox_table.c.event_type == "application.submitted")
        ).all()
    vetting = platform_for("vetting", real_env["vetting"])
    offence = sentinels.values["v_offence"]
    Dispatcher.for_platform(vetting, {}).record_dead_letter(
        raw.body, f"ValidationError: offence {offence!r} not recognised", 5
    )
    needles = [offence, sentinels.values["v_connection_name"], sentinels.values["v_surname"]]
    # Readable through the service's keys (the relay publishes it; replay can run it) ...
    assert offence in raw.body and all(n in json.dumps(json.loads(raw.body)) for n in needles)
    with vetting.engine.connect() as conn:
        dead = conn.execute(dead_letters_table.select()).one()
    assert dead.body == raw.body and offence in dead.error
    # ... and nowhere in the clear: not the declaration, not the name, in either table.
    for url, table in (
        (real_env["applications"]["DATABASE_URL"], "outbox"),
        (real_env["vetting"]["DATABASE_URL"], "dead_letters"),
    ):
        text = stored(url, table)
        assert [n for n in needles if n in text] == [], table
        assert draft["id"] in text  # the ids beside the body, for erasure
    applications.engine.dispose()
    vetting.engine.dispose()
