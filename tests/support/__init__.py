"""What the tests share (never a test module, never a fixture): small helpers here, and
harnesses, builders and servers in the modules of this package."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from shared.clock import Clock
from shared.config import Settings, load_settings
from shared.migrations import upgrade
from shared.platform import Platform, ServiceDefinition, build_platform

T = TypeVar("T")


def settings_for(service: str, env: Mapping[str, str], **overrides: Any) -> Settings:
    settings = load_settings(service, env)
    return settings.with_overrides(**overrides) if overrides else settings


def migrated_platform(
    definition: ServiceDefinition,
    env: Mapping[str, str],
    clock: Clock | None = None,
    **overrides: Any,
) -> Platform:
    settings = settings_for(definition.name, env, **overrides)
    upgrade(settings, definition.migrations_dir)
    return build_platform(settings, clock)


def wait_for(
    predicate: Callable[[], T],
    timeout: float = 30.0,
    interval: float | None = None,
    message: str = "condition",
) -> T:
    """Ask until the predicate answers. Unless an interval is given, the pause grows from
    50 ms to half a second: many predicates are requests to the very processes being waited
    on, which fast polling slows down."""
    pause, fixed = (interval, True) if interval is not None else (0.05, False)
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(pause)
        if not fixed:
            pause = min(pause * 1.5, 0.5)


def cli_json(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout.strip().splitlines()[-1])


def operator_cli(service: str, env: Mapping[str, str]) -> Callable[..., Any]:
    """`python -m <service> …` as an operator runs it, in this process (click's runner: the
    same commands and output, without a process start per call). The result has `returncode`,
    `stdout` and `stderr`."""
    from click.testing import CliRunner

    from shared.cli import make_cli

    module = __import__(f"{service}.service", fromlist=["definition"])
    cli = make_cli(module.definition(), f"{service}.app:create_app()")

    def run(*args: str, stdin: str | None = None) -> Any:
        result = CliRunner().invoke(cli, list(args), env=dict(env), input=stdin)
        result.returncode = result.exit_code  # type: ignore[attr-defined]  # read as a subprocess's
        return result

    return run
