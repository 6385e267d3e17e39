"""JSON logs, each line carrying the service name and the correlation id of the work in hand.

Logs never carry a person's details (`tests/e2e/test_log_sentinels.py` drives the whole
system with sentinel values and scans every line). Code logs ids, never values; and because the
text of an exception raised by a library may echo the values it was given (a database error
carries its statement's parameters or the duplicate key, a validation error the unknown field, a
mail server's reply the refused address), `_Redact` makes every line safe on its way out:

- an exception passed as an argument, as an extra or as `exc_info` is written as its type and
  the codes that explain it (`describe_exception`): SQLSTATE, constraint, table and column for a
  database error; the fields for a validation error; errno, SMTP code. A traceback keeps its
  frames (file, line, function), only the message lines are replaced. Exceptions whose message
  our own code writes, naming things by id (`LoggableError`), are written as they are;
- email addresses and UK phone numbers left in any text are replaced;
- the web access log (gunicorn's) keeps a query string's parameter names, and of its values
  only ids and numbers.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Mapping
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from shared.context import current_correlation_id

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
UK_PHONE = re.compile(r"(?<![\w-])(?:\+44\s?7\d{3}|07\d{3})\s?\d{3}\s?\d{3}(?![\w-])")
QUERY_VALUE = re.compile(r"(?P<name>(?:^|[?&;])[^=&;#\s\"]*=)(?P<value>[^&;#\s\"]*)")
SAFE_QUERY_VALUE = re.compile(
    r"^(?:\d{1,12}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$"
)
# SQLSTATE classes whose messages name the server, the connection or schema objects, never a
# value (a data exception's message, class 22, may quote its input: "invalid input syntax for
# type date: ..."; an integrity violation's detail, class 23, quotes the duplicate key).
SCHEMA_AND_SERVER_CLASSES = frozenset({"08", "40", "42", "53", "54", "55", "57", "58"})
# The attributes every LogRecord has: anything else on a record came in as an `extra`.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "service",
    "correlation_id",
}


class LoggableError(Exception):
    """An error whose message our own code writes and names things only by id, so logs may
    carry it as it is (e.g. `RetryLater`, `PermanentError`). Any other exception is logged by
    its type and codes."""


def redact(text: str) -> str:
    """`text` with email addresses and UK phone numbers replaced."""
    return UK_PHONE.sub("<phone>", EMAIL.sub("<email>", text))


def redact_query(text: str) -> str:
    """A URL, request line or query string with each parameter's value replaced unless it is an
    id (a UUID) or a number: `?recipient=a@b.org&limit=5` -> `?recipient=<redacted>&limit=5`."""
    path, mark, query = text.partition("?")
    if not mark:
        path, query = "", text if "=" in text else ""
        if not query:
            return text

    def replace(match: re.Match[str]) -> str:
        value = match.group("value")
        return match.group("name") + (value if SAFE_QUERY_VALUE.match(value) else "<redacted>")

    return path + mark + QUERY_VALUE.sub(replace, query)


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else f"{module}.{cls.__qualname__}"


def describe_exception(exc: BaseException) -> str:
    """What went wrong, in words that cannot carry a value the code was handling."""
    name = _type_name(exc)
    if isinstance(exc, LoggableError):
        return f"{name}: {exc}"
    details = _details(exc)
    return f"{name} ({details})" if details else name


def _details(exc: BaseException) -> str:
    # Imported here: logging is configured before anything else, and must work without them.
    from marshmallow import ValidationError
    from sqlalchemy.exc import StatementError

    if isinstance(exc, StatementError):
        orig = getattr(exc, "orig", None)
        return _database_details(orig) if orig is not None else ""
    if isinstance(exc, ValidationError):
        paths = sorted(_field_paths(exc.messages))
        return "fields: " + ", ".join(paths[:20]) + (" …" if len(paths) > 20 else "")
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"errno {exc.errno}: {exc.strerror}"
    code = getattr(exc, "smtp_code", None)
    if isinstance(code, int):
        return f"SMTP {code}"
    if hasattr(exc, "sqlstate") or hasattr(exc, "sqlite_errorname"):
        return _database_details(exc)
    return ""


def _database_details(orig: BaseException) -> str:
    parts = [_type_name(orig)]
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        parts.append(f"SQLSTATE {sqlstate}")
    sqlite_name = getattr(orig, "sqlite_errorname", None)
    if sqlite_name:
        parts.append(sqlite_name)
    diag = getattr(orig, "diag", None)
    for label in ("constraint_name", "table_name", "column_name"):
        value = getattr(diag, label, None) if diag is not None else None
        if value:
            parts.append(f"{label.split('_')[0]} {value}")
    primary = getattr(diag, "message_primary", None) if diag is not None else None
    if primary and str(sqlstate)[:2] in SCHEMA_AND_SERVER_CLASSES:
        parts.append(str(primary)[:200])
    return ", ".join(parts)


def _field_paths(messages: Any, prefix: str = "") -> list[str]:
    """Where a validation failed: the declared fields' paths. A key the schema does not know is
    the sender's text, so it is written as "(unknown field)"."""
    if not isinstance(messages, Mapping):
        return [prefix or "_schema"]
    paths = []
    for key, value in messages.items():
        if value == ["Unknown field."]:
            paths.append(f"{prefix}(unknown field)")
            continue
        segment = (
            str(key) if isinstance(key, int) or re.fullmatch(r"\w{1,60}", str(key)) else "(field)"
        )
        paths.extend(_field_paths(value, f"{prefix}{segment}."))
    return [path.rstrip(".") for path in paths]


