"""Schemas for /applications/bulk: the query, the CSV body as the OpenAPI document describes it,
and the results (every row's errors, the drafts made)."""

from __future__ import annotations

from marshmallow import Schema, fields

from applications.schemas.applicant import Strict
from applications.service_layer import bulk
from applications.service_layer.spreadsheets import XLSX_TYPE

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
        "as POST /applications. Or an XLSX workbook: the same columns in its first sheet "
        "(dates may be date cells)."
    ),
    "content": {
        "text/csv": {"schema": {"type": "string"}, "example": EXAMPLE},
        # The same columns in the workbook's first sheet, its first row the header.
        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
    },
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
