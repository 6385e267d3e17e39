"""What a front door's requests share: who is signed in, the door's settings, and the app's
door with its client at the identity provider (put in app.extensions by FrontDoor.configure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from flask import Blueprint, current_app, g
from sqlalchemy.orm import Session

from shared.auth import StaffIdentity
from shared.frontdoor.oidc import IdentityProvider
from shared.frontdoor.sessions import Limits
from shared.platform import Platform

# (the database session, who signed in, the name they go by, when): in the sign-in's transaction.
SignInHook = Callable[[Session, StaffIdentity, str, datetime], None]


class Door(Protocol):
    """What the guard and the sign-in views need of a FrontDoor (door.py, which imports them)."""

    name: str
    service: str
    home: str
    prefix: str
    refused_message: str
    people: str
    navigation: tuple[tuple[str, str], ...]
    show_in_navigation: Callable[[str], bool] | None
    footer: str
    on_sign_in: SignInHook | None
    blueprint: Blueprint
    may_enter: Callable[[StaffIdentity], bool]


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in at this door, as its pages show them."""

    subject: str
    display_name: str
    roles: tuple[str, ...]
    establishments: tuple[str, ...]


@dataclass(frozen=True)
class DoorSettings:
    client_id: str
    client_secret: str
    metadata_url: str
    private_key: str = ""
    idle_minutes: int = 30
    absolute_hours: int = 12
    secure_cookie: bool = True
    # How long the provider's last word on a session stands before it is asked again.
    check_s: float = 30.0
    # Where the provider sends the browser back; empty: this request's host.
    redirect_uri: str = ""

    @property
    def limits(self) -> Limits:
        return Limits(
            idle=timedelta(minutes=self.idle_minutes), absolute=timedelta(hours=self.absolute_hours)
        )


@dataclass(frozen=True)
class Runtime:
    door: Door
    settings: DoorSettings
    provider: IdentityProvider
    platform: Platform


def runtime() -> Runtime:
    """This app's door, its settings and its client at the provider."""
    return current_app.extensions["frontdoor"]


def signed_in() -> SignedIn:
    """Who is signed in (the guard has checked the session for this request)."""
    user: SignedIn = g.frontdoor_user
    return user
