"""The draft's question pages, as data: each page's slug, question, form, where its answers sit
in the API's request body (ApplicationInputSchema), which answers it cannot leave blank, and
which readiness problems it fixes. The views (draft_views) only run these."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_wtf import FlaskForm

from applications.domain.readiness.addresses import is_abroad
from applications.portal import draft_forms as forms

# The sections the volunteer completes through their own link (never a page of the draft).
VOLUNTEER = "volunteer"


@dataclass(frozen=True)
class Question:
    """One page. `path`: where its answers sit in the request body (the applicant's contact is
    ("applicant", "contact")); `listed`: the path holds a list and the page edits one item of it
    (?item=N, or a new one); `scalar`: the item is this one field's value, not a mapping."""

    slug: str
    title: str
    form: type[FlaskForm]
    path: tuple[str, ...]
    required: Mapping[str, str] = field(default_factory=dict)
    listed: bool = False
    scalar: str | None = None
    summary: str | None = None  # an item page: its "add another" page
    hint: str | None = None
    check: Callable[[dict[str, Any]], dict[str, str]] | None = None


@dataclass(frozen=True)
class Collection:
    """An "add another" page: what is there, change or add one, then on."""

    slug: str
    title: str
    item: str  # the item page's slug
    noun: str  # "prison", "address", "referee"
    another: str  # the yes/no question


def _middle_names(values: dict[str, Any]) -> dict[str, str]:
    if values.get("middle_names") and values.get("no_middle_name"):
        return {"no_middle_name": "Either enter their middle names or tick 'no middle name'."}
    if not values.get("middle_names") and not values.get("no_middle_name"):
        return {"middle_names": "Enter their middle names, or tick 'They have no middle name'."}
    return {}


def _address(values: dict[str, Any]) -> dict[str, str]:
    """A UK address has a first line and a postcode; one abroad (a country) has no postcode."""
    if is_abroad(values):
        if values.get("postcode"):
            return {"postcode": "Leave the postcode empty for an address outside the UK."}
        return {}
    wanted = {"line1": "Enter the first line of the address.", "postcode": "Enter the postcode."}
    return {name: message for name, message in wanted.items() if not values.get(name)}


QUESTIONS: dict[str, Question] = {
    q.slug: q
    for q in (
        Question(
            "prison",
            "Which prison will they go into?",
            forms.PrisonForm,
            ("establishments",),
            {"establishment": "Select a prison from the list."},
            listed=True,
            scalar="establishment",
            summary="prisons",
            hint="Start typing the prison's name, then choose it from the list.",
        ),
        Question(
            "access",
            "What access do they need?",
            forms.AccessForm,
            (),
            {"requested_access": "Select the access they need."},
        ),
        Question(
            "frequency",
            "How often will they go in?",
            forms.FrequencyForm,
            (),
            {"frequency": "Select how often they will go in."},
        ),
        Question(
            "role",
            "What will their role be?",
            forms.RoleForm,
            (),
            {"role": "Select their role."},
        ),
        Question(
            "name",
            "What is the volunteer's name?",
            forms.NameForm,
            ("applicant",),
            {"forenames": "Enter their first names.", "surname": "Enter their last name."},
            hint="As it appears on their identity documents.",
            check=_middle_names,
        ),
        Question(
            "date-of-birth",
            "What is their date of birth?",
            forms.DateOfBirthForm,
            ("applicant",),
            {"date_of_birth": "Enter their date of birth."},
        ),
        Question(
            "place-of-birth",
            "Where were they born?",
            forms.PlaceOfBirthForm,
            ("applicant", "place_of_birth"),
            {"town": "Enter the town or city.", "country": "Enter the country."},
        ),
        Question(
            "national-insurance",
            "What is their National Insurance number? (optional)",
            forms.NationalInsuranceForm,
            ("applicant",),
        ),
        Question(
            "contact",
            "How can we contact the volunteer?",
            forms.ContactForm,
            ("applicant", "contact"),
            {
                "email": "Enter their email address.",
                "preferred_channel": "Select how they would like to hear from us.",
            },
            hint="Their own details, not yours: messages about their clearance go to them.",
        ),
        Question(
            "address",
            "Add an address",
            forms.AddressForm,
            ("applicant", "addresses"),
            {"town": "Enter the town or city.", "from_date": "Enter the date they moved in."},
            listed=True,
            summary="addresses",
            hint="Leave 'moved out' empty for the address where they live now.",
            check=_address,
        ),
        Question(
            "gap",
            "Explain a gap in the address history",
            forms.GapForm,
            ("applicant", "address_gap_explanations"),
            {
                "from_date": "Enter the date the gap starts.",
                "to_date": "Enter the date the gap ends.",
                "explanation": "Enter where they were living.",
            },
            listed=True,
            summary="addresses",
            hint="For example, travelling, in hospital, or in custody.",
        ),
        Question(
            "referee",
            "Add a referee",
            forms.RefereeForm,
            ("applicant", "referees"),
            {
                "forenames": "Enter the referee's first names.",
                "surname": "Enter the referee's last name.",
                "email": "Enter the referee's email address.",
                "relationship": "Enter how the referee knows the volunteer.",
                "postcode": "Enter the referee's postcode.",
            },
            listed=True,
            summary="referees",
            hint="Someone who has known them for at least two years and is not a relative.",
        ),
    )
}

