"""docs/data-protection.md is the data map: it must name every column the models store, say truly
whether each is encrypted, and encrypt (or justify) every special-category one.

The tables under each "## Data map: <scope>" heading are read as rows of
`| table | column | category | encrypted | why | kept for |`; scope is a service (its models'
`Base.metadata`), `platform` (`shared.db.PLATFORM_METADATA`, the tables every service has) or
`frontdoors` (`shared.frontdoor.sessions.FRONT_DOOR_METADATA`, in the services with a front door).
The "## Exceptions" table lists, by `| service | table | column | exception | justification |`,
the special-category columns that are not encrypted by their type.

Each failure names the table and column that drifted and what to change in the document.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import MetaData

import shared
from shared.crypto.at_rest import EncryptedJSON, EncryptedText

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-protection.md"
SERVICES = ("applications", "vetting", "access", "notifications")
PLATFORM = "platform"
FRONT_DOORS = "frontdoors"
SHARED_SCOPES = (PLATFORM, FRONT_DOORS)
CATEGORIES = ("special", "personal", "pseudonymous", "none")
MAP_HEADER = ["table", "column", "category", "encrypted", "why", "kept for"]
EXCEPTIONS_HEADER = ["service", "table", "column", "exception", "justification"]
NOT_ENCRYPTED = "not encrypted"
ENCRYPTED_BY_APPLICATION = "encrypted by the application"
EXCEPTION_KINDS = (NOT_ENCRYPTED, ENCRYPTED_BY_APPLICATION)
ENCRYPTED_TYPES = (EncryptedJSON, EncryptedText)

Key = tuple[str, str, str]  # (scope, table, column)


@dataclass(frozen=True)
class Row:
    scope: str
    table: str
    column: str
    category: str
    encrypted: str
    why: str
    kept_for: str
    line: int

    @property
    def key(self) -> Key:
        return (self.scope, self.table, self.column)

    def where(self) -> str:
        return (
            f"docs/data-protection.md line {self.line} ({self.scope}: {self.table}.{self.column})"
        )


@dataclass(frozen=True)
class ExceptionRow:
    scope: str
    table: str
    column: str
    kind: str
    justification: str
    line: int

    @property
    def key(self) -> Key:
        return (self.scope, self.table, self.column)


# -- the models --------------------------------------------------------------------------------


def metadata_by_scope() -> dict[str, MetaData]:
    """Each service's metadata, and the platform's. Every module of `shared` is imported first:
    a platform table is registered on PLATFORM_METADATA by the module that defines it."""
    for module in pkgutil.walk_packages(shared.__path__, "shared."):
        importlib.import_module(module.name)
    found = {
        service: importlib.import_module(f"{service}.models").Base.metadata for service in SERVICES
    }
    from shared.db import PLATFORM_METADATA
    from shared.frontdoor.sessions import FRONT_DOOR_METADATA

    found[PLATFORM] = PLATFORM_METADATA
    found[FRONT_DOORS] = FRONT_DOOR_METADATA
    return found


def model_columns() -> dict[Key, bool]:
    """(scope, table, column) -> whether its type is an encrypted one."""
    return {
        (scope, table.name, column.name): isinstance(column.type, ENCRYPTED_TYPES)
        for scope, metadata in metadata_by_scope().items()
        for table in metadata.sorted_tables
        for column in table.columns
    }


# -- the document ------------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|")]


def _tables(text: str) -> Iterator[tuple[str | None, list[str], list[tuple[int, list[str]]]]]:
    """Each Markdown table: the "## " heading it is under, its header, its (line, cells) rows."""
    heading: str | None = None
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        if line.startswith("## "):
            heading = line[3:].strip()
        if (
            line.lstrip().startswith("|")
            and index + 1 < len(lines)
            and re.fullmatch(r"\s*\|[\s|:-]+\|\s*", lines[index + 1])
        ):
            header, rows = _cells(line), []
            index += 2
            while index < len(lines) and lines[index].lstrip().startswith("|"):
                rows.append((index + 1, _cells(lines[index])))
                index += 1
            yield heading, header, rows
            continue
        index += 1


def parse_document(text: str) -> tuple[list[Row], list[ExceptionRow], list[str]]:
    rows: list[Row] = []
    exceptions: list[ExceptionRow] = []
    problems: list[str] = []
    for heading, header, body in _tables(text):
        scope_match = re.fullmatch(r"Data map: (\w+)", heading or "")
        if header == MAP_HEADER:
            if scope_match is None:
                problems.append(
                    f"a data map table (first row line {body[0][0] if body else '?'})"
                    f" is under the heading {heading!r}: put it under "
                    "'## Data map: <service>' or '## Data map: platform'"
                )
                continue
            scope = scope_match.group(1)
            for line, cells in body:
                if len(cells) != len(MAP_HEADER):
                    problems.append(
                        f"docs/data-protection.md line {line}: {len(cells)} cells, "
                        f"expected {len(MAP_HEADER)} ({' | '.join(MAP_HEADER)})"
                    )
                    continue
                rows.append(Row(scope, *cells, line=line))
        elif header == EXCEPTIONS_HEADER:
            for line, cells in body:
                if len(cells) != len(EXCEPTIONS_HEADER):
                    problems.append(
                        f"docs/data-protection.md line {line}: {len(cells)} cells, "
                        f"expected {len(EXCEPTIONS_HEADER)}"
                    )
                    continue
                exceptions.append(ExceptionRow(*cells, line=line))
    return rows, exceptions, problems


@pytest.fixture(scope="module")
def document() -> tuple[list[Row], list[ExceptionRow], list[str]]:
    return parse_document(DOC.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def models() -> dict[Key, bool]:
    return model_columns()


def _report(problems: list[str]) -> str:
    return f"docs/data-protection.md is out of step ({len(problems)}):\n" + "\n".join(
        f"- {problem}" for problem in problems
    )


# -- the checks --------------------------------------------------------------------------------


def test_the_document_has_a_data_map_for_every_service_and_the_platform(document):
    rows, _exceptions, problems = document
    scopes = {row.scope for row in rows}
    missing = [scope for scope in (*SERVICES, *SHARED_SCOPES) if scope not in scopes]
    assert not problems, _report(problems)
    assert not missing, _report([f"no '## Data map: {scope}' table" for scope in missing])
    unknown = sorted(scopes - {*SERVICES, *SHARED_SCOPES})
    assert not unknown, _report(
        [
            f"'## Data map: {scope}' names no service "
            f"(one of {', '.join((*SERVICES, *SHARED_SCOPES))})"
            for scope in unknown
        ]
    )


def test_every_stored_column_is_in_the_document_and_nothing_else(document, models):
    rows, _exceptions, _problems = document
    problems = []
    seen: dict[Key, Row] = {}
    for row in rows:
        if row.key in seen:
            problems.append(
                f"{row.where()}: listed twice (also line {seen[row.key].line}); keep one row"
            )
        seen[row.key] = row
    documented_tables = {(row.scope, row.table) for row in rows}
    for key in sorted(models):
        scope, table, column = key
        if key in seen:
            continue
        if (scope, table) not in documented_tables:
            problems.append(
                f"{scope}: table {table} (column {column}) is in the models but not "
                f"in the document: add its rows under '## Data map: {scope}'"
            )
        else:
            problems.append(
                f"{scope}: column {table}.{column} is in the models but not in the "
                f"document: add a row '| {table} | {column} | <category> | "
                f"{'yes' if models[key] else 'no'} | <why> | <kept for> |' under "
                f"'## Data map: {scope}'"
            )
    model_tables = {(scope, table) for scope, table, _column in models}
    for key, row in seen.items():
        if key in models:
            continue
        if (row.scope, row.table) not in model_tables:
            problems.append(
                f"{row.where()}: the models have no table {row.table} in "
                f"{row.scope}: remove its rows (or fix the name)"
            )
        else:
            problems.append(
                f"{row.where()}: the models have no column {row.table}."
                f"{row.column}: remove the row (or fix the name)"
            )
    assert not problems, _report(problems)


def test_every_row_says_what_it_holds_why_and_for_how_long(document):
    rows, _exceptions, _problems = document
    problems = []
    for row in rows:
        if row.category not in CATEGORIES:
            problems.append(
                f"{row.where()}: category {row.category!r} is not one of {', '.join(CATEGORIES)}"
            )
        if row.encrypted not in ("yes", "no"):
            problems.append(f"{row.where()}: encrypted {row.encrypted!r}: write yes or no")
        if not row.why:
            problems.append(f"{row.where()}: say why it is held")
        if not row.kept_for:
            problems.append(f"{row.where()}: say how long it is kept")
    assert not problems, _report(problems)


def test_encrypted_says_what_the_column_type_does(document, models):
    rows, exceptions, _problems = document
    by_application = {e.key for e in exceptions if e.kind == ENCRYPTED_BY_APPLICATION}
    problems = []
    for row in rows:
        if row.key not in models or row.encrypted not in ("yes", "no"):
            continue  # reported by the tests above
        typed = models[row.key]
        if typed and row.encrypted == "no":
            problems.append(
                f"{row.where()}: the model encrypts it (EncryptedJSON/EncryptedText) "
                "but the document says encrypted: no: write yes (and drop any "
                "'not encrypted' exception for it)"
            )
        elif not typed and row.encrypted == "yes" and row.key not in by_application:
            problems.append(
                f"{row.where()}: the document says encrypted: yes but its type is "
                f"not EncryptedJSON/EncryptedText: write no, or list it under "
                f"'## Exceptions' as '{ENCRYPTED_BY_APPLICATION}' and say how"
            )
    assert not problems, _report(problems)


def test_special_category_columns_are_encrypted_or_a_named_exception(document, models):
    rows, exceptions, _problems = document
    listed = {e.key: e for e in exceptions}
    problems = []
    for row in rows:
        if row.category != "special" or row.key not in models:
            continue
        if models[row.key]:
            continue
        exception = listed.get(row.key)
        if exception is None:
            problems.append(
                f"{row.where()}: special-category data stored without encryption: "
                "make the column EncryptedJSON/EncryptedText, or list it under "
                "'## Exceptions' with the reason"
            )
        elif exception.kind == ENCRYPTED_BY_APPLICATION and row.encrypted != "yes":
            problems.append(
                f"{row.where()}: listed as '{ENCRYPTED_BY_APPLICATION}' but says encrypted: no"
            )
    assert not problems, _report(problems)


def test_every_exception_is_needed_and_justified(document, models):
    rows, exceptions, _problems = document
    documented = {row.key: row for row in rows}
    problems = []
    seen: set[Key] = set()
    for exception in exceptions:
        where = (
            f"docs/data-protection.md line {exception.line} (exception for "
            f"{exception.scope}: {exception.table}.{exception.column})"
        )
        if exception.key in seen:
            problems.append(f"{where}: listed twice")
        seen.add(exception.key)
        if exception.kind not in EXCEPTION_KINDS:
            problems.append(
                f"{where}: exception {exception.kind!r} is not one of "
                f"{', '.join(repr(kind) for kind in EXCEPTION_KINDS)}"
            )
        if len(exception.justification) < 20:
            problems.append(
                f"{where}: justify it (why it cannot or need not be encrypted by "
                "its type, and how long it stays)"
            )
        row = documented.get(exception.key)
        if row is None or exception.key not in models:
            problems.append(
                f"{where}: no such column in the data map or the models: remove the exception"
            )
            continue
        if models[exception.key]:
            problems.append(
                f"{where}: the column is now encrypted by its type: remove the exception"
            )
        elif exception.kind == NOT_ENCRYPTED and row.category != "special":
            problems.append(
                f"{where}: the column is not special-category data "
                f"({row.category}): it needs no exception; remove it"
            )
    assert not problems, _report(problems)


# -- the checker checks itself -----------------------------------------------------------------

SAMPLE = """
## Data map: vetting

| table | column | category | encrypted | why | kept for |
|---|---|---|---|---|---|
| checks | `result` | special | yes | what a check found | 6 months |

## Exceptions

| service | table | column | exception | justification |
|---|---|---|---|---|
| platform | outbox | body | not encrypted | a copy of an event, pruned after 30 days |
"""


def test_the_parser_reads_rows_scopes_lines_and_exceptions():
    rows, exceptions, problems = parse_document(SAMPLE)
    assert problems == []
    assert [(r.key, r.category, r.encrypted, r.line) for r in rows] == [
        (("vetting", "checks", "result"), "special", "yes", 6)
    ]
    assert [(e.key, e.kind) for e in exceptions] == [
        (("platform", "outbox", "body"), "not encrypted")
    ]


def test_a_map_table_outside_a_data_map_heading_is_reported():
    _rows, _exceptions, problems = parse_document(SAMPLE.replace("Data map: vetting", "Other"))
    assert problems and "Data map" in problems[0]
