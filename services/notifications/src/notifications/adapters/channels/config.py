"""Delivery configuration (NOTIFICATIONS_* in the environment), read and checked once per process.

| variable | meaning | default |
|---|---|---|
| NOTIFICATIONS_SMS_CHANNEL | `log` or `notify` | log |
| NOTIFICATIONS_EMAIL_CHANNEL | `smtp`, `notify` or `log` | smtp |
| NOTIFICATIONS_NOTIFY_API_KEY | GOV.UK Notify API key (`{name}-{service id}-{secret}`) | - |
| NOTIFICATIONS_NOTIFY_BASE_URL | Notify's API | https://api.notifications.service.gov.uk |
| NOTIFICATIONS_NOTIFY_SMS_TEMPLATE_ID | the generic `((body))` SMS template | - |
| NOTIFICATIONS_NOTIFY_EMAIL_TEMPLATE_ID | the generic `((subject))`/`((body))` email template | - |
| NOTIFICATIONS_NOTIFY_CALLBACK_TOKEN | bearer token Notify's delivery callbacks carry | - (off) |
| NOTIFICATIONS_QUIET_HOURS | no SMS in this London-time window; empty: none | 21:00-08:00 |
| NOTIFICATIONS_MAX_ATTEMPTS | sends tried before a notification fails | 8 |
| NOTIFICATIONS_RETRY_BASE_S | first retry delay; it doubles per attempt (capped) | 30 |
| NOTIFICATIONS_SERVICE_NAME | who every email says is writing | Mutual Aid Clearance |
| NOTIFICATIONS_CONTACT_EMAIL | where to write back (required in production) | help@…example |
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from notifications.adapters.channels.notify import DEFAULT_BASE_URL
from notifications.domain.personalisation import DEFAULT_CONTACT_EMAIL, DEFAULT_SERVICE_NAME
from notifications.domain.quiet_hours import (
    DEFAULT_QUIET_HOURS,
    QuietHours,
    QuietHoursError,
    parse_quiet_hours,
)

if TYPE_CHECKING:
    from shared.platform import Platform

PREFIX = "NOTIFICATIONS_"
SMS_CHANNELS = ("log", "notify")
EMAIL_CHANNELS = ("smtp", "notify", "log")


_DEFAULT_QUIET = parse_quiet_hours(DEFAULT_QUIET_HOURS)
_EMAIL = re.compile(r"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
# Domains that reach nobody (RFC 2606, 6761): a development default, never a production contact.
_PLACEHOLDER_DOMAINS = (".example", ".test", ".invalid", ".localhost", ".local")


class ConfigError(ValueError):
    """Delivery settings that cannot work; the message lists every problem."""


@dataclass(frozen=True)
class DeliveryConfig:
    sms_channel: str = "log"
    email_channel: str = "smtp"
    notify_api_key: str | None = None
    notify_base_url: str = DEFAULT_BASE_URL
    notify_sms_template_id: str | None = None
    notify_email_template_id: str | None = None
    callback_token: str | None = None
    quiet_hours: QuietHours | None = _DEFAULT_QUIET
    max_attempts: int = 8
    retry_base_s: float = 30.0
    service_name: str = DEFAULT_SERVICE_NAME
    contact_email: str = DEFAULT_CONTACT_EMAIL

    @property
    def uses_notify(self) -> bool:
        return "notify" in (self.sms_channel, self.email_channel)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _valid_api_key(key: str) -> bool:
    # The official client takes the service id and the secret from the key's last 73 characters.
    return (
        len(key) >= 74
        and key[-74] == "-"
        and key[-37] == "-"
        and (_is_uuid(key[-73:-37]) and _is_uuid(key[-36:]))
    )


def _sign_off(
    service_name: str | None, contact: str | None, environment: str, problems: list[str]
) -> tuple[str, str]:
    """Who every email says is writing, and the address to write back to. Production must name
    a real address: the development default reaches nobody."""
    name = service_name or DEFAULT_SERVICE_NAME
    email = contact or DEFAULT_CONTACT_EMAIL
    if "\n" in name or len(name) > 100:
        problems.append(f"{PREFIX}SERVICE_NAME must be one line of at most 100 characters")
    if not _EMAIL.match(email):
        problems.append(f"{PREFIX}CONTACT_EMAIL must be an email address")
    elif environment == "production":
        domain = email.rsplit("@", 1)[1].lower()
        if contact is None or domain.endswith(_PLACEHOLDER_DOMAINS):
            problems.append(
                f"{PREFIX}CONTACT_EMAIL must be set to an address people can write to in "
                "production (every email gives it)"
            )
    return name, email


def load_config(extra: Mapping[str, str], environment: str = "development") -> DeliveryConfig:
    """The settings from NOTIFICATIONS_* variables; ConfigError naming every problem at once.
    `environment`: the deployment's (DEPLOYMENT_ENVIRONMENT); production is stricter."""

    def get(name: str, default: str | None = None) -> str | None:
        value = extra.get(PREFIX + name)
        return value.strip() if value is not None else default

    problems: list[str] = []
    sms = (get("SMS_CHANNEL") or "log").lower()
    email = (get("EMAIL_CHANNEL") or "smtp").lower()
    if sms not in SMS_CHANNELS:
        problems.append(f"{PREFIX}SMS_CHANNEL must be one of {', '.join(SMS_CHANNELS)}")
    if email not in EMAIL_CHANNELS:
        problems.append(f"{PREFIX}EMAIL_CHANNEL must be one of {', '.join(EMAIL_CHANNELS)}")
    key, base_url = get("NOTIFY_API_KEY") or None, get("NOTIFY_BASE_URL") or DEFAULT_BASE_URL
    templates = {
        "sms": get("NOTIFY_SMS_TEMPLATE_ID") or None,
        "email": get("NOTIFY_EMAIL_TEMPLATE_ID") or None,
    }
    if "notify" in (sms, email):
        if key is None:
            problems.append(f"{PREFIX}NOTIFY_API_KEY is required when Notify sends")
        elif not _valid_api_key(key):
            problems.append(
                f"{PREFIX}NOTIFY_API_KEY is not a Notify API key "
                "(name-serviceid-secret, both UUIDs)"
            )
        if urlsplit(base_url).scheme not in ("http", "https") or not urlsplit(base_url).netloc:
            problems.append(f"{PREFIX}NOTIFY_BASE_URL must be an http(s) URL")
    for kind, chosen in (("sms", sms), ("email", email)):
        template_id = templates[kind]
        if chosen == "notify" and template_id is None:
            problems.append(
                f"{PREFIX}NOTIFY_{kind.upper()}_TEMPLATE_ID is required when Notify sends {kind}"
            )
        elif template_id is not None and not _is_uuid(template_id):
            problems.append(f"{PREFIX}NOTIFY_{kind.upper()}_TEMPLATE_ID must be a UUID")
    quiet: QuietHours | None = None
    try:
        quiet = parse_quiet_hours(get("QUIET_HOURS", DEFAULT_QUIET_HOURS))
    except QuietHoursError as exc:
        problems.append(f"{PREFIX}QUIET_HOURS: {exc}")
    max_attempts, retry_base_s = 8, 30.0
    try:
        max_attempts = int(get("MAX_ATTEMPTS") or 8)
        retry_base_s = float(get("RETRY_BASE_S") or 30)
        if max_attempts < 1 or retry_base_s < 0:
            raise ValueError
    except ValueError:
        problems.append(
            f"{PREFIX}MAX_ATTEMPTS must be a whole number ≥ 1 and {PREFIX}RETRY_BASE_S a number ≥ 0"
        )
    service_name, contact_email = _sign_off(
        get("SERVICE_NAME") or None, get("CONTACT_EMAIL") or None, environment, problems
    )
    if problems:
        raise ConfigError("; ".join(problems))
    return DeliveryConfig(
        service_name=service_name,
        contact_email=contact_email,
        sms_channel=sms,
        email_channel=email,
        notify_api_key=key,
        notify_base_url=base_url,
        notify_sms_template_id=templates["sms"],
        notify_email_template_id=templates["email"],
        callback_token=get("NOTIFY_CALLBACK_TOKEN") or None,
        quiet_hours=quiet,
        max_attempts=max_attempts,
        retry_base_s=retry_base_s,
    )


def delivery_config(platform: Platform) -> DeliveryConfig:
    """This process's delivery configuration, read once; a bad one stops the process with a
    message naming what to put right (as a bad vetting policy does)."""
    if "delivery_config" not in platform.extras:
        try:
            platform.extras["delivery_config"] = load_config(
                platform.settings.extra, platform.settings.environment
            )
        except ConfigError as exc:
            raise SystemExit(
                f"notifications: the delivery settings cannot work, so the service stops: {exc}"
            ) from None
    return platform.extras["delivery_config"]
