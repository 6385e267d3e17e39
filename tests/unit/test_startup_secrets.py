"""The production secrets check (shared.startup_secrets): what it accepts and refuses, and every
default-looking secret in the repository's tracked files is refused."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shared.__main__ import main as shared_cli
from shared.config import INSECURE_DEV_SECRET, SettingsError, load_settings
from shared.crypto import at_rest
from shared.startup_secrets import (
    KNOWN_DEFAULTS,
    REQUIRED_SECRETS,
    fernet_weakness,
    generate_fernet_key,
    generate_secret,
    problems,
    require_production_secrets,
    weakness,
)

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "SECRET_KEY": generate_secret(),
    "API_KEY_PEPPER": generate_secret(),
    "DATA_ENCRYPTION_KEYS": generate_fernet_key(),
    "DATABASE_URL": f"postgresql://vetting:{generate_secret()}@db:5432/vetting",
    "BROKER_URL": f"amqp://vetting:{generate_secret()}@rabbitmq:5672//",
    "ACCESS_CONSOLE_OIDC_CLIENT_SECRET": generate_secret(),
    "VETTING_WORKBENCH_OIDC_CLIENT_SECRET": generate_secret(),
}


def test_generated_values_pass_and_weak_ones_do_not():
    for _ in range(200):
        assert weakness(generate_secret()) is None
        assert fernet_weakness(generate_fernet_key()) is None
    assert weakness("0123456789abcdef" * 4) is not None  # hexadecimal, but a run
    assert weakness(__import__("secrets").token_hex(32)) is None
    for weak in (
        "",
        "short",
        "x" * 64,
        "ab" * 40,
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopq",
        INSECURE_DEV_SECRET,
        "change-me-secret-key-" + generate_secret(),
    ):
        assert weakness(weak) is not None, weak
    assert fernet_weakness("A" * 43 + "=") is not None  # 32 bytes, all but one the same
    assert fernet_weakness("not-a-key") is not None


def test_every_variable_is_named_on_a_line_of_its_own():
    settings = load_settings(
        "vetting",
        {
            "DATABASE_URL": "postgresql://postgres@127.0.0.1/vetting",
            "BROKER_URL": "amqp://guest:guest@127.0.0.1:5672//",
            "SECRET_KEY": INSECURE_DEV_SECRET,
        },
    )
    lines = problems(settings)
    assert [line.split(":")[0] for line in lines] == [
        e.variable
        for e in REQUIRED_SECRETS
        if e.kind != "optional" and e.service in (None, "vetting")
    ]
    assert "default" in lines[0] and "missing" in lines[1]
    with pytest.raises(SettingsError) as refused:
        require_production_secrets(settings)
    assert str(refused.value).splitlines()[1:] == lines
    assert problems(load_settings("vetting", GOOD)) == []


def test_the_embedded_mode_keeps_its_defaults_but_a_mixed_one_does_not(tmp_path, caplog):
    assert problems(load_settings("vetting", {"VAR_DIR": str(tmp_path)})) == []
    mixed = load_settings("vetting", {"VAR_DIR": str(tmp_path), "BROKER_URL": GOOD["BROKER_URL"]})
    assert [line.split(":")[0] for line in problems(mixed)] == [
        "SECRET_KEY",
        "API_KEY_PEPPER",
        "DATA_ENCRYPTION_KEYS",
        "VETTING_WORKBENCH_OIDC_CLIENT_SECRET",
    ]


def test_the_development_key_is_a_refused_default():
    assert at_rest.development_key(INSECURE_DEV_SECRET) in KNOWN_DEFAULTS


def test_secrets_command_writes_a_fresh_file_and_never_overwrites(tmp_path):
    out = tmp_path / ".env"
    runner = CliRunner()
    assert runner.invoke(shared_cli, ["secrets", "--out", str(out)]).exit_code == 0
    first = out.read_text()
    values = dict(line.split("=", 1) for line in first.splitlines() if not line.startswith("#"))
    assert all(weakness(v) is None for k, v in values.items() if k != "DATA_ENCRYPTION_KEYS")
    assert fernet_weakness(values["DATA_ENCRYPTION_KEYS"]) is None
    assert len(set(values.values())) == len(values)  # no two secrets alike
    again = runner.invoke(shared_cli, ["secrets", "--out", str(out)])
    assert again.exit_code != 0 and "refusing to overwrite" in again.output
    assert out.read_text() == first and out.stat().st_mode & 0o077 == 0


# What a default-looking secret looks like in a tracked file: a compose default of a secret
# variable, a literal assigned to a secret's name, a URL's password, a Fernet-key-shaped string.
_NAME = r"[A-Z_]*(?:SECRET|PEPPER|PASSWORD|PASS|ENCRYPTION_KEYS|TOKEN)[A-Z_]*"
PATTERNS = (
    re.compile(r"\$\{" + _NAME + r":?-(?P<value>[^}]+)\}"),
    re.compile(r"\b" + _NAME + r"\b\s*[:=]\s*[\"'](?P<value>[^\"'\s]{2,})[\"']"),
    re.compile(r"^\s*" + _NAME + r"=(?P<value>[^\s$#]+)", re.M),
    re.compile(
        r"\b(?:amqps?|postgresql|postgres|https?)://[^:/@\s\"'{}]+:"
        r"(?P<value>[^@\s\"'{}<>$]+)@"
    ),
    re.compile(r"(?<![A-Za-z0-9_-])(?P<value>[A-Za-z0-9_-]{43}=)(?![A-Za-z0-9_=-])"),
)


def repository_defaults() -> dict[str, set[str]]:
    """Every default-looking secret literal in the tracked files, and where."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    found: dict[str, set[str]] = {}
    for name in files:
        path = ROOT / name
        if (
            path.suffix not in {".py", ".yml", ".yaml", ".sh", ".md", ".example", ".toml", ""}
            or not path.is_file()
        ):
            continue
        text = path.read_text(errors="replace")
        for pattern in PATTERNS:
            for match in pattern.finditer(text):
                found.setdefault(match.group("value"), set()).add(name)
    return found


