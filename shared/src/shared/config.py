"""Settings read from the environment, with the embedded defaults when unset.

Every process of every service builds one `Settings` in its composition root; nothing here
runs at import time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from shared.clock import TEST_CLOCK_AT, TEST_CLOCK_OFFSET_S, ClockSettingError, clock_offset
from shared.limits_config import ENV_NAMES as RATE_LIMIT_ENV_NAMES
from shared.limits_config import RateLimitSettingError, RateLimitSettings, load_rate_limits
from shared.staff_tokens import OidcSettings

DEFAULT_PORTS = {"applications": 8001, "vetting": 8002, "access": 8003, "notifications": 8004}

# The embedded default uses this secret only when none is given; production must set its own.
INSECURE_DEV_SECRET = "dev-only-insecure-secret-change-me"

# The development identity provider `make run` starts (tools/devidp).
DEV_ISSUER = "http://127.0.0.1:9000"

# Where a process runs (DEPLOYMENT_ENVIRONMENT). Production images set "production"; only the
# others honour the test clock.
ENVIRONMENTS = ("development", "test", "production")


class SettingsError(ValueError):
    """The environment asks for something a process must not start with."""


# RabbitMQ queue types the topology can declare (BROKER_QUEUE_TYPE). A queue's type is fixed when
# it is created: changing it means draining, deleting and redeclaring (docs/operations.md).
QUEUE_TYPES = ("classic", "quorum")


@dataclass(frozen=True)
class Settings:
    service: str
    database_url: str
    broker_url: str
    broker_prefix: str = ""
    broker_queue_type: str = "classic"
    var_dir: Path = Path("var")
    secret_key: str = INSECURE_DEV_SECRET
    # The staff identity provider (OpenID Connect): see shared.staff_tokens.
    oidc: OidcSettings = field(default_factory=lambda: OidcSettings(DEV_ISSUER, ""))
    api_key_pepper: str = INSECURE_DEV_SECRET
    api_key_cache_s: float = 5.0
    # Fernet keys, newest first, for special-category fields (empty: derived from the
    # development secret, which only the insecure default allows; see shared.crypto.at_rest).
    data_encryption_keys: tuple[str, ...] = ()
    port: int = 8000
    max_content_length: int = 256 * 1024
    consumer_max_attempts: int = 5
    consumer_retry_base_s: float = 0.5
    consumer_prefetch: int = 50
    relay_batch_size: int = 500
    relay_idle_wait_s: float = 0.25
    broker_polling_interval_s: float = 0.02
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_sender: str = "no-reply@mutual-aid-clearance.example"
    log_level: str = "INFO"
    environment: str = "development"
    # The whole system's time shifted by this much (development and test runs; shared.clock).
    clock_offset_s: float = 0.0
    # Requests per source, API key and staff subject (shared.limits_config, shared.web.limits).
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    # Who may read /metrics besides a bearer of metrics_token (shared.web.metrics_access).
    metrics_allowed_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")
    metrics_token: str = ""
    # The role the service's processes connect as, granted its privileges by `migrate`
    # (which then runs as an administrator; shared.audit.owner). Empty: no grants.
    database_runtime_role: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    # The RabbitMQ user each service publishes as (BROKER_USER_<SERVICE>); unset ones are
    # `<BROKER_PREFIX><service>`. Consumers trust an event only from its publisher's user.
    broker_users: Mapping[str, str] = field(default_factory=dict)
    # The CA bundle that verifies the broker's certificate on amqps:// (else the system's).
    broker_ca_file: str | None = None

    @property
    def is_embedded_broker(self) -> bool:
        return self.broker_url.startswith("filesystem:")

    def broker_user(self, service: str) -> str:
        """The broker user whose messages carry `service`'s events."""
        return self.broker_users.get(service) or f"{self.broker_prefix}{service}"

    @property
    def broker_connection_user(self) -> str:
        """The user BROKER_URL authenticates as (kombu's default, guest, when it names none)."""
        username = urlsplit(self.broker_url).username
        return unquote(username) if username else "guest"

    @property
    def broker_principal(self) -> str:
        """The `user_id` this process's messages carry. RabbitMQ checks it against the
        connection's user; the embedded transport has no users, so it is this service's name
        there, and anyone who can write the spool directory can claim any (docs/operations.md,
        "The broker: each service its own principal")."""
        if self.is_embedded_broker:
            return self.broker_user(self.service)
        return self.broker_connection_user

    @property
    def runs_as_own_broker_user(self) -> bool:
        """On RabbitMQ as this service's own user, which no other service shares: such a user
        may touch only its own objects. (Otherwise one user for every service: a development
        broker, no separation, and any process may declare the whole topology.)"""
        if self.is_embedded_broker or self.broker_principal != self.broker_user(self.service):
            return False
        return all(
            self.broker_user(service) != self.broker_principal
            for service in DEFAULT_PORTS
            if service != self.service
        )

    def broker_principal_problem(self) -> str | None:
        """Why this process's messages would not be trusted, or None."""
        if self.is_embedded_broker or self.broker_principal == self.broker_user(self.service):
            return None
        variable = f"BROKER_USER_{self.service.upper()}"
        return (
            f"BROKER_URL connects as {self.broker_principal!r} but {variable} is "
            f"{self.broker_user(self.service)!r}: every other service would dead-letter "
            f"{self.service}'s events (set {variable} everywhere, or connect as that user)"
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def name(self, local_name: str) -> str:
        """A broker object name with this deployment's prefix (tests isolate themselves so)."""
        return f"{self.broker_prefix}{local_name}"

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)


