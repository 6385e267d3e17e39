"""The workbench's front door (shared.frontdoor) and what its views share: the platform, the
clock, who is signed in and acting."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from shared.auth import StaffIdentity
from shared.errors import Forbidden
from shared.frontdoor import FrontDoor, signed_in
from shared.platform import Platform
from vetting.domain.actors import MANAGER_ROLE, OFFICER_ROLES, Actor


def may_use_workbench(identity: StaffIdentity) -> bool:
    """Vetting officers and managers: the roles vetting's API lets in."""
    return identity.has_role(*OFFICER_ROLES)


door = FrontDoor(
    name="workbench",
    service="vetting",
    title="Vetting workbench",
    home="workbench.queue",
    may_enter=may_use_workbench,
    refused=(
        "Your account does not give you access to the vetting workbench. Ask your vetting manager."
    ),
    env_prefix="VETTING_WORKBENCH",
    import_name=__name__,
    template_folder="templates",
    navigation=(
        ("Cases", "workbench.queue"),
        ("My cases", "workbench.my_cases"),
        ("Clearances", "workbench.clearances"),
        ("Service levels", "workbench.report"),
    ),
)
bp = door.blueprint
# The workbench's few styles beside GOV.UK Frontend's (scrolling tables on a narrow screen).
bp.static_folder = "static"


def platform() -> Platform:
    return current_app.extensions["platform"]


def now() -> datetime:
    """Now, by the platform's clock."""
    return platform().clock.now()


def actor() -> Actor:
    who = signed_in()
    return Actor(who.subject, "STAFF", frozenset(who.roles))


def is_manager() -> bool:
    return MANAGER_ROLE in signed_in().roles


def require_manager() -> None:
    """What the API lets only managers do, the workbench too (the use case may not check)."""
    if not is_manager():
        raise Forbidden("Only a vetting manager may do this.")
