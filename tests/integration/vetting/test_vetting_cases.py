"""Vetting opens each case at the level its policy requires, and a bad policy stops it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support.events import deliver
from tests.support.platforms import platform_for, service_handlers, submitted_envelope
from vetting.domain.policy import load_policy
from vetting.models import VettingCase


def case_for(vetting, application_id):
    with vetting.session_factory() as session:
        return session.query(VettingCase).filter_by(application_id=application_id).one()


def test_a_case_records_the_required_level_its_checks_and_the_policy_version(backend_env):
    vetting = platform_for("vetting", backend_env["vetting"])
    escorted = submitted_envelope(requested_access="ESCORTED", frequency="REGULAR")
    key_holder = submitted_envelope(
        requested_access="KEY_HOLDING", frequency="REGULAR", establishments=["FKI", "WWI"]
    )
    for envelope in (escorted, key_holder):
        deliver(vetting, "vetting", envelope)
    version = load_policy().version
    first, second = case_for(vetting, escorted.subject), case_for(vetting, key_holder.subject)
    assert first.policy_version == second.policy_version == version
    assert first.required_level == "STANDARD" and "CTC" not in first.checks
    assert second.required_level == "ENHANCED_CTC" and "CTC" in second.checks
    assert service_handlers("vetting", vetting)  # the handlers build with the default policy


@pytest.mark.slow  # starts a process: `make test`, not the quick loop
def test_a_bad_policy_stops_the_consumer_with_a_clear_message(tmp_path, embedded):
    bad = tmp_path / "policy.yaml"
    bad.write_text("version: '1'\nlevels: {}\n")
    result = subprocess.run(
        [sys.executable, "-m", "vetting", "consume"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **embedded["vetting"], "VETTING_POLICY_FILE": str(bad)},
    )
    assert result.returncode != 0
    assert "the policy is not valid" in result.stderr
    assert "levels" in result.stderr
