"""Who may call vetting's API and who is acting: the bearer scheme, the staff roles every
route requires, and the signed-in member of staff as an `Actor`."""

from __future__ import annotations

from typing import Any

from flask import g

from vetting.domain.actors import OFFICER_ROLES, Actor

SECURITY: list[dict[str, list[Any]]] = [{"bearer": []}]
VETTING_ROLES = OFFICER_ROLES


def actor() -> Actor:
    return Actor(g.staff.staff_id, "STAFF", frozenset(g.staff.roles))
