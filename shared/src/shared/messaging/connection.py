"""Broker connections for both run modes, from settings alone."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from kombu import Connection

from shared.config import Settings
from shared.messaging.filesystem import AtomicFilesystemTransport


def make_connection(settings: Settings, *, confirm_publish: bool = False) -> Connection:
    if settings.is_embedded_broker:
        root = settings.var_dir / "broker"
        messages = root / "messages"
        control = root / "control"
        messages.mkdir(parents=True, exist_ok=True)
        control.mkdir(parents=True, exist_ok=True)
        return Connection(
            "filesystem://localhost/",
            transport=AtomicFilesystemTransport,
            transport_options={
                "data_folder_in": str(messages),
                "data_folder_out": str(messages),
                "control_folder": str(control),
                "polling_interval": settings.broker_polling_interval_s,
            },
        )
    options = {"confirm_publish": True} if confirm_publish else {}
    return Connection(
        settings.broker_url,
        heartbeat=30,
        transport_options=options,
        connect_timeout=5,
        ssl=tls_options(settings),
    )


def tls_options(settings: Settings) -> dict[str, Any] | bool:
    """On amqps://: verify the broker's certificate and host name against BROKER_CA_FILE (or
    the system's CAs). py-amqp's own default checks no host name, so it is always spelt out."""
    if not settings.broker_url.startswith("amqps:"):
        return False
    return {
        "context": {"cafile": settings.broker_ca_file, "check_hostname": True},
        "server_hostname": urlsplit(settings.broker_url).hostname,
    }
