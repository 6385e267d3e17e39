"""Any other address under /console: the console's own 404 page (after sign-in, so it tells a
stranger nothing), not the JSON API's."""

from __future__ import annotations

from access.console.blueprint import bp
from shared.errors import NotFound


@bp.route("/<path:anything>", methods=["GET", "POST"])
def not_found(anything: str):
    raise NotFound()
