"""A person's name and date of birth as typed into a console form (finding a person, the gate
check without a badge). A date of birth is GOV.UK's date input: day, month and year, three
boxes under one name."""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

MAX_NAME = 200


def date_parts(form: MultiDict, name: str) -> list[str]:
    """What was typed in the day, month and year boxes (three strings, perhaps empty)."""
    parts = [part.strip() for part in form.getlist(name)][:3]
    return parts + [""] * (3 - len(parts))


def date_of_birth(form: MultiDict, name: str, errors: dict[str, list[str]]) -> date | None:
    """The date typed, None if nothing was; a message in `errors` if it is not a real date
    in the past."""
    day, month, year = date_parts(form, name)
    if not (day or month or year):
        return None
    if not (day and month and year):
        missing = [
            part for part, value in (("day", day), ("month", month), ("year", year)) if not value
        ]
        errors[name] = [f"Date of birth must include a {' and a '.join(missing)}."]
        return None
    try:
        born = date(int(year), int(month), int(day))
    except ValueError:
        errors[name] = ["Date of birth must be a real date, for example 27 3 1980."]
        return None
    if len(year) != 4 or born.year < 1900:
        errors[name] = ["Date of birth must have a 4-digit year, for example 1980."]
        return None
    return born


def person_name(form: MultiDict, name: str, errors: dict[str, list[str]]) -> str:
    text = " ".join((form.get(name) or "").split())
    if len(text) > MAX_NAME:
        errors[name] = [f"The name must be {MAX_NAME} characters or fewer."]
    return text
