"""A draft as its pages read it: a copy of the application taken in one short session, the
answers each page shows, the request bodies a page's answers make (the API's shape), and the
readiness problems each page fixes."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from applications.domain.readiness import Problem
from applications.models import Application
from applications.portal.blueprint import platform
from applications.portal.draft_steps import Question, page_for
from applications.routes.app_context import readiness_policy
from applications.service_layer import submission
from shared.clock import today

SECTIONS = ("applicant", "role", "establishments", "requested_access", "frequency")


@dataclass(frozen=True)
class Draft:
    id: str
    status: str
    application: dict[str, Any]  # the sections the API takes, as stored (dates ISO)
    volunteer_sections: dict[str, Any] | None
    establishments: Mapping[str, Any]  # the known ones, by code

    @classmethod
    def of(cls, application: Application, known: Mapping[str, Any]) -> Draft:
        return cls(
            id=application.id,
            status=application.status,
            application=copy.deepcopy(
                {
                    "applicant": application.applicant or {},
                    "role": application.role,
                    "establishments": list(application.establishments or []),
                    "requested_access": application.requested_access,
                    "frequency": application.frequency,
                    "group_name": application.group_name,
                    "area": application.area,
                }
            ),
            volunteer_sections=application.volunteer_sections,
            establishments=known,
        )

    @property
    def reference(self) -> str:
        # The one notifications quotes in its emails (the first 8 characters of the id).
        return self.id[:8].upper()

    @property
    def applicant(self) -> dict[str, Any]:
        found: dict[str, Any] = self.application["applicant"]
        return found

    @property
    def name(self) -> str | None:
        parts = (self.applicant.get("forenames"), self.applicant.get("surname"))
        return " ".join(p for p in parts if p) or None

    def _at(self, path: Sequence[str]) -> Any:
        node: Any = self.application
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        return node

    def section(self, question: Question) -> dict[str, Any]:
        """What a (not listed) page shows: the mapping its answers sit in."""
        found = self._at(question.path)
        return found if isinstance(found, dict) else {}

    def entries(self, question: Question) -> list[Any]:
        found = self._at(question.path)
        return list(found) if isinstance(found, list) else []

    def count(self, question: Question) -> int:
        return len(self.entries(question))

    def entry(self, question: Question, index: int) -> dict[str, Any]:
        item = self.entries(question)[index]
        if question.scalar:
            return {question.scalar: item}
        return item if isinstance(item, dict) else {}

    def gaps(self) -> list[dict[str, Any]]:
        found = self.applicant.get("address_gap_explanations")
        return [g for g in found if isinstance(g, dict)] if isinstance(found, list) else []

    def with_answer(self, question: Question, index: int, values: dict[str, Any]) -> dict[str, Any]:
        """The request body for this page's answers (an item page: the whole list, the item
        replaced or added)."""
        if not question.listed:
            return _nest(question.path, values)
        items = self.entries(question)
        item = values[question.scalar] if question.scalar else values
        if index < len(items):
            items[index] = item
        else:
            items.append(item)
        return _nest(question.path, items)

    def without(self, question: Question, index: int) -> dict[str, Any]:
        items = self.entries(question)
        del items[index]
        return _nest(question.path, items)

    def messages_for(
        self, question: Question, index: int, messages: Mapping[str, Any]
    ) -> dict[str, str]:
        """The schema's (nested) messages as one per form field; anything elsewhere (another
        item of the list, say) under "" for the top of the page."""
        node: Any = messages
        for key in (*question.path, *((index,) if question.listed else ())):
            node = node.get(key) if isinstance(node, Mapping) else None
        found: dict[str, str] = {}
        if question.scalar and node is not None:
            found[question.scalar] = " ".join(_flat(node))
        elif isinstance(node, Mapping):
            found.update({str(name): " ".join(_flat(texts)) for name, texts in node.items()})
        elsewhere = [t for t in _flat(messages) if t not in found.values()]
        if elsewhere:
            found[""] = " ".join(elsewhere)
        return found


def _nest(path: Sequence[str], value: Any) -> dict[str, Any]:
    for key in reversed(path):
        value = {key: value}
    nested: dict[str, Any] = value
    return nested


# marshmallow's own words, as GOV.UK's error messages say them.
PLAIN = {
    "Not a valid email address.": "Enter an email address in the correct format, like "
    "name@example.com.",
    "Not a valid integer.": "Enter a whole number, like 5.",
    "Missing data for required field.": "Enter an answer.",
}


def _flat(messages: Any) -> list[str]:
    if isinstance(messages, str):
        return [PLAIN.get(messages, messages)]
    if isinstance(messages, Mapping):
        return [text for value in messages.values() for text in _flat(value)]
    return [text for value in messages for text in _flat(value)]


def draft_problems(draft: Draft) -> list[Problem]:
    """The readiness check, as the API's GET /applications/<id>/readiness runs it."""
    application = SimpleNamespace(**draft.application)
    return submission.readiness(
        application, draft.establishments, readiness_policy(), today(platform().clock)
    )


def problems_of_page(problems: list[Problem], slug: str) -> list[Problem]:
    """What a page shows as it is visited again: its problems, less "not given" ones (a page
    says what is missing when it is saved)."""
    return [p for p in problems if page_for(p.field) == slug and not p.code.startswith("MISSING_")]


def problems_of_item(problems: list[Problem], question: Question, index: int) -> list[Problem]:
    where = f"{'.'.join(question.path)}[{index}]"
    return [p for p in problems if p.field == where or p.field.startswith((f"{where}.",))]
