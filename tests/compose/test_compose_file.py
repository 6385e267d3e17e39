"""docker-compose.yml checked against the code, without Docker.

The compose file names commands, options, environment variables, ports and files that the code
and the repository define; when either side drifts, a test here fails.
"""

from __future__ import annotations

import importlib
import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from devstack.stack import WORKERS
from shared.cli import make_cli
from shared.config import DEFAULT_PORTS, KNOWN_ENV_VARS
from shared.messaging.topology import SERVICES
from shared.startup_secrets import env_file_values, weakness

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"

# Container role in the compose file → the CLI subcommand it runs.
ROLES = {"migrate": "migrate", "web": "web", "consumer": "consume", "relay": "relay"}
BACKING = ("postgres", "rabbitmq", "mailpit")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
_INTERPOLATION = re.compile(
    r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
)
# A variable that holds a secret, by its name.
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASS$|PEPPER|KEYS?$|TOKEN")


def interpolate(value: str) -> str:
    """Resolve `${NAME:-default}` as compose would with NAME unset; a required `${NAME:?…}`
    becomes `<NAME>` (what .env gives it)."""

    def resolve(match: re.Match[str]) -> str:
        if match.group("op") and match.group("op").endswith("?"):
            return f"<{match.group('name')}>"
        return match.group("arg") or ""

    return _INTERPOLATION.sub(resolve, value)


def required_variables(text: str) -> set[str]:
    """Every `${NAME:?…}` in `text`."""
    return {
        m.group("name")
        for m in _INTERPOLATION.finditer(text)
        if (m.group("op") or "").endswith("?")
    }


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


@pytest.fixture(scope="module")
def clis() -> dict[str, click.Group]:
    result = {}
    for service in SERVICES:
        module = importlib.import_module(f"{service}.service")
        result[service] = make_cli(module.definition(), f"{service}.app:create_app()")
    return result


def our_containers() -> list[tuple[str, str, str]]:
    """(container, service, role) for every process of every service."""
    return [
        (f"{service}-{role}", service, role)
        for service in SERVICES
        for role in (*ROLES, *WORKERS.get(service, ()))
    ]


def environment_of(container: dict[str, Any]) -> dict[str, str]:
    env = container.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {str(k): "" if v is None else str(v) for k, v in env.items()}


def command_of(container: dict[str, Any]) -> list[str]:
    command = container.get("command")
    assert command, "every service container names its command"
    return shlex.split(command) if isinstance(command, str) else [str(a) for a in command]


