"""The sections the volunteer fills in through their own link (declarations of convictions and
cautions, connections with people in custody, identity document numbers), and what the
organisation may know of them once they are the volunteer's: only whether each is complete.

`application.volunteer_sections` is None while the organisation fills in everything itself;
once a link is sent it is {"sections": [name], "completed": {name: ISO time}}. From then on the
organisation's views drop the sections' content, its readiness problems about them become one
plain "needs attention" per section, and its changes to them are refused. Vetting still gets
everything in application.submitted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError

from applications.domain.lifecycle import DRAFT
from applications.domain.readiness.problems import Problem
from applications.models import Application
from applications.schemas.applicant import (
    ConnectionSchema,
    ConvictionSchema,
    IdentityDocumentSchema,
)
from applications.service_layer.records import add_timeline
from shared.errors import Conflict, Invalid
from shared.uow import UnitOfWork

SECTIONS = ("declarations", "connections", "identity_documents")
WORDS = {
    "declarations": "convictions and cautions",
    "connections": "connections with people in custody",
    "identity_documents": "identity documents",
}
COMPLETE, NEEDS_ATTENTION = "COMPLETE", "NEEDS_ATTENTION"
NEEDS_ATTENTION_CODE = "VOLUNTEER_SECTION_NEEDS_ATTENTION"
# One entry of each list section, as the API's applicant schema loads it.
ENTRY_SCHEMAS: dict[str, Schema] = {
    "declarations": ConvictionSchema(),
    "connections": ConnectionSchema(),
    "identity_documents": IdentityDocumentSchema(),
}


def is_volunteers(application: Any) -> bool:
    return getattr(application, "volunteer_sections", None) is not None


def _section_of(field: str) -> str | None:
    for name in SECTIONS:
        if field == f"applicant.{name}" or field.startswith(
            (f"applicant.{name}.", f"applicant.{name}[")
        ):
            return name
    return None


def section_problems(problems: Iterable[Problem], section: str) -> list[Problem]:
    """The readiness problems about one section (the volunteer's pages show them in full)."""
    return [p for p in problems if _section_of(p.field) == section]


def section_statuses(application: Any, problems: Iterable[Problem] = ()) -> dict[str, str]:
    """Per section, COMPLETE or NEEDS_ATTENTION (not finished by the volunteer, or a blocking
    problem in it); empty while the organisation fills in the sections itself."""
    state = getattr(application, "volunteer_sections", None)
    if state is None:
        return {}
    troubled = {_section_of(p.field) for p in problems if p.blocking}
    completed = state.get("completed") or {}
    return {
        name: COMPLETE if name in completed and name not in troubled else NEEDS_ATTENTION
        for name in state.get("sections", SECTIONS)
    }


def organisation_problems(application: Any, problems: list[Problem]) -> list[Problem]:
    """The readiness problems as the organisation may see them: about the volunteer's sections,
    one plain problem per section that needs attention, never what is wrong in it (a code or a
    flag would tell of a conviction or a connection)."""
    if not is_volunteers(application):
        return problems
    statuses = section_statuses(application, problems)
    kept = [p for p in problems if _section_of(p.field) is None]
    for name, status in statuses.items():
        if status == NEEDS_ATTENTION:
            kept.append(
                Problem(
                    NEEDS_ATTENTION_CODE,
                    f"applicant.{name}",
                    f"The volunteer's {WORDS[name]} need attention: the volunteer completes "
                    "this part through their own link. Send them the link again if they "
                    "need it.",
                    True,
                )
            )
    return kept


def redacted_applicant(application: Any) -> dict[str, Any]:
    """The applicant document as the organisation sees it."""
    applicant: dict[str, Any] = application.applicant or {}
    if not is_volunteers(application):
        return applicant
    return {key: value for key, value in applicant.items() if key not in SECTIONS}


def refuse_organisation_changes(application: Application, applicant: dict[str, Any]) -> None:
    """Once sections are the volunteer's, the organisation cannot write them."""
    if not is_volunteers(application):
        return
    touched = sorted(name for name in SECTIONS if name in applicant)
    if touched:
        raise Conflict(
            "The volunteer completes their "
            + ", ".join(WORDS[name] for name in touched)
            + " through their own link: the organisation cannot change them.",
            {f"applicant.{name}": ["Completed by the volunteer."] for name in touched},
        )


def hand_over(application: Application) -> None:
    """The sections become the volunteer's (a re-sent link keeps what they completed)."""
    state = application.volunteer_sections or {}
    application.volunteer_sections = {
        "sections": list(SECTIONS),
        "completed": dict(state.get("completed") or {}),
    }


def entries(application: Application, section: str) -> list[dict[str, Any]]:
    """What the volunteer has given in a section so far (the document's stored form)."""
    applicant = application.applicant or {}
    if section == "declarations":
        return list((applicant.get("declarations") or {}).get("convictions") or [])
    return list(applicant.get(section) or [])


def _editable(application: Application) -> None:
    if application.status != DRAFT:
        raise Conflict("The application has been submitted: these answers can no longer change.")


def _store(application: Application, section: str, items: list[dict[str, Any]]) -> None:
    applicant = json.loads(json.dumps(application.applicant or {}))
    if section == "declarations":
        applicant["declarations"] = {**(applicant.get("declarations") or {}), "convictions": items}
    else:
        applicant[section] = items
    application.applicant = applicant


def _uncomplete(application: Application, section: str) -> None:
    state = application.volunteer_sections or {"sections": list(SECTIONS), "completed": {}}
    completed = {k: v for k, v in (state.get("completed") or {}).items() if k != section}
    application.volunteer_sections = {**state, "completed": completed}


def add_entry(
    application: Application, section: str, data: dict[str, Any], moment: datetime
) -> None:
    """One more entry, validated by the API's schema (Invalid with field errors)."""
    _editable(application)
    schema = ENTRY_SCHEMAS[section]
    try:
        loaded = schema.load(data)
    except ValidationError as exc:
        raise Invalid("Check the answers.", exc.normalized_messages()) from exc
    items = entries(application, section)
    items.append(schema.dump(loaded))
    _store(application, section, items)
    _uncomplete(application, section)
    application.updated_at = moment


def remove_entry(application: Application, section: str, index: int, moment: datetime) -> None:
    _editable(application)
    items = entries(application, section)
    if not 0 <= index < len(items):
        raise Conflict("That entry is no longer there.")
    del items[index]
    _store(application, section, items)
    _uncomplete(application, section)
    application.updated_at = moment


def complete(
    uow: UnitOfWork,
    application: Application,
    section: str,
    *,
    on_licence: bool | None = None,
    release_date: str | None = None,
) -> None:
    """The volunteer has nothing more to add: the section is complete (declarations also say
    whether they are on licence, and their last release date). The organisation's timeline
    says the section is done, never what is in it."""
    _editable(application)
    moment = uow.now()
    if section == "declarations":
        applicant = json.loads(json.dumps(application.applicant or {}))
        declared = applicant.get("declarations") or {}
        applicant["declarations"] = {
            "convictions": declared.get("convictions") or [],
            "on_licence": bool(on_licence),
            "release_date": release_date,
        }
        application.applicant = applicant
    elif section not in (application.applicant or {}):
        _store(application, section, [])
    state = application.volunteer_sections or {"sections": list(SECTIONS), "completed": {}}
    application.volunteer_sections = {
        **state,
        "completed": {**(state.get("completed") or {}), section: moment.isoformat()},
    }
    application.updated_at = moment
    add_timeline(
        uow.session, application.id, "volunteer_section_completed", {"section": section}, moment
    )