def load_settings(service: str, env: Mapping[str, str] | None = None) -> Settings:
    """Build settings for `service` from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    var_dir = Path(env.get("VAR_DIR", "var")).resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{var_dir / (service + '.db')}"
    broker_url = env.get("BROKER_URL") or "filesystem://"
    # The embedded mode may fall back on the development secret; anything else must set each
    # secret itself (shared.startup_secrets refuses to start without them).
    embedded = database_url.startswith("sqlite") and broker_url.startswith("filesystem:")
    secret = env.get("SECRET_KEY", INSECURE_DEV_SECRET if embedded else "")
    fallback = secret if embedded else ""
    queue_type = env.get("BROKER_QUEUE_TYPE", "classic").strip().lower() or "classic"
    if queue_type not in QUEUE_TYPES:
        # A typo must stop the process: declaring the wrong type fails later, on the broker.
        raise SettingsError(
            f"BROKER_QUEUE_TYPE={queue_type!r}: expected one of {', '.join(QUEUE_TYPES)}"
        )
    environment = env.get("DEPLOYMENT_ENVIRONMENT", "development").strip().lower()
    if environment not in ENVIRONMENTS:
        raise SettingsError(
            f"DEPLOYMENT_ENVIRONMENT={environment!r}: expected one of {', '.join(ENVIRONMENTS)}"
        )
    return Settings(
        service=service,
        database_url=database_url,
        broker_url=broker_url,
        broker_prefix=env.get("BROKER_PREFIX", ""),
        broker_queue_type=queue_type,
        var_dir=var_dir,
        secret_key=secret,
        oidc=_oidc_settings(service, env),
        api_key_pepper=env.get("API_KEY_PEPPER", fallback),
        api_key_cache_s=float(env.get("API_KEY_CACHE_S", 5.0)),
        data_encryption_keys=tuple(
            key.strip() for key in env.get("DATA_ENCRYPTION_KEYS", "").split(",") if key.strip()
        ),
        port=int(env.get("PORT", DEFAULT_PORTS.get(service, 8000))),
        max_content_length=int(env.get("MAX_CONTENT_LENGTH", 256 * 1024)),
        consumer_max_attempts=int(env.get("CONSUMER_MAX_ATTEMPTS", 5)),
        consumer_retry_base_s=float(env.get("CONSUMER_RETRY_BASE_S", 0.5)),
        consumer_prefetch=int(env.get("CONSUMER_PREFETCH", 50)),
        relay_batch_size=int(env.get("RELAY_BATCH_SIZE", 500)),
        relay_idle_wait_s=float(env.get("RELAY_IDLE_WAIT_S", 0.25)),
        broker_polling_interval_s=float(env.get("BROKER_POLLING_INTERVAL_S", 0.02)),
        smtp_host=env.get("SMTP_HOST", "127.0.0.1"),
        smtp_port=int(env.get("SMTP_PORT", 1025)),
        smtp_sender=env.get("SMTP_SENDER", "no-reply@mutual-aid-clearance.example"),
        log_level=env.get("LOG_LEVEL", "INFO"),
        environment=environment,
        clock_offset_s=_clock_offset_s(env, environment),
        rate_limits=_rate_limits(env),
        broker_users={
            service: user
            for service in DEFAULT_PORTS
            if (user := env.get(broker_user_variable(service), "").strip())
        },
        broker_ca_file=env.get("BROKER_CA_FILE", "").strip() or None,
        metrics_allowed_networks=tuple(
            cidr.strip()
            for cidr in env.get("METRICS_ALLOWED_NETWORKS", "127.0.0.0/8,::1/128").split(",")
            if cidr.strip()
        ),
        metrics_token=env.get("METRICS_TOKEN", ""),
        database_runtime_role=env.get("DATABASE_RUNTIME_ROLE", "").strip(),
        # The service's own settings (VETTING_...), and the retention periods every service
        # reads (RETENTION_..., see shared.retention).
        extra={k: v for k, v in env.items() if k.startswith((service.upper() + "_", "RETENTION_"))},
    )


def _oidc_settings(service: str, env: Mapping[str, str]) -> OidcSettings:
    """Which provider staff sign in at. Like the clock, a fact of the whole deployment: a
    setting missing from `env` is taken from the process's environment."""

    def get(name: str, default: str) -> str:
        return (env.get(name) or os.environ.get(name) or default).strip()

    algorithms = tuple(
        a.strip() for a in get("OIDC_ALGORITHMS", "RS256,ES256").split(",") if a.strip()
    )
    if not algorithms or set(algorithms) - {"RS256", "ES256", "PS256", "RS384", "ES384"}:
        raise SettingsError(
            f"OIDC_ALGORITHMS={','.join(algorithms)!r}: asymmetric "
            "signatures only (RS256, ES256, PS256, RS384, ES384)"
        )
    max_lifetime_s = int(get("OIDC_MAX_TOKEN_LIFETIME_S", "900"))
    if not 0 < max_lifetime_s <= 900:
        raise SettingsError(
            "OIDC_MAX_TOKEN_LIFETIME_S: staff access tokens live 15 minutes at most"
        )
    return OidcSettings(
        issuer=get("OIDC_ISSUER", DEV_ISSUER).rstrip("/"),
        audience=(env.get("OIDC_AUDIENCE") or service).strip(),
        jwks_url=get("OIDC_JWKS_URL", ""),
        roles_claim=get("OIDC_ROLES_CLAIM", "roles"),
        establishments_claim=get("OIDC_ESTABLISHMENTS_CLAIM", "establishments"),
        algorithms=algorithms,
        max_lifetime_s=max_lifetime_s,
        leeway_s=int(get("OIDC_LEEWAY_S", "30")),
        jwks_min_refetch_s=float(get("OIDC_JWKS_MIN_REFETCH_S", "10")),
    )


def _rate_limits(env: Mapping[str, str]) -> RateLimitSettings:
    try:
        return load_rate_limits(env)
    except RateLimitSettingError as exc:
        raise SettingsError(str(exc)) from None


def broker_user_variable(service: str) -> str:
    return f"BROKER_USER_{service.upper()}"


def broker_password_variable(service: str) -> str:
    """Read by `python -m shared broker-setup` only: the password it gives the service's user
    (the service itself finds its password in its BROKER_URL)."""
    return f"BROKER_PASSWORD_{service.upper()}"


def shared_broker_user_env(user: str) -> dict[str, str]:
    """Every service publishing as one broker user (a development broker, e.g. guest): the
    settings that make the consumers accept it. No separation between the services."""
    return {broker_user_variable(service): user for service in DEFAULT_PORTS}


def _clock_offset_s(env: Mapping[str, str], environment: str) -> float:
    """The test clock's shift. It is a fact of the whole run, so the process's own environment
    counts too (a test's hand-made settings still share the run's clock)."""
    clock_env = {
        key: value
        for key in (TEST_CLOCK_AT, TEST_CLOCK_OFFSET_S)
        if (value := env.get(key, os.environ.get(key, "")).strip())
    }
    if not clock_env:
        return 0.0
    if environment == "production":
        raise SettingsError(
            f"{' and '.join(sorted(clock_env))} set: a production deployment "
            "runs on the system's clock"
        )
    try:
        offset = clock_offset() if env is os.environ else clock_offset(clock_env)
    except ClockSettingError as exc:
        raise SettingsError(str(exc)) from None
    return offset.total_seconds()


