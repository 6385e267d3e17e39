"""The volunteer's three sections, each one page in the GOV.UK "add another" pattern: what they
have added so far (each with Remove), "Do you have one to add?", and the entry's own questions
when they say yes. "No" completes the section. Only a draft's sections can change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from marshmallow import ValidationError
from wtforms.fields.choices import SelectChoice

from applications.domain.lifecycle import DRAFT
from applications.models import Application
from applications.portal.blueprint import bp, door, now
from applications.portal.volunteer_forms import (
    DISPOSAL_WORDS,
    DOCUMENT_WORDS,
    KIND_WORDS,
    ConnectionForm,
    ConvictionForm,
    DeclarationsDoneForm,
    DocumentForm,
    MoreForm,
    date_text,
    place_errors,
)
from applications.portal.volunteer_views import volunteer_application
from applications.routes.app_context import establishments, readiness_policy
from applications.schemas.applicant import DeclarationsSchema
from applications.service_layer import submission, volunteer_sections
from shared.clock import today
from shared.errors import Conflict, Invalid
from shared.offences import CATEGORY_WORDS


@dataclass(frozen=True)
class Section:
    name: str
    title: str
    endpoint: str
    form: type[FlaskForm]
    add_title: str


SECTIONS = {
    "declarations": Section(
        "declarations",
        "Convictions and cautions",
        "portal.volunteer_declarations",
        ConvictionForm,
        "Add a conviction or caution",
    ),
    "connections": Section(
        "connections",
        "People you know in prison",
        "portal.volunteer_connections",
        ConnectionForm,
        "Add someone you know in prison",
    ),
    "identity_documents": Section(
        "identity_documents",
        "Identity documents",
        "portal.volunteer_documents",
        DocumentForm,
        "Add an identity document",
    ),
}


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else value


def entry_data(section: str, form: Any) -> dict[str, Any]:
    """What the entry form posted, in the API's applicant layout."""
    if section == "declarations":
        optional = {
            "category": _text(form.category.data),
            "sentence_length_months": _text(form.sentence_length_months.data),
            "spent": {"yes": True, "no": False}.get(form.spent.data or ""),
        }
        return {
            "kind": _text(form.kind.data),
            "offence": _text(form.offence.data),
            "date": date_text(form.date),
            "disposal": _text(form.disposal.data),
            # Unanswered optional questions are left out, as the API lets them be.
            **{k: v for k, v in optional.items() if v is not None},
        }
    if section == "connections":
        return {
            "name": _text(form.name.data),
            "relationship": _text(form.relationship.data),
            "establishment": _text(form.establishment.data),
        }
    return {
        "type": _text(form.type.data),
        "number": _text(form.number.data),
        "expiry": date_text(form.expiry),
    }


def _long(value: str | None) -> str:
    return f"{date.fromisoformat(value):%-d %B %Y}" if value else ""


def rows(section: str, application: Application, names: dict[str, str]) -> list[dict[str, str]]:
    """Each entry as a summary-list row (key, value)."""
    found = []
    for item in volunteer_sections.entries(application, section):
        if section == "declarations":
            kind = KIND_WORDS.get(item.get("kind", ""), "Entry").split(" (")[0]
            key = f"{kind}: {item.get('offence')}"
            value = f"{_long(item.get('date'))}, {DISPOSAL_WORDS.get(item.get('disposal', ''), '')}"
            if item.get("category"):
                value += f" ({CATEGORY_WORDS.get(item['category'], item['category'])})"
        elif section == "connections":
            key = str(item.get("name"))
            code = str(item.get("establishment"))
            value = f"Your {item.get('relationship')}, at {names.get(code, code)}"
        else:
            key = DOCUMENT_WORDS.get(item.get("type", ""), "Document")
            value = f"Number ending {str(item.get('number'))[-4:]}"
            if item.get("expiry"):
                value += f", expires {_long(item.get('expiry'))}"
        found.append({"key": key, "value": value})
    return found


def _complete(uow: Any, application: Application, section: str, form: Any) -> None:
    """ "No more to add": the section is complete (declarations: with the licence questions)."""
    if section != "declarations":
        volunteer_sections.complete(uow, application, section)
        return
    licence = form.on_licence.data
    if licence not in ("yes", "no"):
        form.on_licence.errors = ["Select yes if you are on licence or under supervision now."]
        raise Invalid("Check the answers.")
    try:
        loaded = DeclarationsSchema().load(
            {"on_licence": licence == "yes", "release_date": date_text(form.release_date)}
        )
    except ValidationError as exc:
        place_errors(form, exc.normalized_messages())
        raise Invalid("Check the answers.") from exc
    release = loaded.get("release_date")
    volunteer_sections.complete(
        uow,
        application,
        section,
        on_licence=loaded["on_licence"],
        release_date=release.isoformat() if release else None,
    )


def _page(section: Section):
    known = establishments()  # before the session: SQLite allows one transaction at a time
    names = {code: row.name for code, row in known.items()}
    adding = request.args.get("add") == "1"
    action = request.form.get("action") if request.method == "POST" else None
    with volunteer_application(lock=request.method == "POST") as (uow, application):
        editable = application.status == DRAFT
        entry = section.form()
        if section.name == "connections":
            entry.establishment.choices = [
                SelectChoice("", "Choose a prison"),
                *(SelectChoice(c, n) for c, n in sorted(names.items(), key=lambda pair: pair[1])),
            ]
        done = DeclarationsDoneForm() if section.name == "declarations" else MoreForm()
        status = 200
        if action is not None:
            if not editable:
                raise Conflict(
                    "Your application has been sent to vetting: it can no longer change."
                )
            try:
                if action == "remove":
                    index = request.form.get("index", "")
                    volunteer_sections.remove_entry(
                        application, section.name, int(index) if index.isdigit() else -1, now()
                    )
                    return redirect(url_for(section.endpoint))
                if action == "add":
                    adding = True
                    volunteer_sections.add_entry(
                        application, section.name, entry_data(section.name, entry), now()
                    )
                    return redirect(url_for(section.endpoint))
                if done.more.data == "yes":
                    return redirect(url_for(section.endpoint, add="1"))
                if done.more.data != "no":
                    done.more.errors = ["Select yes if you have one to add."]
                    raise Invalid("Check the answers.")
                _complete(uow, application, section.name, done)
                flash(f"{section.title}: saved and complete.", "success")
                return redirect(url_for("portal.volunteer_home"))
            except Invalid as exc:
                if action == "add":
                    place_errors(entry, exc.errors)
                status = 422
        problems = volunteer_sections.section_problems(
            submission.volunteer_problems(application, known, readiness_policy(), today(uow.clock)),
            section.name,
        )
        completed = section.name in ((application.volunteer_sections or {}).get("completed") or {})
        html = render_template(
            f"portal/volunteer/{section.name}.html",
            section=section,
            rows=rows(section.name, application, names),
            entry=entry,
            done=done,
            adding=adding and editable,
            editable=editable,
            completed=completed,
            problems=problems,
            error=status != 200,
        )
        return html, status


@bp.route("/volunteer/declarations", methods=["GET", "POST"])
@door.open_view
def volunteer_declarations():
    return _page(SECTIONS["declarations"])


@bp.route("/volunteer/connections", methods=["GET", "POST"])
@door.open_view
def volunteer_connections():
    return _page(SECTIONS["connections"])


@bp.route("/volunteer/identity-documents", methods=["GET", "POST"])
@door.open_view
def volunteer_documents():
    return _page(SECTIONS["identity_documents"])
