"""The console's blueprint and what its views share: the platform, the clock, who is signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, current_app, g

from access.models import StaffAccount
from access.service_layer.common import Actor
from shared.platform import Platform

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates",
               static_folder="static")


@dataclass(frozen=True)
class ConsoleSettings:
    idle_minutes: int = 30
    absolute_hours: int = 12
    secure_cookie: bool = True


def platform() -> Platform:
    return current_app.extensions["platform"]


def settings() -> ConsoleSettings:
    return current_app.extensions["console"]


def clock() -> datetime:
    """Now, by the platform's clock."""
    return platform().clock.now()


def account() -> StaffAccount:
    """The signed-in account, re-read from the database for this request (security.guard)."""
    return g.console_account


def actor() -> Actor:
    return g.console_actor
