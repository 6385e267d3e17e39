"""What every vetting route needs: the platform, the policy, who is acting, a clock."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g

from shared.platform import Platform
from vetting.policy import Policy
from vetting.service_layer.common import OFFICER_ROLES, Actor

SECURITY = [{"bearer": []}]
VETTING_ROLES = OFFICER_ROLES


def platform() -> Platform:
    return current_app.extensions["platform"]


def now() -> datetime:
    """The platform's clock, read once per request."""
    return platform().clock.now()


def policy() -> Policy:
    return platform().extras["policy"]


def actor() -> Actor:
    return Actor(g.staff.staff_id, "STAFF", frozenset(g.staff.roles))
