import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from gunicorn.glogging import SafeAtoms
from marshmallow import Schema, fields
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from shared.clock import ManualClock
from shared.consumer import Dispatcher, EventConsumer, RetryLater
from shared.context import set_correlation_id
from shared.crypto import at_rest
from shared.db import PLATFORM_METADATA, dead_letters_table
from shared.logs import configure_logging, describe_exception, redact_query

SECRET = "ZqSentinelValue"
EMAIL = "zq.person+x@example.org"


@contextmanager
def configured(service: str = "vetting") -> Iterator[None]:
    root = logging.getLogger()
    gunicorn = [logging.getLogger(name) for name in ("gunicorn.access", "gunicorn.error")]
    saved = root.handlers[:], root.level, [logger.filters[:] for logger in gunicorn]
    configure_logging(service, "INFO")
    try:
        yield
    finally:
        root.handlers[:], level, filters = saved
        root.setLevel(level)
        for logger, kept in zip(gunicorn, filters, strict=True):
            logger.filters[:] = kept


def lines(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.strip().splitlines()]


def test_log_lines_are_json_with_service_and_correlation_id(capsys):
    with configured():
        set_correlation_id("corr-42")
        try:
            logging.getLogger("test").info("case opened", extra={"case_id": "c1"})
        finally:
            set_correlation_id(None)
    line = lines(capsys)[-1]
    assert line["message"] == "case opened" and line["level"] == "INFO"
    assert line["service"] == "vetting" and line["correlation_id"] == "corr-42"
    assert line["case_id"] == "c1"


def unique_violation() -> IntegrityError:
    """A real database error: SQLAlchemy's text of it carries the statement's parameters."""
    table = Table("people", MetaData(), Column("match_key", String, unique=True))
    engine = create_engine("sqlite://")
    table.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(insert(table), {"match_key": SECRET})
        with pytest.raises(IntegrityError) as caught:
            conn.execute(insert(table), {"match_key": SECRET})
    assert SECRET in str(caught.value)  # what would have been logged
    return caught.value


def test_an_exception_is_logged_by_its_type_and_codes_never_its_message(capsys):
    error = unique_violation()
    with configured():
        log = logging.getLogger("test")
        log.warning("handler failed (attempt %s): %r", 1, error)
        log.warning("database unavailable: %s", error)
        log.warning("lookup failed: %r", KeyError(EMAIL))
    logged = lines(capsys)
    assert SECRET not in json.dumps(logged) and EMAIL not in json.dumps(logged)
    assert logged[0]["message"].startswith(
        "handler failed (attempt 1): sqlalchemy.exc.IntegrityError ("
    )
    assert "SQLITE_CONSTRAINT_UNIQUE" in logged[1]["message"]
    assert logged[2]["message"] == "lookup failed: KeyError"


def test_a_validation_error_names_its_fields_but_not_an_unknown_key():
    class Applicant(Schema):
        email = fields.Email(required=True)
        forenames = fields.String(required=True)

    class Event(Schema):
        applicant = fields.Nested(Applicant, required=True)

    with pytest.raises(Exception) as caught:
        Event().load({"applicant": {"email": SECRET, SECRET + "Key": 1}})
    described = describe_exception(caught.value)
    assert described == (
        "marshmallow.exceptions.ValidationError (fields: "
        "applicant.(unknown field), applicant.email, applicant.forenames)"
    )


def test_a_traceback_keeps_its_frames_and_loses_its_messages(capsys):
    def look_up() -> None:
        {}[EMAIL]

    with configured():
        try:
            try:
                look_up()
            except KeyError as exc:
                raise ValueError(f"bad value {SECRET}") from exc
        except ValueError:
            logging.getLogger("test").exception("unhandled error")
    [line] = lines(capsys)
    trace = line["exc_info"]
    assert SECRET not in trace and EMAIL not in trace
    assert "in look_up" in trace and "{}[EMAIL]" in trace  # the frames, as Python prints them
    assert trace.index("KeyError") < trace.index("direct cause") < trace.index("ValueError")
    assert trace.rstrip().endswith("ValueError")