def published_ports(container: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) for each published port, short or long syntax."""
    result = []
    for port in container.get("ports") or []:
        if isinstance(port, dict):
            result.append((int(port["published"]), int(port["target"])))
            continue
        parts = str(port).split("/")[0].split(":")
        assert len(parts) >= 2, f"port {port!r} publishes no fixed host port"
        result.append((int(parts[-2]), int(parts[-1])))
    return result


def test_the_services_are_the_ones_the_code_knows() -> None:
    assert set(SERVICES) == set(DEFAULT_PORTS)


def test_every_service_has_its_four_containers(services: dict[str, Any]) -> None:
    missing = [name for name, _, _ in our_containers() if name not in services]
    assert not missing, f"containers missing from docker-compose.yml: {missing}"
    for name in BACKING:
        assert name in services, f"backing service {name} missing"


@pytest.mark.parametrize(("name", "service", "role"), our_containers())
def test_command_is_a_subcommand_of_the_service_cli(
    services: dict[str, Any], clis: dict[str, click.Group], name: str, service: str, role: str
) -> None:
    argv = command_of(services[name])
    assert argv[:3] == ["python", "-m", service], f"{name} runs {argv}"
    subcommand, args = argv[3], argv[4:]
    cli = clis[service]
    assert subcommand in cli.commands, f"{name}: `{subcommand}` is not a `{service}` command"
    expected = ROLES.get(role, role)  # a worker's container is named after its command
    assert subcommand == expected, f"{name} should run `{expected}`, runs `{subcommand}`"
    # The options parse as the real command would parse them (unknown options fail here).
    command = cli.commands[subcommand]
    context = command.make_context(subcommand, list(args), resilient_parsing=False)
    if role == "web":
        host, _, port = context.params["bind"].rpartition(":")
        assert host == "0.0.0.0", f"{name} must listen on every interface in its container"
        assert int(port) == DEFAULT_PORTS[service]


@pytest.mark.parametrize(("name", "service", "role"), our_containers())
def test_environment_variables_are_known_to_the_code(
    services: dict[str, Any], name: str, service: str, role: str
) -> None:
    env = environment_of(services[name])
    # The shared variables, and the service's own (VETTING_…, read through settings.extra).
    unknown = {v for v in set(env) - KNOWN_ENV_VARS if not v.startswith(f"{service.upper()}_")}
    assert not unknown, f"{name} sets variables the code never reads: {sorted(unknown)}"
    for required in ("DATABASE_URL", "BROKER_URL", "SECRET_KEY", "OIDC_ISSUER", "API_KEY_PEPPER"):
        assert required in env, f"{name} lacks {required}"
    database_url = interpolate(env["DATABASE_URL"])
    assert database_url.startswith("postgresql://")
    assert database_url.rsplit("/", 1)[1] == service, f"{name} must use its own database"
    assert interpolate(env["BROKER_URL"]).startswith("amqp://")
    assert int(interpolate(env.get("PORT", "0"))) == DEFAULT_PORTS[service]
    if service == "notifications":
        assert interpolate(env["SMTP_HOST"]) == "mailpit"
        assert int(interpolate(env["SMTP_PORT"])) == 1025


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_processes_share_one_image_and_configuration(
    services: dict[str, Any], service: str
) -> None:
    containers = [services[f"{service}-{role}"] for role in ROLES]
    assert len({c.get("image") for c in containers}) == 1
    assert len({repr(c.get("build")) for c in containers}) == 1
    # The migrate one-shot alone connects as the database's owner and names the runtime role.
    migrating = {"DATABASE_URL", "DATABASE_RUNTIME_ROLE"}
    assert (
        len(
            {
                repr(sorted((k, v) for k, v in environment_of(c).items() if k not in migrating))
                for c in containers
            }
        )
        == 1
    )
    assert (
        environment_of(services[f"{service}-migrate"])["DATABASE_RUNTIME_ROLE"] == f"{service}_app"
    )


@pytest.mark.parametrize(("name", "service", "role"), our_containers())
def test_one_dockerfile_builds_each_service_from_its_lock(
    services: dict[str, Any], name: str, service: str, role: str
) -> None:
    build = services[name].get("build")
    assert isinstance(build, dict), f"{name} builds its image"
    context = (COMPOSE_FILE.parent / build.get("context", ".")).resolve()
    assert context == ROOT, "the build context is the repository root (it needs shared/)"
    assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
    assert build["args"] == {"SERVICE": service}
    assert (ROOT / "deploy" / "requirements" / f"{service}.txt").is_file()


def test_the_dockerfile_pins_its_bases_and_installs_only_locked_files() -> None:
    text = (ROOT / "Dockerfile").read_text()
    bases = dict(re.findall(r"^ARG (\w+_IMAGE)=(\S+)$", text, re.M))
    assert set(bases) == {"PYTHON_IMAGE", "NODE_IMAGE"}
    for image in bases.values():
        assert re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", image), image
    assert re.findall(r"^FROM (\S+)", text, re.M) == [
        "${NODE_IMAGE}",
        "${PYTHON_IMAGE}",
        "${PYTHON_IMAGE}",
    ]
    assert "pip install --require-hashes --no-deps -r /src/requirements.txt" in text
    assert "COPY deploy/requirements/${SERVICE}.txt" in text
    for source in ("shared/", "services/${SERVICE}/"):
        assert re.search(rf"^COPY\s+{re.escape(source)}\s", text, re.M), f"COPY {source}"
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0"), "runs as a non-root user"
    assert "pip install -e" not in text and "--editable" not in text


@pytest.mark.parametrize("service", SERVICES)
def test_web_ports_are_the_default_ports(services: dict[str, Any], service: str) -> None:
    port = DEFAULT_PORTS[service]
    assert published_ports(services[f"{service}-web"]) == [(port, port)]
    assert host_ips(services[f"{service}-web"]) == ["127.0.0.1"]
    for role in ("migrate", "consumer", "relay"):
        assert not services[f"{service}-{role}"].get("ports"), f"{service}-{role} publishes"


def host_ips(container: dict[str, Any]) -> list[str | None]:
    """The host address each published port is bound to (None: every interface)."""
    found: list[str | None] = []
    for port in container.get("ports") or []:
        if isinstance(port, dict):
            found.append(port.get("host_ip"))
            continue
        parts = str(port).split("/")[0].split(":")
        found.append(":".join(parts[:-2]) or None)
    return found


def test_every_published_port_is_bound_to_loopback(services: dict[str, Any]) -> None:
    """Nothing is published on 0.0.0.0 (or without a host address, which means the same)."""
    exposed = {
        name: ips
        for name, container in services.items()
        if (ips := host_ips(container)) and any(ip != "127.0.0.1" for ip in ips)
    }
    assert not exposed, f"published beyond loopback: {exposed}"


def test_no_secret_has_a_default(compose: dict[str, Any]) -> None:
    """Every secret comes from .env as `${NAME:?…}`: no `:-default`, no literal value."""
    problems = []
    text = COMPOSE_FILE.read_text()
    for match in _INTERPOLATION.finditer(text):
        if SECRET_NAME.search(match.group("name")) and not (match.group("op") or "").endswith("?"):
            problems.append(f"${{{match.group('name')}}} is not required (`:?`): {match.group(0)}")
    for name, container in compose["services"].items():
        for variable, value in environment_of(container).items():
            if SECRET_NAME.search(variable) and not value.startswith("${"):
                problems.append(f"{name}: {variable} is a literal")
            for url_password in re.findall(r"://[^:/@]+:([^@]*)@", value):
                if not url_password.startswith("${") or "?" not in url_password:
                    problems.append(f"{name}: {variable} has a password that is not from .env")
    assert not problems, problems


def test_make_secrets_and_the_example_give_exactly_what_compose_requires() -> None:
    required = required_variables(COMPOSE_FILE.read_text())
    generated = set(env_file_values(SERVICES))
    assert required == generated, (sorted(required - generated), sorted(generated - required))
    example = dict(
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(example) == required
    refused = {name: weakness(value) for name, value in example.items()}
    assert all(refused.values()), f"placeholders a process would accept: {refused}"


def test_no_two_containers_publish_the_same_host_port(services: dict[str, Any]) -> None:
    host_ports = [host for c in services.values() for host, _ in published_ports(c)]
    assert len(host_ports) == len(set(host_ports))


def test_depends_on_targets_exist_with_valid_conditions(services: dict[str, Any]) -> None:
    for name, container in services.items():
        depends_on = container.get("depends_on") or {}
        if isinstance(depends_on, list):
            depends_on = {target: {"condition": "service_started"} for target in depends_on}
        for target, spec in depends_on.items():
            assert target in services, f"{name} depends on unknown {target}"
            assert target != name
            condition = spec.get("condition", "service_started")
            assert condition in CONDITIONS, f"{name} → {target}: {condition}"
            if condition == "service_healthy":
                assert services[target].get("healthcheck"), f"{target} has no healthcheck"


@pytest.mark.parametrize(("name", "service", "role"), our_containers())
def test_processes_wait_for_what_they_need(
    services: dict[str, Any], name: str, service: str, role: str
) -> None:
    depends_on = services[name].get("depends_on") or {}
    assert depends_on.get("postgres", {}).get("condition") == "service_healthy"
    if role == "migrate":
        assert str(services[name].get("restart", "no")) == "no", "a one-shot is not restarted"
        return
    assert depends_on.get("rabbitmq", {}).get("condition") == "service_healthy"
    migrate = depends_on.get(f"{service}-migrate", {})
    assert migrate.get("condition") == "service_completed_successfully"
    if name == "notifications-send":
        assert depends_on.get("mailpit", {}).get("condition") == "service_healthy"


@pytest.mark.parametrize("service", SERVICES)
def test_web_healthcheck_asks_readiness_without_curl(
    services: dict[str, Any], service: str
) -> None:
    test = services[f"{service}-web"]["healthcheck"]["test"]
    assert test[0] == "CMD" and test[1] == "python", test
    assert "urllib" in test[-1] and "/health/readiness" in test[-1]
    assert "PORT" in test[-1] or str(DEFAULT_PORTS[service]) in test[-1]


def test_backing_services(services: dict[str, Any]) -> None:
    postgres = services["postgres"]
    assert postgres["image"].startswith("postgres:16")
    assert "pg_isready" in postgres["healthcheck"]["test"]
    rabbitmq = services["rabbitmq"]
    assert "management" in rabbitmq["image"]
    assert rabbitmq["healthcheck"]["test"][-3:] == ["rabbitmq-diagnostics", "-q", "ping"]
    assert any(target == 15672 for _, target in published_ports(rabbitmq))
    assert any(target == 8025 for _, target in published_ports(services["mailpit"]))
    assert services["redis"]["image"].startswith("redis:")
    assert not published_ports(services["redis"]), "the limiter's Redis stays on the network"


@pytest.mark.parametrize("service", SERVICES)
def test_every_web_process_counts_rate_limits_in_the_one_redis(
    services: dict[str, Any], service: str
) -> None:
    environment = services[f"{service}-web"]["environment"]
    assert environment["RATE_LIMIT_STORAGE_URL"] == "redis://redis:6379/0"


def test_postgres_init_script_creates_one_database_per_service(
    services: dict[str, Any],
) -> None:
    mounts = [str(v) for v in services["postgres"].get("volumes", [])]
    init = [m for m in mounts if "/docker-entrypoint-initdb.d/" in m]
    assert init, "an init script is mounted into /docker-entrypoint-initdb.d"
    for mount in init:
        source = (COMPOSE_FILE.parent / mount.split(":")[0]).resolve()
        assert source.is_file(), f"{source} does not exist"
        text = source.read_text()
        assert "CREATE DATABASE" in text
        for service in SERVICES:
            assert service in text, f"{source.name} creates no database for {service}"
        # The runtime role, and the audit log's owner that only the migrating role joins.
        for made in (
            'CREATE ROLE :"app" LOGIN',
            'CREATE ROLE :"audit_owner" NOLOGIN',
            'GRANT :"audit_owner" TO :"service"',
        ):
            assert made in text, f"{source.name} lacks {made}"
    # Each role's password, as the init script gets it, is the one in its DATABASE_URL (the
    # processes run as <service>_app, the migrations as the database's owner <service>), and no
    # two roles share one.
    assert "DATABASE_PASSWORD_" in text, "the init script reads DATABASE_PASSWORD_<SERVICE>[_APP]"
    postgres = environment_of(services["postgres"])
    passwords = []
    for service in SERVICES:
        variable = f"DATABASE_PASSWORD_{service.upper()}"
        password = interpolate(postgres[variable])
        url = interpolate(environment_of(services[f"{service}-web"])["DATABASE_URL"])
        runtime = interpolate(postgres[f"{variable}_APP"])
        assert url == f"postgresql://{service}_app:{runtime}@postgres:5432/{service}"
        url = interpolate(environment_of(services[f"{service}-migrate"])["DATABASE_URL"])
        assert url == f"postgresql://{service}:{password}@postgres:5432/{service}"
        passwords += [password, runtime]
    assert len(set(passwords)) == 2 * len(SERVICES)


def test_each_service_is_its_own_broker_user(services: dict[str, Any]) -> None:
    """broker-setup, as RabbitMQ's administrator, makes each service's user with the password
    that service's BROKER_URL carries; every long-running process waits for it."""
    rabbit_env = environment_of(services["rabbitmq"])
    admin = interpolate(rabbit_env["RABBITMQ_DEFAULT_USER"])
    admin_password = interpolate(rabbit_env["RABBITMQ_DEFAULT_PASS"])
    setup = services["broker-setup"]
    assert command_of(setup) == ["python", "-m", "shared", "broker-setup"]
    assert str(setup.get("restart")) == "no"
    setup_env = environment_of(setup)
    assert interpolate(setup_env["BROKER_URL"]).startswith(
        f"amqp://{admin}:{admin_password}@rabbitmq:5672/"
    )
    for name, service, role in our_containers():
        password = interpolate(setup_env[f"BROKER_PASSWORD_{service.upper()}"])
        url = interpolate(environment_of(services[name])["BROKER_URL"])
        assert url.startswith(f"amqp://{service}:{password}@rabbitmq:5672/"), name
        if role != "migrate":
            depends_on = services[name]["depends_on"]
            assert depends_on["broker-setup"]["condition"] == "service_completed_successfully"


