"""Bulk intake: draft applications from a CSV file (or an XLSX workbook, read by
service_layer.spreadsheets), one applicant a row.

Rows are numbered from 1 for the first row after the header: a row's number is its row number
in a spreadsheet (or its line in the file, when no cell spans lines) minus 1. Every error names
its row and the CSV column at fault.

A dry run writes nothing. A commit writes every draft in one unit of work, and only when every
row is valid: one bad row and nothing is written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from marshmallow import ValidationError
from sqlalchemy.orm import Session

from applications.models import Organisation
from applications.schemas.applications import ApplicationInputSchema
from applications.service_layer.contacts import COORDINATOR_EMAIL_MESSAGE, coordinator_clash
from applications.service_layer.drafts import create_draft
from shared.uow import UnitOfWork

MAX_ROWS = 1000
MAX_BYTES = 4 * 1024 * 1024  # room for MAX_ROWS rows with every cell at its longest
FieldPath = tuple[str, ...]
# One identity document a row (more through the API): its cells go to the list's first item.
DOCUMENT = ("applicant", "identity_documents", "0")
# Each column and where its value goes in the draft (the API's ApplicationInputSchema shape).
COLUMNS: dict[str, FieldPath] = {
    "forenames": ("applicant", "forenames"),
    "middle_names": ("applicant", "middle_names"),
    "no_middle_name": ("applicant", "no_middle_name"),
    "surname": ("applicant", "surname"),
    "date_of_birth": ("applicant", "date_of_birth"),
    "place_of_birth_town": ("applicant", "place_of_birth", "town"),
    "place_of_birth_country": ("applicant", "place_of_birth", "country"),
    "national_insurance_number": ("applicant", "national_insurance_number"),
    "identity_document_type": (*DOCUMENT, "type"),
    "identity_document_number": (*DOCUMENT, "number"),
    "identity_document_expiry": (*DOCUMENT, "expiry"),
    "email": ("applicant", "contact", "email"),
    "mobile": ("applicant", "contact", "mobile"),
    "preferred_channel": ("applicant", "contact", "preferred_channel"),
    "role": ("role",),
    "establishments": ("establishments",),
    "requested_access": ("requested_access",),
    "frequency": ("frequency",),
    "group_name": ("group_name",),
    "area": ("area",),
}
BOOLEANS = {"true": True, "yes": True, "false": False, "no": False}
INPUT = ApplicationInputSchema()  # one instance: building its nested schemas is the slow part

Errors = dict[str, list[str]]  # messages by column


class BadFile(ValueError):
    """The file as a whole cannot be used (not UTF-8 CSV, bad header, too many rows)."""

    def __init__(self, message: str, errors: Errors) -> None:
        super().__init__(message)
        self.errors = errors


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]  # by column; blank cells left out
    extra_cells: bool = False  # more non-blank cells than the header has columns


@dataclass
class BulkResult:
    dry_run: bool
    rows: int
    errors: list[dict[str, Any]] = field(default_factory=list)  # [{"row": N, "errors": {...}}]
    created_ids: list[str] = field(default_factory=list)
    # Each row's draft as the schema loaded it (for the commit; never in a response).
    drafts: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def to_create(self) -> bool:
        return not self.dry_run and bool(self.drafts) and not self.errors


def read_csv(content: bytes | str) -> list[Row]:
    """The data rows of a UTF-8 CSV file (a BOM is fine); rows with every cell blank are skipped.

    Raises BadFile for a file that cannot be read, a missing or unknown header, no rows, or more
    than MAX_ROWS rows.
    """
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    except UnicodeDecodeError as exc:
        raise BadFile(
            "The file is not UTF-8 text.",
            {"file": [f"Byte {exc.start} is not UTF-8. Save the file as 'CSV UTF-8'."]},
        ) from exc
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        return rows_from(reader)
    except csv.Error as exc:
        raise BadFile(
            "The file is not valid CSV.", {"file": [f"Line {reader.line_num}: {exc}."]}
        ) from exc


def rows_from(lines: Iterable[list[str]]) -> list[Row]:
    """The data rows of a table whose first line is the header, whatever file it came from
    (CSV here, XLSX in service_layer.spreadsheets): the same checks and the same numbering."""
    remaining = iter(lines)
    header = [name.strip().lower() for name in next(remaining, [])]
    _check_header(header)
    rows: list[Row] = []
    for number, cells in enumerate(remaining, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) == MAX_ROWS:
            raise BadFile(
                f"The file has more than {MAX_ROWS} rows.",
                {"file": [f"At most {MAX_ROWS} rows a file: split it and upload each part."]},
            )
        rows.append(_row(number, header, [cell.strip() for cell in cells]))
    if not rows:
        raise BadFile("The file has no rows.", {"file": ["Give one applicant a row."]})
    return rows


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise BadFile(
            "The first line must be the header row.",
            {"header": [f"Give a header row naming the columns: {', '.join(COLUMNS)}."]},
        )
    unknown = [name or "(blank)" for name in header if name not in COLUMNS]
    if unknown:
        raise BadFile(
            f"Unknown column(s): {', '.join(unknown)}.",
            {
                "header": [
                    f"Unknown column(s): {', '.join(unknown)}. "
                    f"The columns are: {', '.join(COLUMNS)}."
                ]
            },
        )
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise BadFile(
            f"Repeated column(s): {', '.join(repeated)}.",
            {"header": [f"Repeated column(s): {', '.join(repeated)}. Give each column once."]},
        )


def _row(number: int, header: list[str], cells: list[str]) -> Row:
    given = {name: cell for name, cell in zip(header, cells, strict=False) if cell}
    return Row(number, given, extra_cells=any(cells[len(header) :]))


def draft_input(row: Row) -> tuple[dict[str, Any], Errors]:
    """A row's draft as the API's schema loads it, and the row's errors by column."""
    data: dict[str, Any] = {}
    errors: Errors = {}
    if row.extra_cells:
        errors["row"] = ["This row has more cells than the header has columns."]
    for column, cell in row.cells.items():
        value: str | bool | list[str] = cell
        if column == "no_middle_name":
            if cell.lower() not in BOOLEANS:
                errors[column] = ["Use true, false, yes or no (or leave it blank)."]
                continue
            value = BOOLEANS[cell.lower()]
        elif column == "establishments":
            value = cell.replace(";", " ").split()
        *parents, last = COLUMNS[column]
        target = data
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value
    document = data.get("applicant", {}).get("identity_documents")
    if document is not None:
        data["applicant"]["identity_documents"] = [document["0"]]
    try:
        loaded = INPUT.load(data)
    except ValidationError as exc:
        loaded = {}
        for path, messages in _flatten(exc.messages):
            column = _column_of(path)
            if column == "establishments" and len(path) > 1:  # one code of the list
                code = data["establishments"][int(path[1])]
                messages = [f"{code}: {message}" for message in messages]
            errors.setdefault(column, []).extend(messages)
    return loaded, errors


