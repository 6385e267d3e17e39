"""The console's blueprint and what its views share: the platform, the clock, who is signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, current_app, g

from access.service_layer.actors import Actor
from access.service_layer.console_sessions import Limits
from shared.platform import Platform

bp = Blueprint(
    "console", __name__, url_prefix="/console", template_folder="templates", static_folder="static"
)


@dataclass(frozen=True)
class ConsoleSettings:
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


def platform() -> Platform:
    return current_app.extensions["platform"]


def settings() -> ConsoleSettings:
    return current_app.extensions["console"]


def clock() -> datetime:
    """Now, by the platform's clock."""
    return platform().clock.now()


def account() -> Any:
    """Who is signed in (security.ConsoleUser), from the session row of this request."""
    return g.console_account


def actor() -> Actor:
    return g.console_actor
