"""The console's front door (shared.frontdoor) and what its views share: the platform, the
clock, who is signed in."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from access.domain.lifecycle import TEAM
from access.service_layer.actors import Actor
from shared.auth import StaffIdentity
from shared.frontdoor import FrontDoor, SignedIn, signed_in
from shared.platform import Platform


def may_use_console(identity: StaffIdentity) -> bool:
    """A security team member who works at an establishment."""
    return identity.has_role(*TEAM) and bool(identity.establishments)


door = FrontDoor(
    name="console",
    service="access",
    title="Security console",
    home="console.queue",
    may_enter=may_use_console,
    refused=(
        "Your account does not give you access to the security console. "
        "Ask your establishment's security team."
    ),
    env_prefix="ACCESS_CONSOLE",
    import_name=__name__,
    template_folder="templates",
    navigation=(
        ("Review queue", "console.queue"),
        ("Gate check", "console.gate_check"),
        ("On site now", "console.on_site"),
        ("Find a person", "console.find"),
        ("Who holds access", "console.holders"),
    ),
)
bp = door.blueprint


def platform() -> Platform:
    return current_app.extensions["platform"]


def clock() -> datetime:
    """Now, by the platform's clock."""
    return platform().clock.now()


def account() -> SignedIn:
    """Who is signed in, from the session row of this request."""
    return signed_in()


def actor() -> Actor:
    who = signed_in()
    return Actor(who.subject, "STAFF", frozenset(who.roles), frozenset(who.establishments))
