"""What the routes read from the running app: the platform, the establishments (cached), and
the settings-derived readiness policy and volunteer links."""

from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import select

from applications.domain.readiness import ReadinessPolicy
from applications.models import Establishment
from applications.service_layer.contacts import ContactLinks
from shared.platform import Platform

REFERENCE_TTL_S = 60.0


def platform() -> Platform:
    return current_app.extensions["platform"]


def establishments() -> dict[str, Establishment]:
    """Known establishments, cached briefly (an operator reload shows within a minute)."""
    cached = current_app.extensions.get("establishments")
    if cached and time.monotonic() - cached[0] < REFERENCE_TTL_S:
        return cached[1]
    with platform().session_factory() as session:
        rows = {e.code: e for e in session.execute(select(Establishment)).scalars()}
    current_app.extensions["establishments"] = (time.monotonic(), rows)
    return rows


def readiness_policy() -> ReadinessPolicy:
    extra = platform().settings.extra
    return ReadinessPolicy(
        address_history_years=int(extra.get("APPLICATIONS_ADDRESS_HISTORY_YEARS", 5)),
        expected_vetting_weeks=int(extra.get("APPLICATIONS_EXPECTED_VETTING_WEEKS", 12)),
    )


def contact_links() -> ContactLinks:
    settings = platform().settings
    return ContactLinks(
        base_url=settings.extra.get("APPLICATIONS_PUBLIC_URL", "http://127.0.0.1:8001"),
        secret=settings.secret_key,
    )
