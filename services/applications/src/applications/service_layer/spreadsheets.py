"""Spreadsheets for bulk intake: an XLSX workbook's first sheet read as bulk rows (the same
header, numbering and checks as a CSV file), and the template to fill in, as CSV or XLSX: the
columns, one example row and what goes in each column."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from applications.schemas.applicant import DOCUMENT_TYPES
from applications.service_layer.bulk import COLUMNS, BadFile, Row, rows_from
from shared.clearance import load_summary, visit_words
from shared.events.vocabulary import ACCESS_TYPES, CHANNELS, FREQUENCIES, ROLES

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A workbook is a zip: what it unpacks to is bounded, so a small file cannot fill the memory.
MAX_UNPACKED = 64 * 1024 * 1024
MAX_COLUMNS = 100  # cells further right are not read (the header has at most len(COLUMNS))
NOT_XLSX = "The selected file is not an Excel workbook (.xlsx). Save it as .xlsx or as CSV UTF-8."


def _one_of(values: tuple[str, ...]) -> str:
    return f"One of: {', '.join(values)}."


def what_the_visit_needs() -> str:
    """What an application needs beyond the template's columns, by the policy's levels: the
    light path (a one-off escorted visit) needs nothing more than a current address."""
    summary = load_summary()
    light = [
        visit_words(access, frequency)
        for access, by_frequency in summary.level_by_access.items()
        for frequency, code in by_frequency.items()
        if summary.level(code).light_path
    ]
    years = summary.address_history_years
    return (
        f"For {' or '.join(light)}, add only the current address to each application: address "
        f"history, declarations and referees are not needed. For any other visit, also add "
        f"{years} years of addresses, the declarations and two referees."
    )


# What goes in each column, in plain words: the template's guidance sheet and the upload page.
GUIDANCE: dict[str, str] = {
    "forenames": "First name, and any other given names before the middle names.",
    "middle_names": "Middle names, if they have any.",
    "no_middle_name": "yes if they have no middle name; otherwise leave it blank.",
    "surname": "Last name.",
    "date_of_birth": "As YYYY-MM-DD, like 1980-04-01.",
    "place_of_birth_town": "The town or city they were born in.",
    "place_of_birth_country": "The country they were born in.",
    "national_insurance_number": "If they have one, like AB 12 34 56 C.",
    "identity_document_type": _one_of(DOCUMENT_TYPES),
    "identity_document_number": "The document's full number, as printed on it.",
    "identity_document_expiry": "As YYYY-MM-DD, if the document has an expiry date.",
    "email": "The volunteer's own email address (not yours).",
    "mobile": "A UK mobile number, like 07700 900123.",
    "preferred_channel": f"How we contact them. {_one_of(CHANNELS)}",
    "role": _one_of(ROLES),
    "establishments": "Prison codes, separated by ; like WWI; BMI.",
    "requested_access": _one_of(ACCESS_TYPES),
    "frequency": f"{_one_of(FREQUENCIES)} {what_the_visit_needs()}",
    "group_name": "Optional: the group they will run, for the prison's security team.",
    "area": "Optional: where in the prison the group meets, like Chapel.",
}
EXAMPLE: dict[str, str] = {
    "forenames": "Siobhán",
    "middle_names": "Máire",
    "no_middle_name": "",
    "surname": "O'Connor",
    "date_of_birth": "1980-04-01",
    "place_of_birth_town": "Cork",
    "place_of_birth_country": "Ireland",
    "national_insurance_number": "AB 12 34 56 C",
    "identity_document_type": "PASSPORT",
    "identity_document_number": "5347917Q2Z",
    "identity_document_expiry": "2031-01-31",
    "email": "siobhan@example.org",
    "mobile": "07700 900123",
    "preferred_channel": "EMAIL",
    "role": "GROUP_FACILITATOR",
    "establishments": "WWI; BMI",
    "requested_access": "ESCORTED",
    "frequency": "REGULAR",
    "group_name": "Tuesday evening meeting",
    "area": "Chapel",
}


def read_xlsx(content: bytes) -> list[Row]:
    """The data rows of an XLSX workbook's first sheet (see bulk.rows_from). Raises BadFile for
    a file that is no workbook, or one that unpacks to more than MAX_UNPACKED bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise BadFile("The file is not an XLSX workbook.", {"file": [NOT_XLSX]}) from exc
    if unpacked > MAX_UNPACKED:
        raise BadFile(
            "The workbook is too large.",
            {"file": ["The workbook is too large: keep only the applicants' sheet and save it."]},
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    # A damaged workbook fails inside openpyxl in many ways (a missing part, bad XML, a wrong
    # type): each means the same to the person uploading it.
    except Exception as exc:
        raise BadFile("The file is not an XLSX workbook.", {"file": [NOT_XLSX]}) from exc
    try:
        sheet = workbook.worksheets[0]
        lines = (
            _trimmed([_text(value) for value in values])
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        )
        return rows_from(lines)
    except BadFile:
        raise
    except Exception as exc:  # the sheet's XML is read lazily, row by row: damage shows here
        raise BadFile("The file is not an XLSX workbook.", {"file": [NOT_XLSX]}) from exc
    finally:
        workbook.close()


def _trimmed(cells: list[str]) -> list[str]:
    """Without the blank cells at the end: a sheet pads its rows to its widest, and a column
    formatted but left empty is no column of the header."""
    while cells and not cells[-1].strip():
        cells.pop()
    return cells


def _text(value: Any) -> str:
    """A cell as the CSV would have it: dates as YYYY-MM-DD, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def template_csv() -> bytes:
    """The CSV template: the header and the example row, with a BOM so that Excel reads it as
    UTF-8 (accents intact)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow([EXAMPLE[column] for column in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode()


def template_xlsx() -> bytes:
    """The XLSX template: the applicants' sheet (the header and the example row, every column
    text so that Excel keeps 07700… and dates as typed), then a sheet saying what goes where."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has its first sheet
    sheet.title = "Applicants"
    sheet.append(list(COLUMNS))
    sheet.append([EXAMPLE[column] for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column_cells in enumerate(sheet.iter_cols(min_row=1, max_row=2), start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(14, len(str(column_cells[0].value)) + 2)
        sheet.column_dimensions[letter].number_format = "@"
        for cell in column_cells:
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
    guidance = workbook.create_sheet("Guidance")
    guidance.append(["Column", "What to enter"])
    for cell in guidance[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        guidance.append([column, GUIDANCE[column]])
    guidance.column_dimensions["A"].width = 28
    guidance.column_dimensions["B"].width = 90
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
