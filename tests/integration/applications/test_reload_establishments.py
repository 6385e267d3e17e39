"""The operator's reload of applications' establishments: the packaged CSV (with the columns this
project adds, which the table does not keep) and the original reference file (without them)."""

from __future__ import annotations

from click.testing import CliRunner

from applications.models import Establishment
from applications.service import definition
from shared.cli import make_cli
from shared.reference import load_establishments
from tests.support.platforms import platform_for


def test_reload_from_the_packaged_copy_and_from_a_file_without_the_added_column(
    backend_env, tmp_path
):
    env = backend_env["applications"]
    cli, runner = make_cli(definition(), "x"), CliRunner()
    packaged = runner.invoke(cli, ["reload-establishments"], env=env, catch_exceptions=False)
    assert packaged.exit_code == 0, packaged.output
    original = tmp_path / "establishments.csv"
    original.write_text(
        "code,name,nation,high_security,womens_estate\nZZZ,Newtown (HMP),England,true,false\n",
        encoding="utf-8",
    )
    loaded = runner.invoke(
        cli, ["reload-establishments", "--file", str(original)], env=env, catch_exceptions=False
    )
    assert loaded.exit_code == 0, loaded.output
    platform = platform_for("applications", env)
    with platform.session_factory() as session:
        assert session.get(Establishment, "ZZZ").high_security is True
        wetherby = session.get(Establishment, "WYI")
        assert wetherby.name == load_establishments()["WYI"].name
    platform.engine.dispose()