def test_every_default_in_the_repository_is_refused():
    found = repository_defaults()
    # The scan sees what it must (else it proves nothing) ...
    assert INSECURE_DEV_SECRET in found and "guest" in found
    assert "lFi5wpRiNFszCu-yc-30l7MoidP2NSgzbmEB27ywpWM=" in found  # docs/operations.md
    assert "change-me-secret-key" in found  # deploy/.env.example
    # ... and the check refuses every one of them.
    accepted = {
        value: sorted(where)
        for value, where in found.items()
        if (
            fernet_weakness(value)
            if re.fullmatch(r"[A-Za-z0-9_-]{43}=", value)
            else weakness(value)
        )
        is None
    }
    assert not accepted, f"defaults a production process would accept: {accepted}"


@pytest.mark.slow  # starts a process: `make test`, not the quick loop
def test_a_refused_process_exits_non_zero_with_one_line_per_variable(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "VAR_DIR": str(tmp_path),
        **GOOD,
        "SECRET_KEY": INSECURE_DEV_SECRET,
        "API_KEY_PEPPER": "too-short",
    }
    result = subprocess.run(
        [sys.executable, "-m", "access", "outbox", "lag"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert lines[-2].startswith("SECRET_KEY: a default") and lines[-1].startswith(
        "API_KEY_PEPPER: too short"
    ), result.stderr
    assert "Traceback" not in result.stderr


def test_an_optional_secret_is_checked_only_when_set():
    from shared.config import load_settings
    from shared.startup_secrets import generate_fernet_key, generate_secret, problems

    base = {
        "DATABASE_URL": f"postgresql://svc:{generate_secret()}@db/vetting",
        "BROKER_URL": f"amqp://vetting:{generate_secret()}@mq//",
        "SECRET_KEY": generate_secret(),
        "API_KEY_PEPPER": generate_secret(),
        "DATA_ENCRYPTION_KEYS": generate_fernet_key(),
        "VETTING_WORKBENCH_OIDC_CLIENT_SECRET": generate_secret(),
    }
    assert problems(load_settings("vetting", base)) == []
    weak = problems(
        load_settings(
            "vetting",
            {**base, "VETTING_IDENTITY_KEY": "identity", "METRICS_TOKEN": "change-me-metrics"},
        )
    )
    assert [line.split(":")[0] for line in weak] == ["METRICS_TOKEN", "VETTING_IDENTITY_KEY"]
    strong = {**base, "VETTING_IDENTITY_KEY": generate_secret(), "METRICS_TOKEN": generate_secret()}
    assert problems(load_settings("vetting", strong)) == []


@pytest.mark.parametrize(
    "service, name, other, default",
    [
        (
            "access",
            "ACCESS_CONSOLE_OIDC_CLIENT_SECRET",
            "notifications",
            "dev-console-secret-change-me",
        ),
        (
            "applications",
            "APPLICATIONS_PORTAL_OIDC_CLIENT_SECRET",
            "notifications",
            "dev-portal-secret-change-me",
        ),
        (
            "vetting",
            "VETTING_WORKBENCH_OIDC_CLIENT_SECRET",
            "notifications",
            "dev-workbench-secret-change-me",
        ),
    ],
)
def test_a_front_doors_client_secret_is_its_services_alone(service, name, other, default):
    from shared.config import load_settings
    from shared.startup_secrets import generate_fernet_key, generate_secret, problems

    base = {
        "DATABASE_URL": f"postgresql://svc:{generate_secret()}@db/x",
        "BROKER_URL": f"amqp://svc:{generate_secret()}@mq//",
        "SECRET_KEY": generate_secret(),
        "API_KEY_PEPPER": generate_secret(),
        "DATA_ENCRYPTION_KEYS": generate_fernet_key(),
    }
    assert problems(load_settings(other, base)) == []
    assert [line.split(":")[0] for line in problems(load_settings(service, base))] == [name]
    assert "default" in problems(load_settings(service, {**base, name: default}))[0]
    assert problems(load_settings(service, {**base, name: generate_secret()})) == []


def test_the_portal_may_sign_its_requests_with_a_private_key_instead_of_a_secret():
    """GOV.UK One Login authenticates its clients by a JWT signed with the client's key."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from shared.config import load_settings
    from shared.startup_secrets import generate_fernet_key, generate_secret, problems

    def pem(bits: int) -> str:
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        return key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()

    base = {
        "DATABASE_URL": f"postgresql://svc:{generate_secret()}@db/x",
        "BROKER_URL": f"amqp://svc:{generate_secret()}@mq//",
        "SECRET_KEY": generate_secret(),
        "API_KEY_PEPPER": generate_secret(),
        "DATA_ENCRYPTION_KEYS": generate_fernet_key(),
    }
    key = "APPLICATIONS_PORTAL_OIDC_PRIVATE_KEY"
    assert problems(load_settings("applications", {**base, key: pem(2048)})) == []
    assert "2048" in problems(load_settings("applications", {**base, key: pem(1024)}))[0]
    assert "PEM" in problems(load_settings("applications", {**base, key: "not a key"}))[0]