def _flatten(messages: Any, path: FieldPath = ()) -> Iterator[tuple[FieldPath, list[str]]]:
    """marshmallow's nested error messages as (field path, messages) pairs."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _flatten(value, (*path, str(key)))
    else:
        yield path, [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]


def _column_of(path: FieldPath) -> str:
    """The CSV column for an error's field path (the dotted path if no column matches)."""
    for column, column_path in COLUMNS.items():
        if path[: len(column_path)] == column_path:
            return column
    return ".".join(path)


EMAIL_COLUMN = _column_of(("applicant", "contact", "email"))


def coordinator_email(session: Session, organisation_id: str) -> str | None:
    """The organisation's coordinator's email, which no row may give as the volunteer's."""
    organisation = session.get(Organisation, organisation_id)
    return organisation.coordinator_email if organisation else None


def check_rows(
    rows: list[Row],
    coordinator_email: str | None,
    *,
    commit: bool,
    progress: Callable[[int], None] | None = None,
) -> BulkResult:
    """Check every row (no I/O): the result says which have errors and holds the drafts to
    create. `progress` is called with each row's number once the row has been checked."""
    result = BulkResult(dry_run=not commit, rows=len(rows))
    for row in rows:
        loaded, errors = draft_input(row)
        # Read from the cells: a row with other errors loads as nothing.
        if coordinator_clash(
            {"contact": {"email": row.cells.get(EMAIL_COLUMN)}}, coordinator_email
        ):
            errors.setdefault(EMAIL_COLUMN, []).append(COORDINATOR_EMAIL_MESSAGE)
        if errors:
            result.errors.append({"row": row.number, "errors": errors})
        result.drafts.append(loaded)
        if progress:
            progress(row.number)
    return result


def create_drafts(uow: UnitOfWork, organisation_id: str, result: BulkResult) -> None:
    """On commit, and only if every row is valid, create the drafts together (the caller
    commits them in one go); `result.created_ids` names them, in row order."""
    if not result.to_create:
        return
    result.created_ids = [create_draft(uow, organisation_id, data).id for data in result.drafts]
