"""Delivery channels: how a notification leaves the service, one adapter per provider.

`build_channels` picks, per channel of the Notification (EMAIL, SMS), the adapter that the
configuration names (see `notifications.adapters.channels.config`).
"""

from __future__ import annotations

from notifications.adapters.channels.base import (
    Channel,
    DeliveryFailure,
    PermanentFailure,
    TemporaryFailure,
)
from notifications.adapters.channels.config import (
    ConfigError,
    DeliveryConfig,
    delivery_config,
    load_config,
)
from notifications.adapters.channels.log import LogChannel
from notifications.adapters.channels.notify import NotifyEmail, NotifySms, make_client
from notifications.adapters.channels.smtp import SmtpEmail
from shared.clock import Clock
from shared.config import Settings

__all__ = [
    "Channel",
    "ConfigError",
    "DeliveryConfig",
    "DeliveryFailure",
    "LogChannel",
    "NotifyEmail",
    "NotifySms",
    "PermanentFailure",
    "SmtpEmail",
    "TemporaryFailure",
    "build_channels",
    "delivery_config",
    "load_config",
]


def build_channels(config: DeliveryConfig, settings: Settings, clock: Clock) -> dict[str, Channel]:
    """{"EMAIL": adapter, "SMS": adapter} as configured (the config is already checked)."""
    # One Notify client for both channels: one pooled HTTPS connection, one key.
    client = (
        make_client(config.notify_api_key or "", config.notify_base_url)
        if config.uses_notify
        else None
    )
    log_channel = LogChannel.under(settings.var_dir, clock)
    email: Channel
    if config.email_channel == "notify" and client is not None:
        email = NotifyEmail(client, config.notify_email_template_id or "")
    elif config.email_channel == "log":
        email = log_channel
    else:
        email = SmtpEmail(settings.smtp_host, settings.smtp_port, settings.smtp_sender)
    sms: Channel = (
        NotifySms(client, config.notify_sms_template_id or "")
        if config.sms_channel == "notify" and client is not None
        else log_channel
    )
    return {"EMAIL": email, "SMS": sms}
