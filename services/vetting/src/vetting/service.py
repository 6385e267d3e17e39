"""The vetting service's definition: what it adds to the shared platform (its composition root).

Configuration (environment, beside the shared settings):
- VETTING_POLICY_FILE: a policy YAML file (default: the packaged default policy).
- VETTING_MANUAL_CHECKS: checks an officer records by hand, e.g. "REFERENCES,CTC".
- VETTING_SIMULATED_DELAY_S: how long the simulated provider takes to answer (default 0).
- VETTING_ALLOW_SIMULATED=1: outside the embedded mode, let the simulated providers answer the
  checks not in VETTING_MANUAL_CHECKS (else the service refuses to start:
  vetting.domain.simulation).
- VETTING_CHECK_RETRY_BASE_S / VETTING_CHECK_MAX_ATTEMPTS: backoff for a failing provider.
- VETTING_CHECK_LEASE_S: how long a claimed check is its runner's (default 120): a runner that
  died mid-check has its checks taken up again after this. Longer than a provider call.
- VETTING_IDENTITY_KEY: the key of the hashes people are recognised by (vetting.domain.identity;
  default: derived from SECRET_KEY).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from shared.cli import CliState, pass_state
from shared.platform import Platform, ServiceDefinition
from shared.reference import load_establishments
from shared.retention import retention_group
from vetting.adapters.providers import Providers, SimulatedProvider, choose_provider
from vetting.domain.identity import key_from_settings
from vetting.domain.policy import Policy, PolicyError, load_policy
from vetting.domain.simulation import check_simulation_allowed, manual_checks, readiness_notes
from vetting.models import Base
from vetting.service_layer import (
    circumstances,
    clearances,
    erasure,
    history,
    intake,
    retention,
)
from vetting.workers.check_runner import CheckRunner, RunnerSettings

if TYPE_CHECKING:
    from flask import Flask
    from flask_smorest import Api


def policy(platform: Platform) -> Policy:
    """The vetting policy, loaded and validated once per process; a bad policy stops the
    process with the policy's own error messages."""
    if "policy" not in platform.extras:
        try:
            platform.extras["policy"] = load_policy(
                platform.settings.extra.get("VETTING_POLICY_FILE")
            )
        except PolicyError as exc:
            raise SystemExit(
                f"vetting: the policy is not valid, so the service stops.\n{exc}"
            ) from None
    return platform.extras["policy"]


def _manual_checks(platform: Platform) -> frozenset[str]:
    return manual_checks(platform.settings.extra)


def providers(platform: Platform) -> Providers:
    if "providers" not in platform.extras:
        check_simulation_allowed(platform.settings)  # outside the embedded mode: only if asked
        rules = policy(platform)
        delay = float(platform.settings.extra.get("VETTING_SIMULATED_DELAY_S", 0))
        platform.extras["providers"] = Providers(
            simulated=SimulatedProvider.from_policy(rules, delay=timedelta(seconds=delay))
        )
    return platform.extras["providers"]


def provider_chooser(platform: Platform) -> intake.ProviderChoice:
    rules, chosen, manual = policy(platform), providers(platform), _manual_checks(platform)

    def provider_for(check: str, applicant: Mapping[str, Any], dbs_level: str | None) -> str:
        return choose_provider(
            check,
            applicant,
            dbs_level,
            manual_checks=manual,
            providers=chosen,
            update_service_accepted=rules.dbs_update_service_accepted,
        ).name

    provider_for(policy(platform).levels[0].checks[0], {}, None)  # a bad check list fails now
    return provider_for


def check_runner(platform: Platform) -> CheckRunner:
    extra = platform.settings.extra
    settings = RunnerSettings(
        retry_base_s=float(extra.get("VETTING_CHECK_RETRY_BASE_S", 30)),
        max_attempts=int(extra.get("VETTING_CHECK_MAX_ATTEMPTS", 6)),
        lease_s=float(extra.get("VETTING_CHECK_LEASE_S", 120)),
    )
    return CheckRunner(platform, policy(platform), providers(platform).by_name(), settings)


def _handlers(platform: Platform):
    rules = policy(platform)
    return {
        "application.submitted": [
            intake.make_open_case(
                rules,
                load_establishments(),
                provider_chooser(platform),
                key_from_settings(platform.settings.extra, platform.settings.secret_key),
            )
        ],
        "application.withdrawn": [intake.close_withdrawn_case],
        "application.info_provided": [intake.make_record_information(rules)],
        "application.circumstances_changed": [circumstances.make_record_change(rules)],
        "application.reconsideration_requested": [intake.open_reconsideration],
        "application.erasure_requested": [erasure.erase_person],
        **{
            event_type: [history.make_record_establishment_decision(event_type)]
            for event_type in history.ESTABLISHMENT_DECISIONS
        },
    }


@click.command("sweep", help="Send expiry reminders and expire clearances (run daily).")
@click.option("--at", "at", default=None, help="ISO time to sweep as of (default: now).")
@click.option(
    "--every",
    "every_s",
    default=None,
    type=float,
    help="Keep running, sweeping every this many seconds (a container's scheduler).",
)
@pass_state
def sweep_command(state: CliState, at: str | None, every_s: float | None) -> None:
    while True:
        moment = datetime.fromisoformat(at) if at else state.platform.clock.now()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        with state.platform.unit_of_work() as uow:
            found = clearances.sweep(uow, policy(state.platform), moment)
            uow.commit()
        click.echo(f'{{"reminded": {found["reminded"]}, "expired": {found["expired"]}}}')
        if every_s is None:
            return
        time.sleep(every_s)


def _configure_app(_app: Flask, platform: Platform) -> None:
    policy(platform)
    providers(platform)
    platform.extras["readiness_notes"] = readiness_notes(platform.settings)


def _register_routes(api: Api) -> None:
    # Imported here: only the web process needs the routes (and flask-smorest behind them).
    from vetting.routes import register_routes

    register_routes(api)


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="vetting",
        title="Vetting API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=_register_routes,
        handlers=_handlers,
        configure_app=_configure_app,
        background=lambda platform: [check_runner(platform)],
        commands=(sweep_command, retention_group(retention.PURGES)),
        check_settings=check_simulation_allowed,
    )
