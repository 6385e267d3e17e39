"""/applications/bulk: many drafts from one CSV file (or XLSX workbook), checked by a dry run
before the commit."""

from __future__ import annotations

from flask import g, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from applications.routes.app_context import platform
from applications.schemas.bulk import (
    CSV_BODY,
    BulkQuerySchema,
    BulkRefusedSchema,
    BulkResultSchema,
    FileErrorSchema,
)
from applications.service_layer import bulk, spreadsheets
from shared.web.auth import organisation_required
from shared.web.errors import ErrorSchema

blp = Blueprint(
    "bulk-intake",
    __name__,
    url_prefix="/applications",
    description="Many draft applications at once, from a CSV file.",
)
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
READERS = {"text/csv": bulk.read_csv, spreadsheets.XLSX_TYPE: spreadsheets.read_xlsx}


@blp.route("/bulk")
class BulkIntake(MethodView):
    decorators = [organisation_required]

    @blp.arguments(BulkQuerySchema, location="query")
    @blp.response(200, BulkResultSchema, description="Dry run: every row's errors; no writes.")
    @blp.alt_response(201, schema=BulkResultSchema, description="Committed: every draft made.")
    @blp.alt_response(
        400,
        schema=FileErrorSchema,
        description=(
            "The file cannot be used: not UTF-8 CSV or not an XLSX workbook, no header row, "
            "an unknown or repeated column, no rows, or too many rows. Nothing written."
        ),
    )
    @blp.alt_response(
        413,
        schema=FileErrorSchema,
        description=f"Larger than {bulk.MAX_BYTES // 1024 // 1024} MiB.",
    )
    @blp.alt_response(
        415, schema=FileErrorSchema, description="Not sent as text/csv, nor as an XLSX workbook."
    )
    # Two bodies: the refused commit's, or the usual field errors for a query not valid.
    @blp.alt_response(
        422,
        schema={"anyOf": [BulkRefusedSchema, ErrorSchema]},
        description="Commit refused: some rows have errors, so nothing was "
        "written. (Or a query that is not valid.)",
    )
    @blp.doc(security=SECURITY, requestBody=CSV_BODY)
    def post(self, query):
        """Create the calling organisation's drafts from a CSV file or an XLSX workbook: dry run
        first, then commit.

        A commit is all or nothing: if any row has an error, no draft is created.
        """
        if request.mimetype not in READERS:
            abort(
                415,
                message=(
                    "Send the file as the request body, with Content-Type: text/csv "
                    f"(or {spreadsheets.XLSX_TYPE} for an XLSX workbook)."
                ),
            )
        request.max_content_length = bulk.MAX_BYTES  # the row limit, not the app's, applies
        try:
            rows = READERS[request.mimetype](request.get_data(cache=False))
        except bulk.BadFile as exc:
            abort(400, message=str(exc), messages=exc.errors)
        with platform().session_factory() as session:
            coordinator_email = bulk.coordinator_email(session, g.organisation_id)
        result = bulk.check_rows(rows, coordinator_email, commit=not query["dry_run"])
        if result.to_create:
            with platform().unit_of_work() as uow:
                bulk.create_drafts(uow, g.organisation_id, result)
                uow.commit()
        if result.dry_run:
            return result
        if result.errors:
            response = jsonify(
                BulkRefusedSchema().dump(
                    {
                        **vars(result),
                        "status": 422,
                        "message": (
                            f"Nothing was created: {len(result.errors)} row(s) have errors. "
                            "Fix them and send the file again."
                        ),
                    }
                )
            )
            response.status_code = 422
            return response
        return result, 201