def test_yaml_pitfalls(services: dict[str, Any]) -> None:
    """YAML 1.1 reads bare `no` as false and 8001:8001-like scalars as base-60 numbers."""
    for name, container in services.items():
        if "restart" in container:
            assert container["restart"] in ("no", "always", "on-failure", "unless-stopped"), name
        for port in container.get("ports") or []:
            assert isinstance(port, (str, dict)), f"{name}: quote port {port!r}"
        for value in environment_of(container).values():
            assert value not in ("True", "False"), f"{name}: quote booleans in environment"


@pytest.mark.parametrize("service", ["vetting", "access"])
def test_the_sweeps_run_on_a_schedule(
    services: dict[str, Any], clis: dict[str, click.Group], service: str
) -> None:
    """Vetting's (expiry reminders, expiries) and access's (exclusion reviews come due)."""
    sweep = services[f"{service}-sweep"]
    argv = command_of(sweep)
    assert argv[:4] == ["python", "-m", service, "sweep"]
    context = clis[service].commands["sweep"].make_context("sweep", argv[4:])
    assert context.params["every_s"] == 86400  # daily
    assert sweep["depends_on"][f"{service}-migrate"]["condition"] == (
        "service_completed_successfully"
    )


def test_every_worker_of_every_service_has_its_container(
    services: dict[str, Any], clis: dict[str, click.Group]
) -> None:
    for service in SERVICES:
        module = importlib.import_module(f"{service}.service")
        workers = tuple(module.definition().workers)
        assert workers == WORKERS.get(service, ()), f"devstack.stack.WORKERS for {service}"
        for worker in workers:
            assert worker in clis[service].commands
            assert command_of(services[f"{service}-{worker}"])[3] == worker


def test_a_new_deployment_declares_quorum_queues_everywhere_alike(services: dict[str, Any]) -> None:
    """One queue type for every process and for broker-setup, which declares the queues: quorum
    unless .env keeps an existing deployment on classic."""
    declarers = ["broker-setup", *(name for name, _service, _role in our_containers())]
    for name in declarers:
        queue_type = environment_of(services[name])["BROKER_QUEUE_TYPE"]
        assert queue_type == "${BROKER_QUEUE_TYPE:-quorum}", name
        assert interpolate(queue_type) == "quorum"
