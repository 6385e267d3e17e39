"""Establishments: seeded by the migration from the reference CSV, reloaded by an operator
command (idempotent: a second run changes nothing), on both run modes."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import func, select

from access.__main__ import make_cli
from access.models import Establishment
from access.service import definition
from shared.reference import load_establishments
from tests.support.platforms import platform_for


def run_reload(env, *args):
    cli = make_cli(definition(), "access.app:create_app()")
    result = CliRunner().invoke(
        cli, ["establishments", "reload", *args], env=env, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return dict(pair.split("=") for pair in result.output.split())


def test_seeded_then_reloaded_from_a_newer_file(backend_env, tmp_path):
    env = backend_env["access"]
    platform = platform_for("access", env)
    reference = load_establishments()
    with platform.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Establishment)) == len(reference)
        wandsworth = session.get(Establishment, "WWI")
        assert wandsworth.name == reference["WWI"].name

    assert run_reload(env) == {
        "added": "0",
        "updated": "0",
        "unchanged": str(len(reference)),
        "not_in_file": "0",
    }
    lines = tmp_path / "establishments.csv"
    text = [line for line in _packaged_csv().splitlines() if not line.startswith("BMI,")]
    text = [line.replace("Wandsworth (HMP & YOI)", "Wandsworth (HMP)") for line in text]
    text.append("ZZZ,Newtown (HMP),England,true,false")
    lines.write_text("\n".join(text) + "\n", encoding="utf-8")
    assert run_reload(env, "--file", str(lines)) == {
        "added": "1",
        "updated": "1",
        "unchanged": str(len(reference) - 2),
        "not_in_file": "1",
    }
    assert run_reload(env, "--file", str(lines))["updated"] == "0"  # idempotent
    with platform.session_factory() as session:
        assert session.get(Establishment, "WWI").name == "Wandsworth (HMP)"
        assert session.get(Establishment, "ZZZ").high_security is True
        assert session.get(Establishment, "BMI") is not None  # kept: history may name it
    platform.engine.dispose()


def _packaged_csv() -> str:
    from importlib import resources

    return resources.files("shared.data").joinpath("establishments.csv").read_text("utf-8")