COLLECTIONS: dict[str, Collection] = {
    c.slug: c
    for c in (
        Collection(
            "prisons",
            "Prisons",
            "prison",
            "prison",
            "Will they go into another prison?",
        ),
        Collection(
            "addresses",
            "Address history",
            "address",
            "address",
            "Do you need to add another address?",
        ),
        Collection(
            "referees",
            "Referees",
            "referee",
            "referee",
            "Do you need to add another referee?",
        ),
    )
}

# The journey's order: each page leads to the next, the last to check your answers.
ORDER = (
    "prisons",
    "access",
    "frequency",
    "role",
    "name",
    "date-of-birth",
    "place-of-birth",
    "national-insurance",
    "contact",
    "addresses",
    "referees",
)


def next_step(slug: str) -> str | None:
    """The page after `slug` (an item page's: its add-another page); None: check your answers."""
    question = QUESTIONS.get(slug)
    if question is not None and question.summary:
        return question.summary
    position = ORDER.index(slug)
    return ORDER[position + 1] if position + 1 < len(ORDER) else None


# Which page fixes a readiness problem, by the start of its field path.
_PAGES = (
    ("establishments", "prisons"),
    ("role", "role"),
    ("group_name", "role"),
    ("area", "role"),
    ("requested_access", "access"),
    ("frequency", "frequency"),
    ("applicant.forenames", "name"),
    ("applicant.surname", "name"),
    ("applicant.middle_names", "name"),
    ("applicant.no_middle_name", "name"),
    ("applicant.date_of_birth", "date-of-birth"),
    ("applicant.place_of_birth", "place-of-birth"),
    ("applicant.national_insurance_number", "national-insurance"),
    ("applicant.contact", "contact"),
    ("applicant.addresses", "addresses"),
    ("applicant.address_gap_explanations", "addresses"),
    ("applicant.referees", "referees"),
    ("applicant.identity_documents", VOLUNTEER),
    ("applicant.declarations", VOLUNTEER),
    ("applicant.connections", VOLUNTEER),
)


def page_for(problem_field: str) -> str | None:
    """The page that fixes a problem at `problem_field` ("applicant.addresses[2].to_date" is
    the address history's); VOLUNTEER for the volunteer's own sections; None for none."""
    for prefix, slug in _PAGES:
        if problem_field == prefix or problem_field.startswith((f"{prefix}.", f"{prefix}[")):
            return slug
    return None
