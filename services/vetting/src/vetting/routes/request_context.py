"""What a vetting route reads from the running service: the platform, its clock and the
policy it loaded."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from shared.platform import Platform
from vetting.domain.identity import key_from_settings
from vetting.domain.policy import Policy


def platform() -> Platform:
    return current_app.extensions["platform"]


def now() -> datetime:
    """The platform's clock, read once per request."""
    return platform().clock.now()


def policy() -> Policy:
    return platform().extras["policy"]


def identity_key() -> bytes:
    """The key of the hashes people are recognised (and found by date of birth) by."""
    settings = platform().settings
    return key_from_settings(settings.extra, settings.secret_key)
