"""/establishments: the prisons an organisation may name in an application (reference data)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from applications.routes.app_context import establishments
from applications.schemas.establishments import EstablishmentListSchema
from shared.reference import establishment_type
from shared.web.auth import organisation_required

blp = Blueprint(
    "establishments",
    __name__,
    url_prefix="/establishments",
    description="The establishments applications may name.",
)
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]


@blp.route("")
class Establishments(MethodView):
    decorators = [organisation_required]

    @blp.response(200, EstablishmentListSchema)
    @blp.doc(security=SECURITY)
    def get(self) -> dict[str, Any]:
        """Every establishment by name: its code (what an application names), name and type."""
        known = sorted(establishments().values(), key=lambda e: e.name)
        return {
            "items": [
                {
                    "code": e.code,
                    "name": e.name,
                    "type": establishment_type(e.high_security, e.womens_estate),
                    "nation": e.nation,
                }
                for e in known
            ]
        }
