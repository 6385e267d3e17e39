"""Rules about where the applicant asks to go: the establishments, and connections there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from applications.domain.readiness.problems import Problem, entries, problem, section, text


def named(code: str, known: Mapping[str, Any]) -> str:
    """'Wandsworth (HMP) (WWI)' from an Establishment (or a mapping with a name), else 'WWI'."""
    found = known.get(code)
    name = getattr(found, "name", None) or section(found).get("name")
    return f"{name} ({code})" if name else code


def requested(application: dict[str, Any]) -> list[Any]:
    codes = application.get("establishments")
    return list(codes) if isinstance(codes, list | tuple) else []


def requested_establishments(
    application: dict[str, Any], known: Mapping[str, Any]
) -> list[Problem]:
    codes = requested(application)
    if not codes:
        return [
            problem(
                "NO_ESTABLISHMENT",
                "establishments",
                "No establishment is requested. Choose at least one establishment "
                "(prison) the applicant will go into.",
            )
        ]
    problems, seen = [], set()
    for index, code in enumerate(codes):
        if not isinstance(code, str) or code not in known:
            problems.append(
                problem(
                    "UNKNOWN_ESTABLISHMENT",
                    f"establishments[{index}]",
                    f"'{code}' is not an establishment code we know. Use the code from the "
                    "establishments list (for example WWI for Wandsworth).",
                )
            )
        elif code in seen:
            problems.append(
                problem(
                    "DUPLICATE_ESTABLISHMENT",
                    f"establishments[{index}]",
                    f"{named(code, known)} is requested more than once. Remove the repeat.",
                )
            )
        else:
            seen.add(code)
    return problems


def connections(application: dict[str, Any], known: Mapping[str, Any]) -> list[Problem]:
    """A connection where the applicant asks to go is a flag, not a bar: the vetting team
    decides (it may exclude that establishment). One elsewhere, at a code we do not know, is a
    mistake: a mistyped code would hide a connection at a requested establishment."""
    codes = {code for code in requested(application) if isinstance(code, str)}
    problems = []
    for index, connection in entries(section(application.get("applicant")).get("connections")):
        code = text(connection.get("establishment"))
        if code in codes:
            relationship = text(connection.get("relationship"))
            problems.append(
                problem(
                    "CONNECTION_AT_REQUESTED_ESTABLISHMENT",
                    f"applicant.connections[{index}].establishment",
                    f"Connection {index + 1}"
                    + (f" (the applicant's {relationship})" if relationship else "")
                    + f" is held at {named(code, known)}, which this application asks to go into. "
                    "This does not stop submission: the vetting team will consider it and may "
                    "clear the applicant for other establishments only.",
                )
            )
        elif code and code not in known:
            problems.append(
                problem(
                    "UNKNOWN_CONNECTION_ESTABLISHMENT",
                    f"applicant.connections[{index}].establishment",
                    f"Connection {index + 1} is held at '{code}', which is not an establishment "
                    "code we know. Use the code from the establishments list (for example WWI "
                    "for Wandsworth).",
                )
            )
    return problems
