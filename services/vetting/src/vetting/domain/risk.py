"""The risk summary: factors found in the declarations, check results and connections, each
naming its evidence, and a recommendation.

The recommendation NEVER decides by itself: it orders the officer's queue and says what to
look at. A person decides every case; a refusal needs a second officer. Pure: no I/O, and the
result does not depend on the order of any input list.

Inputs (the shapes the applications service stores):
- declarations: {"convictions": [{kind, offence, category?, date, disposal}], "on_licence": bool,
  "release_date": date | None}
- check_results: records found by the CRIMINAL_RECORD / DBS checks: [{offence, category?, date,
  disposal, kind?, source?}] ("source", the check that found it, is named in the evidence)
- connections: [{name, relationship, establishment}]; requested_establishments: codes.

Matching rule (honesty): a found record is declared when some declaration has the same offence
category (given, or read from the words by shared.offences.category_of_text; with no category
known, the same offence text, case and spacing ignored) and a date within the
policy's undeclared_match_window_days (90) either way: a lay description of the same offence is
a match. Kind and disposal are not compared: a caution declared as a conviction is not
concealment. One record found by several checks (same category and date) is ONE record, its
sources listed; one declaration covers it. An undeclared record that is protected under the
DBS filtering rules (shared.offences.filtering) need not have been declared: no honesty factor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from vetting.domain.policy import Policy, Thresholds
from vetting.domain.records import compare, day_of

RECOMMENDATIONS = ("CLEAR", "CLEAR_WITH_CONDITIONS", "REFER", "REFUSE")  # least severe first
SEVERITIES = {"CLEAR_WITH_CONDITIONS": "MEDIUM", "REFER": "HIGH", "REFUSE": "CRITICAL"}
ESCORTED_ONLY = "ESCORTED_ONLY"
EXCLUDE = "EXCLUDE_ESTABLISHMENT:"
FACTOR_CODES = (
    "UNMANAGEABLE_OFFENCE",
    "UNDECLARED_RECORD",
    "ON_LICENCE",
    "RECENT_OFFENCE",
    "RECENT_RELEASE",
    "NO_ESTABLISHMENT_LEFT",
    "CONNECTION_AT_ESTABLISHMENT",
)
PLAIN = {
    "UNMANAGEABLE_OFFENCE": "unmanageable-risk offence",
    "UNDECLARED_RECORD": "undeclared record",
    "ON_LICENCE": "on licence",
    "RECENT_OFFENCE": "recent offence",
    "RECENT_RELEASE": "recent release",
    "NO_ESTABLISHMENT_LEFT": "no requested establishment left",
    "CONNECTION_AT_ESTABLISHMENT": "connection at a requested establishment",
}
# The same, where a summary counts more than one.
PLURAL = {
    "UNMANAGEABLE_OFFENCE": "unmanageable-risk offences",
    "UNDECLARED_RECORD": "undeclared records",
    "ON_LICENCE": "licences still running",
    "RECENT_OFFENCE": "recent offences",
    "RECENT_RELEASE": "recent releases",
    "NO_ESTABLISHMENT_LEFT": "no requested establishment left",
    "CONNECTION_AT_ESTABLISHMENT": "connections at requested establishments",
}


@dataclass(frozen=True)
class Factor:
    code: str
    severity: str  # MEDIUM | HIGH | CRITICAL, from what the factor recommends
    evidence: str  # names the record, date or establishment
    recommends: str
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskSummary:
    factors: tuple[Factor, ...]  # most severe first
    recommendation: str
    conditions: tuple[str, ...]
    rationale: str
    policy_version: str


def severity_rank(recommendation: str) -> int:
    return RECOMMENDATIONS.index(recommendation)


def factor(code: str, recommends: str, evidence: str, conditions: Iterable[str] = ()) -> Factor:
    return Factor(code, SEVERITIES[recommends], evidence, recommends, tuple(sorted(conditions)))


def recommend(factors: Iterable[Factor]) -> tuple[str, tuple[str, ...]]:
    """The most severe recommendation of any factor (CLEAR if none); conditions accumulate."""
    found = list(factors)
    recommendation = max((f.recommends for f in found), key=severity_rank, default="CLEAR")
    conditions = tuple(sorted({c for f in found for c in f.conditions}))
    return recommendation, conditions


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def _recency(thresholds: Thresholds, since: date, today: date) -> str | None:
    """REFER, CLEAR_WITH_CONDITIONS or None (old enough) for an event on `since`."""
    if today < _add_years(since, thresholds.refer_within_years):
        return "REFER"
    if today < _add_years(since, thresholds.escorted_only_within_years):
        return "CLEAR_WITH_CONDITIONS"
    return None


def _recency_factor(
    code: str, thresholds: Thresholds, since: date, today: date, what: str
) -> Factor | None:
    band = _recency(thresholds, since, today)
    if band is None:
        return None
    years = (
        thresholds.refer_within_years if band == "REFER" else thresholds.escorted_only_within_years
    )
    return factor(
        code,
        band,
        f"{what}: less than {years} year(s) before {today.isoformat()}.",
        [ESCORTED_ONLY] if band == "CLEAR_WITH_CONDITIONS" else [],
    )


def assess(
    declarations: Mapping[str, Any] | None,
    check_results: Iterable[Mapping[str, Any]],
    connections: Iterable[Mapping[str, Any]],
    requested_establishments: Iterable[str],
    policy: Policy,
    today: date,
    date_of_birth: date | None = None,
) -> RiskSummary:
    """The risk factors and the recommendation. A recommendation only: a person decides.
    `date_of_birth` tells a caution or conviction given under 18 (unknown: adult)."""
    declarations = declarations or {}
    compared = compare(
        declarations.get("convictions") or (),
        check_results,
        policy.risk.undeclared_match_window_days,
        date_of_birth,
        today,
    )
    factors: set[Factor] = set()
    for finding in compared.undeclared:
        factors.add(
            factor(
                "UNDECLARED_RECORD",
                "REFER",
                f"Checks found {finding.record.describe()}, which matches no declaration and is "
                "not protected by the DBS filtering rules (honesty).",
            )
        )
    # Each offence once: what the checks found (the official wording, which a lay description
    # may not share) and the declarations no check found.
    for record in compared.everything:
        what = _upper_first(record.describe())
        categories = tuple(
            c
            for c in policy.risk.offence_categories
            if any(c.matches(w) for w in (record.offence, *record.wordings))
        )
        for category in categories:
            if category.unmanageable:
                factors.add(
                    factor(
                        "UNMANAGEABLE_OFFENCE",
                        "REFUSE",
                        f"{what} is in the unmanageable-risk category {category.name}.",
                    )
                )
        named = [c.name for c in categories if c.thresholds is not None]
        recent = _recency_factor(
            "RECENT_OFFENCE",
            policy.risk.offence_thresholds(categories),
            record.day,
            today,
            what + (f" [{', '.join(named)}]" if named else ""),
        )
        if recent is not None:
            factors.add(recent)
    if declarations.get("on_licence"):
        factors.add(factor("ON_LICENCE", "REFER", "Declared as currently on licence."))
    release = declarations.get("release_date")
    if release is not None:
        recent = _recency_factor(
            "RECENT_RELEASE",
            policy.risk.release,
            day_of(release),
            today,
            f"Released from custody on {day_of(release).isoformat()}",
        )
        if recent is not None:
            factors.add(recent)
    requested = {code.upper() for code in requested_establishments}
    excluded: set[str] = set()
    for connection in connections:
        code = str(connection["establishment"]).upper()
        if code in requested:
            excluded.add(code)
            factors.add(
                factor(
                    "CONNECTION_AT_ESTABLISHMENT",
                    "CLEAR_WITH_CONDITIONS",
                    f"Connection with {connection['name']} "
                    f"({connection['relationship']}) at {code}, a requested "
                    f"establishment.",
                    [EXCLUDE + code],
                )
            )
    if requested and excluded >= requested:
        factors.add(
            factor(
                "NO_ESTABLISHMENT_LEFT",
                "REFER",
                f"Every requested establishment ({', '.join(sorted(requested))}) "
                "would be excluded because of a connection.",
            )
        )
    ordered = tuple(
        sorted(
            factors,
            key=lambda f: (
                -severity_rank(f.recommends),
                FACTOR_CODES.index(f.code),
                f.evidence,
                f.conditions,
            ),
        )
    )
    recommendation, conditions = recommend(ordered)
    return RiskSummary(
        ordered, recommendation, conditions, rationale(ordered, recommendation), policy.version
    )


def rationale(factors: tuple[Factor, ...], recommendation: str) -> str:
    if not factors:
        found = "no risk factor in the declarations, check results or connections"
    else:
        counts = {code: sum(f.code == code for f in factors) for code in FACTOR_CODES}
        found = ", ".join(
            f"{n} {(PLAIN if n == 1 else PLURAL)[code]}" for code, n in counts.items() if n
        )
    second = " (a refusal needs a second officer)" if recommendation == "REFUSE" else ""
    return (
        f"{recommendation} recommended: {found}. A recommendation only: "
        f"a vetting officer decides{second}."
    )
