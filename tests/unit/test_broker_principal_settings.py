"""The settings behind each service's broker principal: who publishes as whom, what each user may
touch (the permission patterns, matched here as RabbitMQ matches them), and TLS."""

from __future__ import annotations

import re

import pytest

from shared.broker_setup import check_users, definitions, passwords_from, permissions_for
from shared.config import SettingsError, load_settings, shared_broker_user_env
from shared.messaging.admin import BrokerAdminError, admin_from_url
from shared.messaging.connection import tls_options
from shared.messaging.trust import is_untrusted, untrusted_publisher

AMQP = "amqp://vetting:pw@rabbit:5672/prod"


def test_each_service_has_a_user_named_after_it_with_the_prefix_unless_told():
    settings = load_settings(
        "vetting", {"BROKER_URL": AMQP, "BROKER_PREFIX": "p.", "BROKER_USER_ACCESS": "gatekeeper"}
    )
    assert settings.broker_user("applications") == "p.applications"
    assert settings.broker_user("access") == "gatekeeper"
    assert settings.broker_principal == "vetting"  # the connection's user, as RabbitMQ checks


def test_a_process_connected_as_another_user_is_told_why_its_events_would_be_refused():
    settings = load_settings("vetting", {"BROKER_URL": AMQP})
    assert settings.broker_principal_problem() is None and settings.runs_as_own_broker_user
    guest = load_settings("vetting", {"BROKER_URL": "amqp://guest:guest@h//"})
    problem = guest.broker_principal_problem()
    assert problem and "BROKER_USER_VETTING" in problem and "'guest'" in problem
    shared = load_settings(
        "vetting", {"BROKER_URL": "amqp://guest:guest@h//", **shared_broker_user_env("guest")}
    )
    assert shared.broker_principal_problem() is None and not shared.runs_as_own_broker_user


def test_the_embedded_transport_stamps_the_service_name():
    settings = load_settings("access", {})
    assert settings.broker_principal == "access" and not settings.runs_as_own_broker_user


OBJECTS = ["events", "inbox", "retry", "dead-letter"]


@pytest.mark.parametrize("prefix", ["", "t1a2b3.", "prod-eu."])
def test_each_user_may_touch_only_its_own_objects(prefix):
    for service in ("applications", "vetting", "access", "notifications"):
        allowed = permissions_for(prefix, service)
        for other in ("applications", "vetting", "access", "notifications"):
            for kind in OBJECTS:
                name = f"{prefix}{other}.{kind}"
                own = other == service
                assert bool(re.search(allowed.configure, name)) == (own and kind != "inbox")
                assert bool(re.search(allowed.write, name)) == (own and kind != "inbox")
                assert bool(re.search(allowed.read, name)) == (own and kind != "events")
        for foreign in (
            "amq.default",
            "",
            f"{prefix}dead-letter",
            f"x{prefix}{service}.events",
            f"{prefix}{service}.events.x",
            f"{prefix}{service}xevents",
        ):
            assert not any(
                re.search(p, foreign) for p in (allowed.configure, allowed.write, allowed.read)
            ), foreign


def test_the_prefix_is_matched_literally():
    allowed = permissions_for("a.b", "vetting")
    assert re.search(allowed.write, "a.bvetting.events")
    assert not re.search(allowed.write, "aXbvetting.events")


def test_broker_setup_wants_every_password_and_distinct_users():
    with pytest.raises(SettingsError) as missing:
        passwords_from({"BROKER_PASSWORD_VETTING": "short"})
    assert "BROKER_PASSWORD_APPLICATIONS is not set" in str(missing.value)
    assert "BROKER_PASSWORD_VETTING is shorter than 16 characters" in str(missing.value)
    admin = "amqp://admin:pw@rabbit//"
    with pytest.raises(SettingsError, match="must differ"):
        check_users(load_settings("x", {"BROKER_URL": admin, **shared_broker_user_env("svc")}))
    with pytest.raises(SettingsError, match="administrator"):
        check_users(load_settings("x", {"BROKER_URL": "amqp://vetting:pw@rabbit//"}))


def test_the_definitions_carry_hashes_never_passwords():
    settings = load_settings("x", {"BROKER_URL": "amqp://admin:pw@rabbit/prod"})
    passwords = {
        s: f"{s}-password-0123456789"
        for s in ("applications", "vetting", "access", "notifications")
    }
    document = definitions(settings, passwords)
    assert document["vhosts"] == [{"name": "prod"}]
    assert {u["name"] for u in document["users"]} == set(passwords)
    assert not any(p in repr(document) for p in passwords.values())
    assert document["permissions"][0] == {
        "user": "admin",
        "vhost": "prod",
        "configure": ".*",
        "write": ".*",
        "read": ".*",
    }


def test_admin_url_names_the_way_in():
    with pytest.raises(BrokerAdminError):
        admin_from_url("ftp://x")
    assert type(admin_from_url("rabbitmqctl:")).__name__ == "Rabbitmqctl"
    assert type(admin_from_url("http://a:b@h:15672")).__name__ == "ManagementApi"


def test_amqps_checks_the_certificate_and_host_name_against_the_ca_file():
    settings = load_settings(
        "vetting",
        {"BROKER_URL": "amqps://u:p@rabbit.internal:5671//", "BROKER_CA_FILE": "/etc/ca.pem"},
    )
    assert tls_options(settings) == {
        "context": {"cafile": "/etc/ca.pem", "check_hostname": True},
        "server_hostname": "rabbit.internal",
    }
    assert tls_options(load_settings("vetting", {"BROKER_URL": AMQP})) is False


def test_an_event_type_is_trusted_only_from_its_publishers_user():
    access = load_settings("access", {"BROKER_URL": "amqp://access:pw@rabbit//"})
    assert untrusted_publisher(access, "vetting.clearance_reinstated", "vetting", False) is None
    for sender in ("applications", "access", None, "guest"):
        reason = untrusted_publisher(access, "vetting.clearance_reinstated", sender, False)
        assert reason and is_untrusted(reason) and repr(sender) in reason
    # Back from its own retry queue, under its own user: only after its own check.
    assert untrusted_publisher(access, "vetting.clearance_reinstated", "access", True) is None
    assert untrusted_publisher(access, "vetting.clearance_reinstated", "applications", True)


def test_a_publishing_process_connected_as_another_user_refuses_to_start():
    """`consume` and `relay` take their platform from here: the check comes before any
    connection (the others would dead-letter everything the process sent)."""
    import click

    from shared.cli import CliState
    from vetting.service import definition

    state = CliState(definition())
    state.__dict__["settings"] = load_settings("vetting", {"BROKER_URL": "amqp://guest:g@h//"})
    with pytest.raises(
        click.ClickException, match="connects as 'guest' but BROKER_USER_VETTING is 'vetting'"
    ):
        state.publishing_platform()
