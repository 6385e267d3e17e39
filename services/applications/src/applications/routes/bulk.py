"""/applications/bulk: many drafts from one CSV file, checked by a dry run before the commit."""

from __future__ import annotations

from flask import g, jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from applications.routes.app_context import platform
from applications.schemas.applicant import Strict
from applications.service_layer import bulk
from shared.web.auth import organisation_required
from shared.web.errors import ErrorSchema

blp = Blueprint(
    "bulk-intake",
    __name__,
    url_prefix="/applications",
    description="Many draft applications at once, from a CSV file.",
)
SECURITY: list[dict[str, list[str]]] = [{"bearer": []}]
EXAMPLE = (
    "forenames,middle_names,no_middle_name,surname,date_of_birth,email,mobile,"
    "preferred_channel,role,establishments,requested_access,frequency\r\n"
    "Siobhán,Máire,,O'Connor,1980-04-01,s@example.org,07700 900123,EMAIL,"
    "GROUP_FACILITATOR,WWI;BMI,ESCORTED,REGULAR\r\n"
    "Tom,,yes,Hughes,1975-11-30,t@example.org,,,VISITING_SPEAKER,LEI,ESCORTED,ONE_OFF\r\n"
)
CSV_BODY = {
    "required": True,
    "description": (
        "A UTF-8 CSV file (a byte order mark is fine), one applicant a row, at most "
        f"{bulk.MAX_ROWS} rows. The header row names the columns, in any order, any of: "
        f"{', '.join(bulk.COLUMNS)}. A blank cell means 'not given' (a draft may be "
        "incomplete). no_middle_name is true, false, yes or no; establishments are codes "
        "separated by ';' or spaces; dates are YYYY-MM-DD. Each value follows the same rules "
        "as POST /applications."
    ),
    "content": {"text/csv": {"schema": {"type": "string"}, "example": EXAMPLE}},
}


class BulkQuerySchema(Strict):
    dry_run = fields.Boolean(
        load_default=True,
        metadata={
            "description": (
                "true (the default): check every row and write nothing. "
                "false: create every draft, or none if any row has an error."
            )
        },
    )


class RowErrorSchema(Schema):
    row = fields.Integer(
        metadata={
            "description": (
                "1 for the first row after the header (a spreadsheet's row number minus 1)."
            )
        }
    )
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages by CSV column ('row' for the row as a whole)."},
    )


class BulkResultSchema(Schema):
    dry_run = fields.Boolean()
    rows = fields.Integer(metadata={"description": "Rows read (rows left all blank skipped)."})
    errors = fields.List(fields.Nested(RowErrorSchema))
    created_ids = fields.List(
        fields.String(),
        metadata={"description": "The drafts created, in row order (empty unless committed)."},
    )


class BulkRefusedSchema(BulkResultSchema):
    status = fields.Integer()
    message = fields.String()


class FileErrorSchema(Schema):
    status = fields.Integer()
    message = fields.String()
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.String()),
        metadata={"description": "Messages by part of the file: 'file' or 'header'."},
    )


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
            "The file cannot be used: not UTF-8 CSV, no header row, an unknown or repeated column, "
            "no rows, or too many rows. Nothing written."
        ),
    )
    @blp.alt_response(
        413,
        schema=FileErrorSchema,
        description=f"Larger than {bulk.MAX_BYTES // 1024 // 1024} MiB.",
    )
    @blp.alt_response(415, schema=FileErrorSchema, description="Not sent as text/csv.")
    # Two bodies: the refused commit's, or the usual field errors for a query not valid.
    @blp.alt_response(
        422,
        schema={"anyOf": [BulkRefusedSchema, ErrorSchema]},
        description="Commit refused: some rows have errors, so nothing was "
        "written. (Or a query that is not valid.)",
    )
    @blp.doc(security=SECURITY, requestBody=CSV_BODY)
    def post(self, query):
        """Create the calling organisation's drafts from a CSV file: dry run first, then commit.

        A commit is all or nothing: if any row has an error, no draft is created.
        """
        if request.mimetype != "text/csv":
            abort(
                415, message="Send the CSV file as the request body, with Content-Type: text/csv."
            )
        request.max_content_length = bulk.MAX_BYTES  # the row limit, not the app's, applies
        try:
            rows = bulk.read_csv(request.get_data(cache=False))
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
