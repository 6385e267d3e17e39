from pathlib import Path

import pytest

from shared.config import KNOWN_ENV_VARS, SettingsError, load_settings


def test_embedded_defaults_when_nothing_is_set(tmp_path: Path):
    settings = load_settings("vetting", {"VAR_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'vetting.db'}"
    assert settings.is_embedded_broker and settings.is_sqlite
    assert settings.port == 8002


def test_environment_overrides_and_prefix():
    settings = load_settings(
        "access",
        {
            "DATABASE_URL": "postgresql://u@h/db",
            "BROKER_URL": "amqp://g:g@h//",
            "BROKER_PREFIX": "t1.",
            "PORT": "9000",
            "SECRET_KEY": "s",
        },
    )
    assert not settings.is_embedded_broker and not settings.is_sqlite
    assert settings.port == 9000
    assert settings.name("access.inbox") == "t1.access.inbox"
    # outside the embedded mode no secret falls back on another (each must be set) ...
    assert settings.api_key_pepper == ""
    # ... while the embedded mode derives them from SECRET_KEY, or the development secret
    assert load_settings("access", {"SECRET_KEY": "s"}).api_key_pepper == "s"


def test_staff_sign_in_settings_are_the_deployment_s_and_the_audience_the_service_s():
    settings = load_settings(
        "vetting",
        {"OIDC_ISSUER": "https://sign-in.example/realms/x/", "OIDC_ROLES_CLAIM": "groups"},
    )
    assert settings.oidc.issuer == "https://sign-in.example/realms/x"
    assert settings.oidc.audience == "vetting" and settings.oidc.roles_claim == "groups"
    assert (
        load_settings("vetting", {"OIDC_AUDIENCE": "api://vetting"}).oidc.audience
        == "api://vetting"
    )
    with pytest.raises(SettingsError, match="15 minutes"):
        load_settings("vetting", {"OIDC_MAX_TOKEN_LIFETIME_S": "28800"})
    with pytest.raises(SettingsError, match="asymmetric"):
        load_settings("vetting", {"OIDC_ALGORITHMS": "HS256"})


def test_known_env_vars_covers_what_load_settings_reads():
    source = (Path(__file__).resolve().parents[2] / "shared/src/shared/config.py").read_text()
    import re

    read = set(re.findall(r'env\.get\("([A-Z_]+)"', source))
    assert read <= KNOWN_ENV_VARS, read - KNOWN_ENV_VARS
