"""Rules about the applicant: required data, names, contact, age, identity, referees,
declarations, and dates that cannot be in the future."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from applications.domain.readiness.addresses import address_periods, is_current
from applications.domain.readiness.problems import (
    Problem,
    ReadinessPolicy,
    as_date,
    entries,
    folded,
    long_date,
    problem,
    section,
    text,
)

# (code, path, message): data a submitted application cannot do without.
REQUIRED = (
    (
        "MISSING_FORENAMES",
        "applicant.forenames",
        "The applicant's forenames are missing. Add them as they appear on their identity "
        "document.",
    ),
    (
        "MISSING_SURNAME",
        "applicant.surname",
        "The applicant's surname is missing. Add it as it appears on their identity document.",
    ),
    (
        "MISSING_DATE_OF_BIRTH",
        "applicant.date_of_birth",
        "The applicant's date of birth is missing. Add it.",
    ),
    (
        "MISSING_PLACE_OF_BIRTH",
        "applicant.place_of_birth",
        "The applicant's place of birth is missing. Add the town and country they were born in.",
    ),
    (
        "MISSING_EMAIL",
        "applicant.contact.email",
        "The applicant's email address is missing. Add it: we use it to keep them informed.",
    ),
    (
        "MISSING_ADDRESS",
        "applicant.addresses",
        "No address is given. Add the applicant's addresses, starting with where they live now.",
    ),
    (
        "MISSING_IDENTITY_DOCUMENT",
        "applicant.identity_documents",
        "No identity document is given. Add at least one you have seen (for example a passport).",
    ),
    ("MISSING_ROLE", "role", "No role is chosen. Choose the role the applicant is applying for."),
    (
        "MISSING_REQUESTED_ACCESS",
        "requested_access",
        "No access is chosen. Choose escorted, unescorted or key holding.",
    ),
    (
        "MISSING_FREQUENCY",
        "frequency",
        "How often the applicant will go in is not chosen. Choose one-off, occasional or regular.",
    ),
)

# A relationship naming family, whatever the word ("step-brother", "Mother-in-law", "ex-wife",
# "civil partner", "grandad", "family member"), matched on folded text (accents and case
# dropped). Not a possessive ("mum's friend"), a longer word ("person", "godmother"), a business
# partner or a friend of the family.
FAMILY = re.compile(
    r"(?<![a-z])(?:ex-?|step-?|half-?|great-?grand-?|grand-?)?"
    r"(?:mother|father|mum|mam|mom|dad|parent|brother|sister|sibling|wife|husband|spouse"
    r"|son|daughter|child|children|cousin|aunt|auntie|aunty|uncle|niece|nephew|twin"
    r"|(?<!business )partner|fiancee?|boyfriend|girlfriend|relative"
    r"|grandad|granddad|grandpa|grandma|granny|gran|nan|nana|nanna"
    r"|(?<!friend of the )(?<!friend of my )family(?! friend))"
    r"(?:s|-in-law| in law|-in-laws| in laws)?(?![a-z'\u2019])"
    r"|(?<![a-z])in-?laws?(?![a-z])"
)

# The usual ways of writing "none" as a middle name, compared with only letters kept ("N/A" is
# "na", "-" is ""): DBS checks are held up when a placeholder is taken for a name.
MIDDLE_NAME_PLACEHOLDERS = frozenset(
    {
        "",
        "none",
        "nonegiven",
        "na",
        "nil",
        "null",
        "nothing",
        "no",
        "nomiddlename",
        "nomiddlenames",
        "nomn",
        "nmn",
        "notapplicable",
        "x",
        "xx",
        "xxx",
    }
)


def lookup(application: dict[str, Any], path: str) -> Any:
    value: Any = application
    for key in path.split("."):
        value = section(value).get(key)
    return value


def missing_data(application: dict[str, Any], declarations_needed: bool = True) -> list[Problem]:
    problems = []
    for code, path, message in REQUIRED:
        value = lookup(application, path)
        present = (
            as_date(value) is not None
            if path.endswith("date_of_birth")
            else any(True for _ in entries(value))
            if isinstance(value, list)
            else all(text(part) for part in value.values())
            if isinstance(value, dict)
            else bool(text(value))
        )
        if not present:
            problems.append(problem(code, path, message))
    if declarations_needed and not isinstance(lookup(application, "applicant.declarations"), dict):
        # Unanswered is not "nothing to declare": vetting needs the question answered.
        problems.append(
            problem(
                "MISSING_DECLARATIONS",
                "applicant.declarations",
                "The declarations are not answered. Record any convictions and cautions (spent "
                "ones too), whether the applicant is on licence, and any release date; if there "
                "is nothing to declare, send an empty list of convictions.",
            )
        )
    return problems


def is_placeholder(middle_names: str) -> bool:
    return "".join(c for c in folded(middle_names) if c.isalpha()) in MIDDLE_NAME_PLACEHOLDERS


def middle_names(applicant: dict[str, Any]) -> list[Problem]:
    given, none = text(applicant.get("middle_names")), applicant.get("no_middle_name")
    if given and is_placeholder(given):
        return [
            problem(
                "MIDDLE_NAME_PLACEHOLDER",
                "applicant.no_middle_name",
                f"'{given}' is given as the applicant's middle names, but it looks like a way "
                "of saying they have none. If they have no middle name, remove it and tick "
                "'no middle name' instead: a placeholder is taken as a name and holds up checks.",
            )
        ]
    if given and none is True:
        return [
            problem(
                "MIDDLE_NAMES_CONTRADICTORY",
                "applicant.no_middle_name",
                "Middle names are given and 'no middle name' is also ticked. Keep the "
                "middle names and untick 'no middle name', or remove the middle names.",
            )
        ]
    if not given and none is not True:
        return [
            problem(
                "MIDDLE_NAMES_NOT_CONFIRMED",
                "applicant.middle_names",
                "The applicant's middle names are not confirmed. Give them, or tick 'no "
                "middle name' if they have none (a missing middle name delays checks).",
            )
        ]
    return []


def contact(applicant: dict[str, Any]) -> list[Problem]:
    details = section(applicant.get("contact"))
    if text(details.get("preferred_channel")).upper() == "SMS" and not text(details.get("mobile")):
        return [
            problem(
                "SMS_WITHOUT_MOBILE",
                "applicant.contact.mobile",
                "Text messages are chosen as the way to contact the applicant, but no "
                "mobile number is given. Add the mobile number, or choose email.",
            )
        ]
    return []


def birthday(born: date, age: int) -> date:
    """The day someone born on `born` reaches `age` (1 March for 29 February in a common year)."""
    try:
        return born.replace(year=born.year + age)
    except ValueError:
        return date(born.year + age, 3, 1)


def age(applicant: dict[str, Any], today: date, policy: ReadinessPolicy) -> list[Problem]:
    born = as_date(applicant.get("date_of_birth"))
    if born is None or born > today:
        return []  # missing, or DATE_IN_FUTURE
    adult = birthday(born, policy.minimum_age)
    if today >= adult:
        return []
    return [
        problem(
            "APPLICANT_UNDER_18",
            "applicant.date_of_birth",
            f"The applicant, born on {long_date(born)}, is under "
            f"{policy.minimum_age}. Check the date of birth; if it is right, apply on or "
            f"after {long_date(adult)}.",
        )
    ]


def identity_documents(
    applicant: dict[str, Any], today: date, policy: ReadinessPolicy
) -> list[Problem]:
    problems = []
    vetted_by = today + timedelta(weeks=policy.expected_vetting_weeks)
    for index, document in entries(applicant.get("identity_documents")):
        expiry = as_date(document.get("expiry"))
        if expiry is None or expiry >= vetted_by:
            continue
        kind = text(document.get("type")).replace("_", " ").lower()
        kind = kind if kind and kind != "other" else "identity document"
        last4 = text(document.get("number"))[-4:]
        which = f"{kind} ending {last4}" if last4 else f"{kind} (document {index + 1})"
        if expiry >= today:
            problems.append(
                problem(
                    "IDENTITY_DOCUMENT_EXPIRES_DURING_VETTING",
                    f"applicant.identity_documents[{index}].expiry",
                    f"The {which} expires on {long_date(expiry)}, before vetting is expected "
                    f"to finish (about {policy.expected_vetting_weeks} weeks). This does not "
                    "stop submission, but if the applicant has a document that is valid for "
                    "longer, give that too.",
                )
            )
        else:
            problems.append(
                problem(
                    "IDENTITY_DOCUMENT_EXPIRED",
                    f"applicant.identity_documents[{index}].expiry",
                    f"The {which} expired on {long_date(expiry)}. Remove it and give a document "
                    "that is in date.",
                )
            )
    return problems


def squashed(value: Any) -> str:
    return "".join(folded(value).split())


def referees(applicant: dict[str, Any], today: date, policy: ReadinessPolicy) -> list[Problem]:
    given = list(entries(applicant.get("referees")))
    problems = []
    if len(given) < policy.referees_required:
        problems.append(
            problem(
                "TOO_FEW_REFEREES",
                "applicant.referees",
                f"{policy.referees_required} referees are needed and {len(given)} "
                f"{'is' if len(given) == 1 else 'are'} given. Add referees who know the applicant "
                "well and are not relatives.",
            )
        )
    surname = squashed(applicant.get("surname"))
    home = {
        squashed(a.get("postcode"))
        for _, a in entries(applicant.get("addresses"))
        if is_current(a, today)
    } - {""}
    for index, referee in entries(applicant.get("referees")):
        name = " ".join(
            p for p in (text(referee.get("forenames")), text(referee.get("surname"))) if p
        )
        who = f"Referee {index + 1}" + (f", {name}," if name else "")
        relationship = text(referee.get("relationship"))
        if FAMILY.search(folded(relationship)):
            problems.append(
                problem(
                    "REFEREE_IS_RELATIVE",
                    f"applicant.referees[{index}].relationship",
                    f"{who} is described as the applicant's '{relationship}'. A referee must not "
                    "be a relative: choose someone else who knows the applicant well.",
                )
            )
        elif (
            referee.get("not_related") is not True
            and surname
            and squashed(referee.get("surname")) == surname
            and squashed(referee.get("postcode")) in home
        ):
            problems.append(
                problem(
                    "REFEREE_MAY_BE_RELATIVE",
                    f"applicant.referees[{index}]",
                    f"{who} has the applicant's surname and the same postcode as the applicant's "
                    "current address, so may be a relative. A referee must not be a relative: "
                    "if they are not related, say so ('not related'); if they are, choose "
                    "someone else who knows the applicant well.",
                )
            )
    return problems


def declarations(applicant: dict[str, Any]) -> list[Problem]:
    declared = section(applicant.get("declarations"))
    released = as_date(declared.get("release_date"))
    custody = sorted(
        (day, index)
        for index, conviction in entries(declared.get("convictions"))
        if text(conviction.get("disposal")).upper() == "CUSTODY"
        and (day := as_date(conviction.get("date"))) is not None
    )
    path = "applicant.declarations.release_date"
    if released is None and declared.get("on_licence") is True:
        return [
            problem(
                "ON_LICENCE_WITHOUT_RELEASE_DATE",
                path,
                "The applicant is declared to be on licence, but no release date is "
                "given. Add the date of their most recent release from custody.",
            )
        ]
    if released is None and custody:
        return [
            problem(
                "MISSING_RELEASE_DATE",
                path,
                f"A custodial sentence is declared (conviction {custody[-1][1] + 1}, on "
                f"{long_date(custody[-1][0])}), but no release date. Add the date of the "
                "applicant's most recent release from custody.",
            )
        ]
    if released is not None and custody and released < custody[-1][0]:
        return [
            problem(
                "RELEASE_BEFORE_CONVICTION",
                path,
                f"The release date, {long_date(released)}, is before the custodial "
                f"sentence on {long_date(custody[-1][0])} (conviction "
                f"{custody[-1][1] + 1}). The release date should be the most recent "
                "release from custody: check the dates.",
            )
        ]
    return []


def past_dates(applicant: dict[str, Any], today: date) -> Iterator[tuple[str, Any, str]]:
    """(path, value, what it is) for each date that must not be after today."""
    yield "applicant.date_of_birth", applicant.get("date_of_birth"), "date of birth"
    for i, name in entries(applicant.get("previous_names")):
        for end in ("from", "to"):
            yield (
                f"applicant.previous_names[{i}].{end}_date",
                name.get(f"{end}_date"),
                f"'{end}' date of previous name {i + 1}",
            )
    for period in address_periods(applicant, today):  # named by address, not by position
        yield f"{period.path}.from_date", period.start, f"moving-in date at {period.label}"
    for i, gap in entries(applicant.get("address_gap_explanations")):
        for end in ("from", "to"):
            yield (
                f"applicant.address_gap_explanations[{i}].{end}_date",
                gap.get(f"{end}_date"),
                f"'{end}' date of gap explanation {i + 1}",
            )
    declared = section(applicant.get("declarations"))
    for i, conviction in entries(declared.get("convictions")):
        yield (
            f"applicant.declarations.convictions[{i}].date",
            conviction.get("date"),
            f"date of conviction or caution {i + 1}",
        )
    yield "applicant.declarations.release_date", declared.get("release_date"), "release date"
    for i, role in entries(applicant.get("previous_volunteering")):
        yield (
            f"applicant.previous_volunteering[{i}].from_date",
            role.get("from_date"),
            f"start date of previous volunteering {i + 1}",
        )


def future_dates(applicant: dict[str, Any], today: date) -> list[Problem]:
    problems = []
    for path, value, what in past_dates(applicant, today):
        day = as_date(value)
        if day is not None and day > today:
            problems.append(
                problem(
                    "DATE_IN_FUTURE",
                    path,
                    f"The {what}, {long_date(day)}, is after today. Check and correct it.",
                )
            )
    return problems
