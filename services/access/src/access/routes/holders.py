"""/establishments/{code}/holders: who holds access at one of the caller's establishments, as a
page of a list or as a CSV file, with the same filters and orders."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from access.domain.holders import HolderFilters, Order
from access.domain.lifecycle import TEAM
from access.routes.access_control import SECURITY, in_scope, now, platform
from access.schemas.holders import HolderFilterSchema, HolderPageSchema, HolderQuerySchema
from access.service_layer.holders import export_holders, list_holders
from shared.web.auth import staff_required

CSV = "text/csv"

blp = Blueprint(
    "holders",
    __name__,
    url_prefix="/establishments",
    description="Who holds access at one of the caller's establishments.",
)


@blp.route("/<string:code>/holders")
class Holders(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(HolderQuerySchema, location="query")
    @blp.response(200, HolderPageSchema)
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """The current grants here, filtered (every filter given must hold), ordered (by name
        unless `sort` says otherwise; ties by grant id), a page at a time. Audited."""
        who = in_scope(code)
        with platform().session_factory() as session:
            page = list_holders(
                session,
                who,
                code,
                HolderFilters.of(query),
                Order(query["sort"], query["direction"]),
                now(),
                page=query["page"],
                size=query["size"],
            )
            session.commit()
        return page


@blp.route("/<string:code>/holders.csv")
class HoldersCsv(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.arguments(HolderFilterSchema, location="query")
    @blp.response(
        200,
        description="Every grant the filters select, one row each (cells a spreadsheet would "
        "run as a formula start with an apostrophe).",
        content_type=CSV,
    )
    @blp.doc(security=SECURITY)
    def get(self, query, code: str):
        """The same list, all of it, as a CSV file to download. Audited."""
        who = in_scope(code)
        moment = now()
        with platform().session_factory() as session:
            text = export_holders(
                session,
                who,
                code,
                HolderFilters.of(query),
                Order(query["sort"], query["direction"]),
                moment,
            )
            session.commit()
        name = f"holders-{code}-{moment.date().isoformat()}.csv"
        return Response(
            text, mimetype=CSV, headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )
