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

from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.platform import Platform, ServiceDefinition
from shared.reference import load_establishments
from shared.retention import retention_group
from vetting.adapters.providers import Providers, SimulatedProvider, choose_provider
from vetting.cli import sweep_command
from vetting.domain.identity import key_from_settings
from vetting.domain.policy import Policy, PolicyError, load_policy
from vetting.domain.simulation import check_simulation_allowed, manual_checks, readiness_notes
from vetting.models import Base
from vetting.service_layer import retention
from vetting.service_layer.handlers import HANDLERS, Dependencies
from vetting.service_layer.intake import ProviderChoice
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


def provider_chooser(platform: Platform) -> ProviderChoice:
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


def dependencies(platform: Platform) -> Dependencies:
    """The collaborators vetting's handlers are bound to."""
    return Dependencies(
        policy=policy(platform),
        establishments=load_establishments(),
        provider_for=provider_chooser(platform),
        identity_key=key_from_settings(platform.settings.extra, platform.settings.secret_key),
    )


def _configure_app(app: Flask, platform: Platform) -> None:
    # Imported here: only the web process needs the workbench (and its templates, forms).
    from vetting.workbench.configure import configure_workbench

    policy(platform)
    providers(platform)
    platform.extras["readiness_notes"] = readiness_notes(platform.settings)
    configure_workbench(app, platform)


def _register_routes(api: Api) -> None:
    # Imported here: only the web process needs the routes (and flask-smorest behind them).
    from vetting.routes import register_routes

    register_routes(api)


def _state_metrics(platform: Platform) -> Iterable[Any]:
    # Imported here: only a web process answering a scrape needs it.
    from vetting.adapters.state_metrics import case_waits

    return case_waits(platform)


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="vetting",
        title="Vetting API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=_register_routes,
        handlers=lambda platform: HANDLERS.bind(dependencies(platform)),
        configure_app=_configure_app,
        workers={"check-runner": check_runner},
        state_metrics=_state_metrics,
        commands=(sweep_command(policy), retention_group(retention.PURGES)),
        check_settings=check_simulation_allowed,
    )
