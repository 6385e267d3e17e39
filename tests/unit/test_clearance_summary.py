"""The packaged clearance summary (shared.clearance) agrees with vetting's policy, so
applications asks for what the level vetting will choose needs."""

from __future__ import annotations

from itertools import product

import pytest

from shared.clearance import SECTIONS, clearance_label, load_summary, visit_words
from shared.reference import load_establishments
from vetting.domain.policy import ACCESS_TYPES, DBS_LEVELS, FREQUENCIES, load_policy, required_level

POLICY = load_policy()
SUMMARY = load_summary()
ESTABLISHMENTS = load_establishments()


def test_the_summary_is_of_the_policy_version_in_force() -> None:
    assert SUMMARY.policy_version == POLICY.version


def test_levels_checks_and_years_agree_with_the_policy() -> None:
    assert [(lv.code, lv.checks, lv.light_path) for lv in SUMMARY.levels] == [
        (lv.name, lv.checks, lv.light_path) for lv in POLICY.levels
    ]
    assert SUMMARY.address_history_years == POLICY.address_history_years
    assert SUMMARY.ctc_minimum_uk_residence_years == POLICY.ctc_minimum_uk_residence_years
    assert {a: dict(f) for a, f in SUMMARY.level_by_access.items()} == {
        a: dict(f) for a, f in POLICY.level_by_access.items()
    }
    raising = {
        flag: rule.minimum_level
        for flag, rule in POLICY.establishment_rules.items()
        if rule.minimum_level is not None
    }
    assert dict(SUMMARY.minimum_level_where) == raising


@pytest.mark.parametrize("access, frequency", list(product(ACCESS_TYPES, FREQUENCIES)))
def test_every_request_at_every_establishment_gets_vettings_level(
    access: str, frequency: str
) -> None:
    for site in ESTABLISHMENTS.values():
        expected = required_level(POLICY, access, frequency, [site])
        found = SUMMARY.level_for(access, frequency, [site])
        assert found.code == expected.level, (access, frequency, site.code)


def test_labels_never_use_a_dbs_certificate_word() -> None:
    words = {w.lower() for level in DBS_LEVELS for w in level.split("_")} - {"with", "lists"}
    for level in SUMMARY.levels:
        assert level.label.startswith(f"Level {level.rank} (")
        assert not words & set(level.label.lower().strip(")").replace("(", " ").split()), (
            level.label
        )
    assert len({level.label for level in SUMMARY.levels}) == len(SUMMARY.levels)


def test_a_one_off_escorted_visit_needs_identity_only() -> None:
    level = SUMMARY.level_for("ESCORTED", "ONE_OFF", [ESTABLISHMENTS["FKI"]])
    assert (level.code, level.sections) == ("ESCORTED_VISITOR", frozenset())
    assert visit_words("ESCORTED", "ONE_OFF") == "a one-off escorted visit"
    assert clearance_label("ESCORTED_VISITOR") == "Level 1 (identity)"


def test_an_unknown_request_is_asked_for_everything() -> None:
    assert SUMMARY.level_for(None, "ONE_OFF", []) == SUMMARY.highest
    assert SUMMARY.level_for("ESCORTED", "DAILY", []) == SUMMARY.highest
    assert SUMMARY.highest.sections == frozenset(SECTIONS)
    assert clearance_label("NOT_A_LEVEL") == "NOT_A_LEVEL"
