"""The vetting service's definition: what it adds to the shared platform."""

from __future__ import annotations

from pathlib import Path

from shared.platform import Platform, ServiceDefinition
from shared.reference import load_establishments
from vetting import service_layer
from vetting.models import Base
from vetting.policy import Policy, PolicyError, load_policy
from vetting.routes import register_routes


def policy(platform: Platform) -> Policy:
    """The vetting policy, loaded and validated once per process; a bad policy stops the
    process with the policy's own error messages."""
    if "policy" not in platform.extras:
        try:
            platform.extras["policy"] = load_policy(
                platform.settings.extra.get("VETTING_POLICY_FILE"))
        except PolicyError as exc:
            raise SystemExit(
                f"vetting: the policy is not valid, so the service stops.\n{exc}") from None
    return platform.extras["policy"]


def _handlers(platform: Platform):  # type: ignore[no-untyped-def]
    return {
        "application.submitted": [service_layer.make_open_case(policy(platform),
                                                               load_establishments())],
        "application.withdrawn": [service_layer.close_withdrawn_case],
        "application.info_provided": [service_layer.record_information],
        "application.circumstances_changed": [service_layer.record_change_of_circumstances],
    }


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="vetting",
        title="Vetting API",
        metadata=Base.metadata,
        migrations_dir=Path(__file__).parent / "migrations",
        register_routes=register_routes,
        handlers=_handlers,
        configure_app=lambda _app, platform: policy(platform),
    )