# Every variable the processes read: `load_settings` (the RETENTION_ ones through `extra`) and
# WEB_CONCURRENCY (the `web` command, gunicorn). The compose file test checks the compose
# environment against this list.
KNOWN_ENV_VARS = frozenset(
    {
        "VAR_DIR",
        "DATABASE_URL",
        "BROKER_URL",
        "BROKER_PREFIX",
        "BROKER_QUEUE_TYPE",
        "SECRET_KEY",
        "API_KEY_PEPPER",
        "API_KEY_CACHE_S",
        "OIDC_ISSUER",
        "OIDC_AUDIENCE",
        "OIDC_JWKS_URL",
        "OIDC_ROLES_CLAIM",
        "OIDC_ESTABLISHMENTS_CLAIM",
        "OIDC_ALGORITHMS",
        "OIDC_MAX_TOKEN_LIFETIME_S",
        "OIDC_LEEWAY_S",
        "OIDC_JWKS_MIN_REFETCH_S",
        "DATA_ENCRYPTION_KEYS",
        "PORT",
        "MAX_CONTENT_LENGTH",
        "CONSUMER_MAX_ATTEMPTS",
        "CONSUMER_RETRY_BASE_S",
        "CONSUMER_PREFETCH",
        "RELAY_BATCH_SIZE",
        "RELAY_IDLE_WAIT_S",
        "BROKER_POLLING_INTERVAL_S",
        "SMTP_HOST",
        "SMTP_PORT",
        "SMTP_SENDER",
        "LOG_LEVEL",
        "WEB_CONCURRENCY",
        "RETENTION_CHECK_DETAILS_MONTHS",
        "DEPLOYMENT_ENVIRONMENT",
        "TEST_CLOCK_AT",
        "TEST_CLOCK_OFFSET_S",
        "RETENTION_CLOSED_APPLICANT_MONTHS",
        "RETENTION_OUTBOX_DAYS",
        *RATE_LIMIT_ENV_NAMES.values(),
        "METRICS_ALLOWED_NETWORKS",
        "METRICS_TOKEN",
        "DATABASE_RUNTIME_ROLE",
        "BROKER_CA_FILE",
        "BROKER_ADMIN_URL",
        # /info: set when the image is built.
        "APP_GIT_SHA",
        "APP_BUILD_TIME",
        # prometheus_client's multiprocess folder (the `web` command sets one under VAR_DIR).
        "PROMETHEUS_MULTIPROC_DIR",
        *(broker_user_variable(service) for service in DEFAULT_PORTS),
        *(broker_password_variable(service) for service in DEFAULT_PORTS),
    }
)