def format_exception_safely(exc: BaseException) -> str:
    """A traceback as Python prints it (the chain of causes, each with its frames), each
    exception's message line replaced by `describe_exception`."""
    chain: list[tuple[BaseException, str | None]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link: str | None = None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = (
                current.__cause__,
                "The above exception was the direct cause of the following exception:",
            )
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = (
                current.__context__,
                "During handling of the above exception, another exception occurred:",
            )
        else:
            current = None
    lines: list[str] = []
    for position, (item, _link) in enumerate(reversed(chain)):
        if position:
            # The link that led from the later exception back to this earlier one.
            lines.append(f"\n{chain[len(chain) - position][1]}\n\n")
        if item.__traceback__ is not None:
            lines.append("Traceback (most recent call last):\n")
            lines.extend(traceback.format_tb(item.__traceback__))
        lines.append(describe_exception(item) + "\n")
    return "".join(lines).rstrip("\n")


class _Described(str):
    """An exception's description standing in for it as a log argument: `%r` and `%s` alike
    write the description, without quotes."""

    def __repr__(self) -> str:
        return str(self)


def _safe(value: Any) -> Any:
    if isinstance(value, BaseException):
        return _Described(describe_exception(value))
    if isinstance(value, str):
        return redact(value)
    return value


class _Redact(logging.Filter):
    """Makes a record safe to write (see the module's docstring). It rewrites the record, so
    every handler after it writes the same safe line."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            if isinstance(record.args, Mapping):
                record.args = _mapped(record.args, _safe)
            elif record.args:
                record.args = tuple(_safe(value) for value in record.args)
            record.msg, record.args = redact(record.getMessage()), None
        except Exception:  # noqa: BLE001 - a broken format string: say so, show no values
            record.msg, record.args = f"unformattable log message from {record.name}", None
        for key, value in list(vars(record).items()):
            if key not in _RECORD_ATTRIBUTES:
                setattr(record, key, _safe(value))
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text, record.exc_info = format_exception_safely(record.exc_info[1]), None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class _AccessLogQueries(logging.Filter):
    """gunicorn's access log: query values (and the referrer's) out of the request line."""

    ATOMS = frozenset({"r", "q", "f", "{raw_uri}e"})

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, Mapping):
            record.args = _mapped(record.args, lambda value: value, self.ATOMS)
        return True


def _mapped(args: Mapping[str, Any], safe: Any, queries: frozenset[str] = frozenset()) -> Any:
    """A copy of a mapping of log arguments, made safe. It keeps the mapping's class: gunicorn's
    atoms (a dict subclass) answer "-" for an atom the request did not have."""
    copied = dict(args)
    for key, value in copied.items():
        if key in queries and isinstance(value, str):
            value = redact_query(value)
        copied[key] = safe(value)
    if isinstance(args, dict) and type(args) is not dict:
        kept = dict.__new__(type(args))
        dict.update(kept, copied)
        return kept
    return copied


class _ContextFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.correlation_id = current_correlation_id()
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(correlation_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_ContextFilter(service))
    handler.addFilter(_Redact())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # kombu and amqp are chatty at INFO about reconnects we already log ourselves.
    logging.getLogger("amqp").setLevel(logging.WARNING)
    # gunicorn's loggers keep their own handlers (they do not propagate): filter them at the
    # logger. This runs in each web worker, where the app is built.
    access = logging.getLogger("gunicorn.access")
    for logger, filters in (
        (access, (_AccessLogQueries(), _Redact())),
        (logging.getLogger("gunicorn.error"), (_Redact(),)),
    ):
        for existing in [f for f in logger.filters if isinstance(f, _AccessLogQueries | _Redact)]:
            logger.removeFilter(existing)
        for log_filter in filters:
            logger.addFilter(log_filter)
