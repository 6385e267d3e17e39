"""A clearance's conditions: the establishments they exclude, what an organisation is shown
of them (never which establishment excludes the person), and the terms an officer sets beside
them (conditions from the policy's list or in their words, a shorter validity, a review date)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from vetting.domain.risk import EXCLUDE

# What the organisation is shown instead of an exclusion (which names an establishment).
RESTRICTIONS_APPLY = "ESTABLISHMENT_RESTRICTIONS_APPLY"


def excluded(conditions: list[str]) -> set[str]:
    return {c.removeprefix(EXCLUDE) for c in conditions if c.startswith(EXCLUDE)}


def organisation_conditions(conditions: list[str]) -> list[str]:
    kept = [c for c in conditions if not c.startswith(EXCLUDE)]
    return [*kept, RESTRICTIONS_APPLY] if len(kept) < len(conditions) else kept


# An officer's own condition, in their words, beside the policy's managed list.
OTHER = "OTHER"


@dataclass(frozen=True)
class Terms:
    """What an officer may set beside the level: conditions from the policy's managed list (and
    one in their words), fewer months than the level's validity, an earlier review date."""

    condition_codes: tuple[str, ...] = ()
    other_condition: str | None = None
    validity_months: int | None = None
    review_on: date | None = None

    def as_dict(self) -> dict[str, Any]:
        """For a proposal waiting on a countersignature (JSON)."""
        return {
            "condition_codes": list(self.condition_codes),
            "other_condition": self.other_condition,
            "validity_months": self.validity_months,
            "review_on": self.review_on.isoformat() if self.review_on else None,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Terms:
        data = data or {}
        review_on = data.get("review_on")
        return cls(
            tuple(data.get("condition_codes") or ()),
            data.get("other_condition"),
            data.get("validity_months"),
            date.fromisoformat(review_on) if review_on else None,
        )


def terms_problems(
    terms: Terms,
    managed: Mapping[str, str],
    other_max_length: int,
    level_months: int,
    today: date,
    expires_on: date,
) -> dict[str, list[str]]:
    """Field -> what is wrong with the terms ({} when none): codes off the list, an "other"
    condition blank or too long, a validity longer than the level's, a review date that is
    not between tomorrow and the clearance's last day."""
    problems: dict[str, list[str]] = {}
    unknown = [code for code in terms.condition_codes if code not in managed]
    if unknown:
        problems["condition_codes"] = [
            f"{code!r} is not on the policy's list: one of {', '.join(managed) or '(none)'}."
            for code in unknown
        ]
    if terms.other_condition is not None:
        text = terms.other_condition.strip()
        if not text:
            problems["other_condition"] = ["Write the condition, or leave it out."]
        elif len(text) > other_max_length:
            problems["other_condition"] = [f"At most {other_max_length} characters."]
    if terms.validity_months is not None and not 1 <= terms.validity_months <= level_months:
        problems["validity_months"] = [
            f"Between 1 and {level_months} months: the level's validity, never longer."
        ]
    if terms.review_on is not None and not today < terms.review_on < expires_on:
        problems["review_on"] = [
            f"A date after today and before the clearance ends ({expires_on.isoformat()})."
        ]
    return problems


def custom_conditions(terms: Terms, managed: Mapping[str, str]) -> list[dict[str, str]]:
    """The conditions as stored and carried to the prisons: each with the words they show."""
    # A proposal countersigned after the list changed keeps the code as its words.
    chosen = [
        {"code": code, "text": managed.get(code, code)}
        for code in dict.fromkeys(terms.condition_codes)
    ]
    if terms.other_condition and terms.other_condition.strip():
        chosen.append({"code": OTHER, "text": terms.other_condition.strip()})
    return chosen


def connection_establishments(
    applicant: Mapping[str, Any] | None, establishments: Iterable[str]
) -> list[str]:
    """The establishments (of those given) where the applicant declared a connection with
    someone held there: the fact and the code only, never who."""
    details = (applicant or {}).get("details")
    declared = details.get("connections") if isinstance(details, Mapping) else None
    codes = {
        str(entry.get("establishment"))
        for entry in declared or ()
        if isinstance(entry, Mapping) and entry.get("establishment")
    }
    return sorted(codes & set(establishments))