def test_emails_and_phone_numbers_are_masked_in_messages_and_extras(capsys):
    with configured():
        logging.getLogger("test").warning(
            "notification n1 not sent: 550 5.1.1 <%s>: Recipient address rejected",
            EMAIL,
            extra={"reply": f"to {EMAIL} or 07700 900123", "error": ValueError(SECRET)},
        )
    [line] = lines(capsys)
    assert line["message"] == (
        "notification n1 not sent: 550 5.1.1 <<email>>: Recipient address rejected"
    )
    assert line["reply"] == "to <email> or <phone>" and line["error"] == "ValueError"
    # Ids are never mistaken for phone numbers.
    with configured():
        logging.getLogger("test").info("case 07700900-1234-4abc-8def-071234567890 opened")
    assert lines(capsys)[0]["message"] == "case 07700900-1234-4abc-8def-071234567890 opened"


def test_our_own_errors_are_logged_as_written(capsys):
    with configured():
        logging.getLogger("test").warning(
            "handler failed: %r", RetryLater("no contact details yet for application a1")
        )
    assert lines(capsys)[0]["message"] == (
        "handler failed: shared.consumer.RetryLater: no contact details yet for application a1"
    )


def test_the_web_access_log_keeps_parameter_names_and_only_ids_and_numbers(capsys):
    access = logging.getLogger("gunicorn.access")
    handler = logging.StreamHandler(sys.stderr)  # gunicorn's own handler, its own format
    access.addHandler(handler)
    access.propagate, access.level = False, logging.INFO
    application = "6f1c0a2e-1b2c-4d5e-8f90-123456789abc"
    query = f"recipient={EMAIL}&application_id={application}&limit=5&name={SECRET}"
    try:
        with configured():
            access.info(
                '%(h)s "%(r)s" %(s)s "%(f)s" %(q)s %({x-missing}i)s',
                SafeAtoms(
                    {
                        "h": "127.0.0.1",
                        "r": f"GET /notifications?{query} HTTP/1.1",
                        "s": "200",
                        "f": f"http://127.0.0.1:8003/console/gate?badge={SECRET}",
                        "q": query,
                    }
                ),
            )
    finally:
        access.removeHandler(handler)
    written = capsys.readouterr().err.strip()
    assert SECRET not in written and EMAIL not in written
    assert written == (
        '127.0.0.1 "GET /notifications?recipient=<redacted>&application_id='
        f'{application}&limit=5&name=<redacted> HTTP/1.1" 200 '
        '"http://127.0.0.1:8003/console/gate?badge=<redacted>" recipient=<redacted>&'
        f"application_id={application}&limit=5&name=<redacted> -"
    )
    assert redact_query("/cases") == "/cases"


class _Message:
    def __init__(self, body: str) -> None:
        self.body, self.headers, self.acked = body.encode(), {}, False

    def ack(self) -> None:
        self.acked = True


class _Settings:
    service, is_embedded_broker = "vetting", True


def test_the_consumer_logs_ids_never_an_events_body_or_its_errors_text(caplog, monkeypatch):
    # Dead letters are encrypted: this process's key set, as a platform would install it.
    monkeypatch.setattr(at_rest, "_installed", at_rest.Keyring([at_rest.Keyring.generate_key()]))
    engine = create_engine("sqlite://")
    PLATFORM_METADATA.create_all(engine, tables=[dead_letters_table])
    dispatcher = Dispatcher(
        _Settings(),
        sessionmaker(bind=engine),
        None,
        None,
        {},
        clock=ManualClock(datetime(2026, 6, 10, 11, 0, tzinfo=UTC)),
    )
    consumer = EventConsumer(_Settings(), None, dispatcher, None)
    unknown = json.dumps(
        {
            "data": {"forenames": SECRET, "email": EMAIL},
            "id": "e1",
            "type": "application.submitted",
            "version": 9,
        }
    )
    dispatcher.parse = lambda _raw: None  # a version this consumer does not know
    caplog.set_level(logging.INFO)
    consumer.on_message(None, message := _Message(unknown))
    assert message.acked
    dispatcher.record_dead_letter(
        unknown, f"invalid message: {{'{SECRET}': ['Unknown field.']}}", 1
    )
    logged = [f"{record.getMessage()} {vars(record)}" for record in caplog.records]
    assert len(logged) == 2 and not any(SECRET in text or EMAIL in text for text in logged)
    unknown_log, dead_log = caplog.records
    assert (unknown_log.event_id, unknown_log.event_type, unknown_log.version) == (
        "e1",
        "application.submitted",
        "9",
    )
    assert (dead_log.event_id, dead_log.error_type) == ("e1", "invalid message")
    with engine.connect() as conn:  # the operator still has the whole error in the table
        assert SECRET in conn.execute(dead_letters_table.select()).one().error
