"""Every email says who is writing and where to write back (a setting, checked at start-up:
production must give a real address), and the security inbox is sent to the request itself."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from notifications.adapters.channels.config import ConfigError, load_config
from notifications.adapters.templates import TemplateError, Templates
from notifications.app import create_app
from notifications.domain.messages import SECURITY_INBOX
from notifications.domain.personalisation import (
    DEFAULT_CONTACT_EMAIL,
    DEFAULT_SERVICE_NAME,
    personalisation,
)
from shared.config import load_settings

TEMPLATES = Templates.load()
CONSOLE = "https://access.example.gov.uk/console/"


def test_the_sign_off_is_a_setting_with_a_development_default() -> None:
    config = load_config({})
    assert (config.service_name, config.contact_email) == (
        DEFAULT_SERVICE_NAME,
        DEFAULT_CONTACT_EMAIL,
    )
    config = load_config(
        {
            "NOTIFICATIONS_SERVICE_NAME": "Prison Volunteer Clearance",
            "NOTIFICATIONS_CONTACT_EMAIL": "volunteering@justice.gov.uk",
        },
        "production",
    )
    assert (config.service_name, config.contact_email) == (
        "Prison Volunteer Clearance",
        "volunteering@justice.gov.uk",
    )


@pytest.mark.parametrize(
    ("extra", "environment", "problem"),
    [
        ({"NOTIFICATIONS_CONTACT_EMAIL": "not an address"}, "development", "must be an email"),
        ({}, "production", "CONTACT_EMAIL must be set"),
        (
            {"NOTIFICATIONS_CONTACT_EMAIL": "help@service.example"},
            "production",
            "CONTACT_EMAIL must be set",
        ),
        ({"NOTIFICATIONS_SERVICE_NAME": "x" * 101}, "development", "SERVICE_NAME must be one"),
    ],
)
def test_a_sign_off_that_cannot_work_is_refused(
    extra: dict[str, str], environment: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_config(extra, environment)


def test_production_does_not_start_without_a_contact_address(tmp_path: Path) -> None:
    env = {"VAR_DIR": str(tmp_path), "DEPLOYMENT_ENVIRONMENT": "production"}
    with pytest.raises(SystemExit) as stopped:
        create_app(load_settings("notifications", env))
    assert "NOTIFICATIONS_CONTACT_EMAIL" in str(stopped.value.code)
    address = {"NOTIFICATIONS_CONTACT_EMAIL": "volunteering@justice.gov.uk"}
    app = create_app(load_settings("notifications", {**env, **address}))
    assert app.extensions["platform"].extras["delivery_config"].contact_email == (
        "volunteering@justice.gov.uk"
    )


def test_an_email_that_does_not_say_who_is_writing_is_refused(tmp_path: Path) -> None:
    copy = Path(shutil.copytree(TEMPLATES.directory, tmp_path / "templates"))
    path = copy / "access_refused" / "coordinator.email.txt"
    path.write_text(path.read_text("utf-8").replace("{{ contact_email }}", "us"), "utf-8")
    with pytest.raises(TemplateError) as caught:
        Templates.load(copy).validate()
    message = str(caught.value)
    assert "access_refused/coordinator.email.txt" in message and "contact_email" in message


def test_the_security_inbox_is_sent_to_the_request_in_the_console() -> None:
    grant_id = uuid.uuid4()
    values = personalisation(
        "access.request_opened",
        {
            "grant_id": grant_id,
            "establishment_code": "WWI",
            "level": "STANDARD",
            "max_access": "ESCORTED",
            "renewal": False,
        },
        forenames="",
        surname="",
        reference="",
        establishment_names={"WWI": "HMP Wandsworth"},
        console_url=CONSOLE,
        contact_email="volunteering@justice.gov.uk",
    )
    body = TEMPLATES.render("access_request_waiting", SECURITY_INBOX, "email", values).body
    lines = body.splitlines()
    assert f"https://access.example.gov.uk/console/grants/{grant_id}" in lines
    assert CONSOLE.rstrip("/") not in lines and CONSOLE not in lines
    assert "volunteering@justice.gov.uk" in body
