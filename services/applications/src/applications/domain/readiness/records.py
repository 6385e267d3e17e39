"""Declared cautions and convictions the applicant need not have declared: protected
(filtered) under the DBS filtering rules, said in plain words so nobody is made to feel
they hid something (shared.offences holds the rules)."""

from __future__ import annotations

from datetime import date
from typing import Any

from applications.domain.readiness.problems import (
    Problem,
    as_date,
    entries,
    long_date,
    problem,
    section,
    text,
)
from shared.offences import CATEGORY_WORDS, category_of_text, filtering

NEED_NOT_DECLARE = (
    "Protected cautions and convictions need not be declared: any caution given under 18, an "
    "adult caution after 6 years, and a conviction that did not lead to a prison sentence "
    "(suspended or not) after 11 years (5 years 6 months if under 18), each conviction on its "
    "own, unless the offence is a serious one on the DBS list of specified offences (here: "
    "violence, sexual offences, robbery, weapons, criminal damage and arson)."
)


def protected_declarations(applicant: dict[str, Any], today: date) -> list[Problem]:
    """A flag (not blocking) on each declared record that is protected: it may stay, and
    leaving it out would not have counted against the applicant."""
    declared = list(entries(section(applicant.get("declarations")).get("convictions")))
    born = as_date(applicant.get("date_of_birth"))
    problems = []
    for index, record in declared:
        day = as_date(record.get("date"))
        if day is None or day > today:
            continue
        category = text(record.get("category")) or category_of_text(text(record.get("offence")))
        rule = filtering(
            kind=text(record.get("kind")) or "CONVICTION",
            category=category if category in CATEGORY_WORDS else None,
            disposal=text(record.get("disposal")),
            day=day,
            date_of_birth=born,
            today=today,
        )
        if rule.protected and rule.filtered_from is not None:
            problems.append(
                problem(
                    "DECLARATION_PROTECTED",
                    f"applicant.declarations.convictions[{index}]",
                    f"Conviction or caution {index + 1} ({long_date(day)}) is protected: "
                    f"{rule.reason}, so since {long_date(rule.filtered_from)} it need not be "
                    "declared. It can stay or be removed; either way it does not count "
                    "against the applicant.",
                )
            )
    return problems
