"""What every access route needs: the platform, who is acting, and the establishment scope."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g

from access.service_layer.actors import Actor
from shared.errors import NotFound
from shared.platform import Platform

SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


def platform() -> Platform:
    return current_app.extensions["platform"]


def now() -> datetime:
    """The platform's clock."""
    return platform().clock.now()


def actor() -> Actor:
    return Actor.staff(g.staff)


def in_scope(code: str) -> Actor:
    """The acting member of staff, if `code` is one of their establishments. Another
    establishment's data does not exist for them: 404, as for an unknown code."""
    who = actor()
    if not who.covers(code):
        raise NotFound()
    return who
