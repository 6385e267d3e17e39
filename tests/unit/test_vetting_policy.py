"""The vetting policy file: the default loads; a broken file raises PolicyError naming the
field; required_level examples and properties (flags only ever raise a level, the light path
stays light, key holding is the highest level)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from shared.reference import Establishment, load_establishments
from tests.support.properties import property_settings
from vetting.domain.policy import (
    ACCESS_TYPES,
    CHECKS,
    DBS_LEVELS,
    FREQUENCIES,
    PolicyError,
    dbs_certificate_satisfies,
    establishment_flags,
    load_policy,
    policy_from_mapping,
    required_level,
)

POLICY = load_policy()
ESTABLISHMENTS = load_establishments()
PROPERTY = property_settings(200, deadline=None)
RAW = yaml.safe_load(
    resources.files("vetting.domain.policy").joinpath("default_policy.yaml").read_text("utf-8")
)


def sites(*codes: str) -> list[Establishment]:
    return [ESTABLISHMENTS[code] for code in codes]


def rank(name: str) -> int:
    return POLICY.level(name).rank


def dbs(level: str | None) -> int:
    return -1 if level is None else DBS_LEVELS.index(level)


# --- the default policy ----------------------------------------------------------------------


def test_default_policy_loads_with_the_documented_values() -> None:
    assert POLICY.version == "2026-12-2"
    assert [level.name for level in POLICY.levels] == [
        "ESCORTED_VISITOR",
        "STANDARD",
        "ENHANCED",
        "ENHANCED_CTC",
    ]
    assert POLICY.ctc_minimum_uk_residence_years == 3
    assert POLICY.dbs_certificate_retention_months == 6
    assert POLICY.reminder_days_before_expiry == (90, 30, 7)
    assert POLICY.address_history_years == 5
    assert set(POLICY.checks) == set(CHECKS)
    assert all(level.validity_months <= 120 for level in POLICY.levels)  # 10-year re-vetting
    assert any(c.unmanageable for c in POLICY.risk.offence_categories)


def test_the_packaged_file_is_the_default(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(RAW), "utf-8")
    assert load_policy(path) == POLICY


# --- broken policies ---------------------------------------------------------------------------


def broken(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = copy.deepcopy(RAW)
    edit(data)
    return data


def load_broken(tmp_path: Path, data: Any) -> PolicyError:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data), "utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    return caught.value


def set_in(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return edit


def delete(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    def edit(data: dict[str, Any]) -> None:
        node = data
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]

    return edit


BROKEN = {
    "missing version": (delete(["version"]), "version", "Missing data"),
    "missing validity": (
        delete(["levels", "ENHANCED", "validity_months"]),
        "levels.ENHANCED.validity_months",
        "Missing data",
    ),
    "missing frequency": (
        delete(["level_by_access", "KEY_HOLDING", "ONE_OFF"]),
        "level_by_access.KEY_HOLDING.ONE_OFF",
        "Missing data",
    ),
    "wrong type": (
        set_in(["levels", "STANDARD", "validity_months"], "thirty-six"),
        "levels.STANDARD.validity_months",
        "Not a valid integer",
    ),
    "wrong type, list": (
        set_in(["reminders", "days_before_expiry"], "90, 30"),
        "reminders.days_before_expiry",
        "Not a valid list",
    ),
    "unknown check name in a level": (
        lambda d: d["levels"]["STANDARD"]["checks"].append("FINGERPRINTS"),
        "levels.STANDARD.checks[6]",
        "Unknown check 'FINGERPRINTS'",
    ),
    "unknown check name defined": (
        set_in(["checks", "FINGERPRINTS"], {"description": "x"}),
        "checks.FINGERPRINTS (name)",
        "Unknown check",
    ),
    "negative validity": (
        set_in(["levels", "STANDARD", "validity_months"], -1),
        "levels.STANDARD.validity_months",
        "greater than or equal to 1",
    ),
    "validity beyond re-vetting": (
        set_in(["levels", "ENHANCED", "validity_months"], 121),
        "levels.ENHANCED.validity_months",
        "less than or equal to 120",
    ),
    "level using an undefined check": (
        delete(["checks", "CTC"]),
        "levels.ENHANCED_CTC.checks",
        "CTC is not defined under `checks`",
    ),
    "access mapped to an undefined level": (
        set_in(["level_by_access", "UNESCORTED", "REGULAR"], "PLATINUM"),
        "level_by_access.UNESCORTED.REGULAR",
        "'PLATINUM' is not defined",
    ),
    "flag raising to an undefined level": (
        set_in(["establishment_rules", "high_security", "minimum_level"], "ENHANCED_PLUS"),
        "establishment_rules.high_security.minimum_level",
        "not defined",
    ),
    "DBS check without a DBS level": (
        set_in(["levels", "STANDARD", "dbs_level"], None),
        "levels.STANDARD.dbs_level",
        "exactly when",
    ),
    "unknown DBS level": (
        set_in(["levels", "STANDARD", "dbs_level"], "SUPER"),
        "levels.STANDARD.dbs_level",
        "Unknown DBS level 'SUPER'",
    ),
    "higher level dropping a check": (
        lambda d: d["levels"]["ENHANCED"]["checks"].remove("REFERENCES"),
        "levels.ENHANCED.checks",
        "missing REFERENCES",
    ),
    "typo in a field name": (
        set_in(["levels", "ENHANCED", "validty_months"], 36),
        "levels.ENHANCED.validty_months",
        "Unknown field",
    ),
    "thresholds the wrong way round": (
        set_in(["risk", "release", "refer_within_years"], 9),
        "risk.release.refer_within_years",
        "Must not exceed",
    ),
    "bad pattern": (
        lambda d: d["risk"]["offence_categories"][0]["patterns"].append("(unclosed"),
        "risk.offence_categories[0].patterns[4]",
        "Not a valid regular expression",
    ),
    "zero reminder": (
        set_in(["reminders", "days_before_expiry"], [30, 0]),
        "reminders.days_before_expiry[1]",
        "greater than or equal to 1",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_a_broken_policy_raises_policy_error_naming_the_field(tmp_path: Path, case: str) -> None:
    edit, field, message = BROKEN[case]
    error = load_broken(tmp_path, broken(edit))
    assert field in error.errors, error.errors
    assert any(message in m for m in error.errors[field]), error.errors[field]
    assert f"  - {field}: " in str(error)
    assert str(tmp_path / "policy.yaml") in str(error)


def test_an_unquoted_date_version_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(RAW).replace("version: 2026-12-2", "version: 2026-12-02"))
    with pytest.raises(PolicyError, match=r"version: Not a valid string; quote it"):
        load_policy(path)


@pytest.mark.parametrize(
    "text, message",
    [
        ("levels: [unclosed", "is not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("", "must be a mapping"),
    ],
)
def test_a_file_that_is_not_a_policy(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    with pytest.raises(PolicyError, match=message):
        load_policy(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="Cannot read vetting policy"):
        load_policy(tmp_path / "nope.yaml")


# --- required_level ----------------------------------------------------------------------------


def test_one_off_escorted_visit_takes_the_light_path_even_in_the_high_security_estate() -> None:
    decision = required_level(POLICY, "ESCORTED", "ONE_OFF", sites("BAI", "STI"))
    assert decision.level == "ESCORTED_VISITOR"
    assert decision.checks == ("IDENTITY",)
    assert decision.dbs_level is None
    assert any("light path" in reason for reason in decision.reasons)


def test_regular_unescorted_at_a_high_security_establishment_includes_ctc() -> None:
    decision = required_level(POLICY, "UNESCORTED", "REGULAR", sites("BAI"))
    assert decision.level == "ENHANCED_CTC"
    assert "CTC" in decision.checks
    assert any("BAI" in r and "high security" in r and "CTC" in r for r in decision.reasons)


def test_regular_unescorted_at_an_ordinary_prison_is_enhanced_without_ctc() -> None:
    decision = required_level(POLICY, "UNESCORTED", "REGULAR", sites("ASI"))
    assert (decision.level, decision.dbs_level) == ("ENHANCED", "ENHANCED")
    assert "CTC" not in decision.checks


def test_womens_estate_needs_enhanced_dbs_with_barred_lists() -> None:
    assert ESTABLISHMENTS["NHI"].womens_estate
    decision = required_level(POLICY, "ESCORTED", "REGULAR", sites("NHI"))
    assert decision.level == "STANDARD"
    assert decision.dbs_level == "ENHANCED_WITH_BARRED_LISTS"
    assert "DBS" in decision.checks
    assert any("women's estate" in reason for reason in decision.reasons)


@pytest.mark.parametrize("code", ["FMI", "WNI", "WYI"])
def test_an_establishment_holding_children_needs_the_barred_lists(code: str) -> None:
    assert "children_held" in establishment_flags(ESTABLISHMENTS[code])
    decision = required_level(POLICY, "UNESCORTED", "OCCASIONAL", sites(code))
    assert decision.dbs_level == "ENHANCED_WITH_BARRED_LISTS"
    assert any("holds children" in reason for reason in decision.reasons)


@pytest.mark.parametrize("code", ["WWI", "AYI", "ACI", "ASI"])
def test_a_yoi_for_adults_is_not_a_childrens_establishment(code: str) -> None:
    assert "children_held" not in establishment_flags(ESTABLISHMENTS[code])
    decision = required_level(POLICY, "ESCORTED", "REGULAR", sites(code))
    assert (decision.level, decision.dbs_level) == ("STANDARD", "STANDARD")


def test_few_establishments_need_the_barred_lists() -> None:
    barred = {
        code
        for code, site in ESTABLISHMENTS.items()
        if required_level(POLICY, "ESCORTED", "REGULAR", [site]).dbs_level
        == "ENHANCED_WITH_BARRED_LISTS"
    }
    women = {code for code, site in ESTABLISHMENTS.items() if site.womens_estate}
    assert barred == women | {"FMI", "WNI", "WYI"}


@pytest.mark.parametrize("frequency", FREQUENCIES)
def test_key_holding_at_an_ordinary_prison_is_enhanced_without_ctc(frequency: str) -> None:
    decision = required_level(POLICY, "KEY_HOLDING", frequency, sites("ASI"))
    assert (decision.level, decision.dbs_level) == ("ENHANCED", "ENHANCED")
    assert "CTC" not in decision.checks


def test_key_holding_in_the_high_security_estate_needs_ctc() -> None:
    decision = required_level(POLICY, "KEY_HOLDING", "REGULAR", sites("FKI"))
    assert decision.level == POLICY.highest_level.name
    assert set(decision.checks) == set(CHECKS)


def test_no_open_prison_is_in_the_high_security_estate() -> None:
    # Category D (open) prisons, men's and women's: Ford, Leyhill, Hollesley Bay, North Sea
    # Camp, Spring Hill, Standford Hill, Sudbury, Thorn Cross, Kirkham, Askham Grange, East Sutton.
    for code in ("FDI", "LYI", "HBI", "NSI", "SPI", "EHI", "SUI", "TCI", "KMI", "AGI", "ESI"):
        assert not ESTABLISHMENTS[code].high_security, code
        decision = required_level(POLICY, "KEY_HOLDING", "REGULAR", sites(code))
        assert "CTC" not in decision.checks, code


def test_unknown_access_or_frequency_is_refused() -> None:
    with pytest.raises(ValueError, match="access"):
        required_level(POLICY, "ROOFTOP", "REGULAR", [])
    with pytest.raises(ValueError, match="frequency"):
        required_level(POLICY, "ESCORTED", "DAILY", [])


def test_an_update_service_certificate_of_the_right_level_replaces_a_new_check() -> None:
    assert dbs_certificate_satisfies(POLICY, "ENHANCED_WITH_BARRED_LISTS", "ENHANCED")
    assert dbs_certificate_satisfies(POLICY, "ENHANCED", "ENHANCED")
    assert not dbs_certificate_satisfies(POLICY, "STANDARD", "ENHANCED")
    assert not dbs_certificate_satisfies(POLICY, None, "STANDARD")
    refusing = policy_from_mapping(broken(set_in(["dbs", "update_service_accepted"], False)))
    assert not dbs_certificate_satisfies(refusing, "ENHANCED", "ENHANCED")


requests = st.tuples(
    st.sampled_from(ACCESS_TYPES),
    st.sampled_from(FREQUENCIES),
    st.lists(st.sampled_from(sorted(ESTABLISHMENTS)), max_size=4),
    st.lists(st.sampled_from(sorted(ESTABLISHMENTS)), max_size=3),
)


@PROPERTY
@given(requests)
def test_establishments_only_ever_raise_the_level(request: tuple[Any, ...]) -> None:
    access, frequency, codes, more = request
    before = required_level(POLICY, access, frequency, sites(*codes))
    after = required_level(POLICY, access, frequency, sites(*codes, *more))
    assert rank(after.level) >= rank(before.level)
    assert dbs(after.dbs_level) >= dbs(before.dbs_level)
    assert set(after.checks) >= set(before.checks)
    base = POLICY.level(POLICY.level_by_access[access][frequency])
    assert rank(before.level) >= base.rank
    assert before.reasons and all(before.reasons)


@PROPERTY
@given(requests)
def test_flags_apply_to_every_level_but_the_light_path(request: tuple[Any, ...]) -> None:
    access, frequency, codes, _ = request
    decision = required_level(POLICY, access, frequency, sites(*codes))
    flags = set().union(*(establishment_flags(site) for site in sites(*codes)))
    light = (access, frequency) == ("ESCORTED", "ONE_OFF")
    assert POLICY.level(decision.level).light_path == light
    if light:
        assert decision.checks == ("IDENTITY",)
        return
    assert ("CTC" in decision.checks) == ("high_security" in flags)
    barred = bool(flags & {"womens_estate", "children_held"})
    assert (decision.dbs_level == "ENHANCED_WITH_BARRED_LISTS") == barred
    assert "DBS" in decision.checks
