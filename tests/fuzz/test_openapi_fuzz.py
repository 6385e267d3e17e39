"""Hostile input against every operation of every service's OpenAPI document (schemathesis).

Each service runs in process on a migrated platform with a little real data; every operation is
called, authenticated as a caller who may use it, with schemathesis' examples, coverage cases
(boundaries, missing and wrong-typed fields) and random valid and invalid input. Every response
must be a non-5xx that its document describes (status code, content type, body schema).

Budget and seed, from the environment:
- FUZZ_EXAMPLES: random examples per operation (default 10; `make fuzz` uses 200);
- FUZZ_SEED: unset: derandomized, the same cases every run (as `make test` runs it); an
  integer: that seed (`make fuzz` draws one and prints it: rerun with it to reproduce);
- FUZZ_BACKENDS: `embedded` (default) and/or `real` (PostgreSQL + RabbitMQ), comma-separated.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.result import Ok
from schemathesis.pytest.lazy import get_all_tests

from tests.support.fuzz_targets import TARGETS, FuzzTarget

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
SEED = int(os.environ["FUZZ_SEED"]) if os.environ.get("FUZZ_SEED") else None
BACKENDS = [b.strip() for b in os.environ.get("FUZZ_BACKENDS", "embedded").split(",") if b]
# Built-in checks by name (schemathesis.checks resolves them lazily).
CHECKS = [
    getattr(checks, name)
    for name in (
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    )
]


def _config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            **({"seed": SEED} if SEED is not None else {}),
            "suppress-health-check": ["all"],
            "generation": {
                "mode": "all",
                "max-examples": EXAMPLES,
                "database": "none",
                "deterministic": SEED is None,
                # Credentials are ours (see call): generated ones only meet the 401.
                "with-security-parameters": False,
            },
            "phases": {
                "examples": {"enabled": True},
                "coverage": {"enabled": True},
                "fuzzing": {"enabled": True},
                "stateful": {"enabled": False},
            },
        }
    )


class Unhandled(logging.Handler):
    """Keeps the traceback a 500 logged ("unhandled error"), to show with the failure."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: str | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.last = logging.Formatter().formatException(record.exc_info)


@pytest.fixture(
    params=[(service, backend) for backend in BACKENDS for service in TARGETS],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def fuzz_target(request: pytest.FixtureRequest) -> Iterator[FuzzTarget]:
    service, backend = request.param
    env = request.getfixturevalue("real_env" if backend == "real" else "embedded")
    target = TARGETS[service](env[service])
    yield target
    target.platform.engine.dispose()


def _offer_known_values(schema: Any, known: dict[str, list[str]]) -> None:
    """Sometimes replace a generated path or query value by a seeded record's id, so calls
    reach real records (a random id only ever finds the 404)."""

    def substitute(values: dict[str, Any] | None) -> Any:
        if not values:
            return st.just(values)
        choices = {
            name: st.one_of(st.just(value), st.sampled_from(known[name]))
            for name, value in values.items()
            if known.get(name)
        }
        return st.fixed_dictionaries(choices).map(lambda chosen: {**values, **chosen})

    schema.hook("flatmap_path_parameters")(lambda _ctx, values: substitute(values))
    schema.hook("flatmap_query")(lambda _ctx, values: substitute(values))


def test_every_operation_answers_hostile_input_as_documented(
    fuzz_target: FuzzTarget, subtests: pytest.Subtests
) -> None:
    schema = schemathesis.openapi.from_wsgi("/openapi.json", fuzz_target.app, config=_config())
    _offer_known_values(schema, fuzz_target.known)
    calls: Counter[str] = Counter()
    unhandled = Unhandled()

    def call(case: Any) -> None:
        method, path = case.operation.method.upper(), case.operation.path
        calls[f"{method} {path}"] += 1
        unhandled.last = None
        # A case's own headers win over call(headers=...): put the credential in the case.
        case.headers = {
            **(case.headers or {}),
            "Authorization": fuzz_target.authorise(method, path),
        }
        response = case.call()
        try:
            case.validate_response(response, checks=CHECKS)
        except Exception as failure:
            if unhandled.last:
                failure.add_note(f"The service logged:\n{unhandled.last}")
            failure.add_note(
                f"Reproduce: FUZZ_SEED={SEED} FUZZ_EXAMPLES={EXAMPLES}"
                if SEED is not None
                else "Reproduce: the same command"
            )
            raise

    # schemathesis' own pytest integration renames pytest nodes in a way pytest 9.2 refuses;
    # this is the same per-operation test it builds (examples, coverage, fuzzing phases),
    # each operation reported as a subtest so one failure does not hide the next.
    tests = list(get_all_tests(schema=schema, test_func=call, settings=None, given_kwargs={}))
    errors = logging.getLogger("shared.web.errors")
    errors.addHandler(unhandled)
    started = time.perf_counter()
    try:
        for result in tests:
            with subtests.test(msg=_label(result)):
                _operation, test = result.ok()
                test()
    finally:
        errors.removeHandler(unhandled)
    operations = {_label(result) for result in tests}
    print(
        f"\nfuzz {fuzz_target.service}: {len(operations)} operations, "
        f"{sum(calls.values())} calls in {time.perf_counter() - started:.1f}s "
        f"(seed {SEED if SEED is not None else 'derandomized'}, {EXAMPLES} random examples)"
    )
    never = operations - set(calls)
    assert len(operations) >= 4 and not never, f"never called: {never}"


def _label(result: Any) -> str:
    if isinstance(result, Ok):
        operation = result.ok()[0]
        return f"{operation.method.upper()} {operation.path}"
    return f"schema error: {result.err()}"
