"""Offences as both services read them: the fixed list of offence categories a declaration
names, and whether a caution or conviction is protected (filtered) under the DBS filtering
rules for England and Wales, so need not be declared. Pure: no I/O, no clock.

Categories: the Home Office / ONS offence groups of the recorded crime statistics, plus the
motoring group and OTHER.

Filtering (DBS filtering guidance; Police Act 1997 as amended in 2013 and, from 28 November
2020, by the Police Act 1997 (Criminal Record Certificates: Relevant Matters) (Amendment)
(England and Wales) Order 2020): a caution given under 18 (a youth caution, reprimand or
warning) is never automatically disclosed; an adult caution is filtered 6 years after it was
given; a conviction 11 years after (5 years 6 months if under 18) if it did not lead to a
custodial sentence (a suspended sentence is one) and is not for a specified (listed) offence,
each conviction on its own (the 2020 order ended the rule that a person with more than one
conviction had all of them disclosed). An adult caution or a conviction for a specified offence
is never filtered. Choice: the DBS list of specified offences names
hundreds of individual offences; a declaration only names a category, so every category where
the list holds many offences counts as specified (see SPECIFIED_CATEGORIES). It errs towards
"must be declared", and an officer still reads the record itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

OFFENCE_CATEGORIES = (
    "VIOLENCE_AGAINST_THE_PERSON",
    "SEXUAL_OFFENCES",
    "ROBBERY",
    "THEFT",
    "BURGLARY",
    "CRIMINAL_DAMAGE_AND_ARSON",
    "DRUG_OFFENCES",
    "POSSESSION_OF_WEAPONS",
    "PUBLIC_ORDER",
    "FRAUD",
    "MOTORING",
    "MISCELLANEOUS_CRIMES_AGAINST_SOCIETY",
    "OTHER",
)
CATEGORY_WORDS = {
    "VIOLENCE_AGAINST_THE_PERSON": "Violence against the person",
    "SEXUAL_OFFENCES": "Sexual offences",
    "ROBBERY": "Robbery",
    "THEFT": "Theft (including shoplifting)",
    "BURGLARY": "Burglary",
    "CRIMINAL_DAMAGE_AND_ARSON": "Criminal damage and arson",
    "DRUG_OFFENCES": "Drug offences",
    "POSSESSION_OF_WEAPONS": "Possession of weapons",
    "PUBLIC_ORDER": "Public order offences",
    "FRAUD": "Fraud",
    "MOTORING": "Motoring offences",
    "MISCELLANEOUS_CRIMES_AGAINST_SOCIETY": "Miscellaneous crimes against society",
    "OTHER": "Other",
}
# Choice (see the module's docstring): the categories where the DBS list of specified
# offences holds most of the offences (serious violence, sexual offences, robbery, weapons,
# arson), so a record in them is never filtered.
SPECIFIED_CATEGORIES = frozenset(
    {
        "VIOLENCE_AGAINST_THE_PERSON",
        "SEXUAL_OFFENCES",
        "ROBBERY",
        "POSSESSION_OF_WEAPONS",
        "CRIMINAL_DAMAGE_AND_ARSON",
    }
)
SENTENCES = ("CUSTODY", "SUSPENDED_SENTENCE", "COMMUNITY_ORDER", "FINE", "DISCHARGE", "OTHER")
CAUTIONS = ("CAUTION", "CONDITIONAL_CAUTION")
# Custodial for filtering: a suspended sentence is a custodial sentence (DBS guidance).
CUSTODIAL = frozenset({"CUSTODY", "SUSPENDED_SENTENCE"})
# Sentences that have a length (months).
SENTENCES_WITH_LENGTH = frozenset({"CUSTODY", "SUSPENDED_SENTENCE", "COMMUNITY_ORDER"})

# Words that place a free-text offence (older declarations, a check's wording) in a category;
# the first category that matches wins, so the more specific groups come first.
_WORDS: tuple[tuple[str, str], ...] = (
    ("SEXUAL_OFFENCES", r"sexual|indecen|rape|grooming|voyeur|exposure"),
    ("ROBBERY", r"robbery|mugging"),
    ("BURGLARY", r"burglary|breaking in|broke into"),
    ("POSSESSION_OF_WEAPONS", r"weapon|knife|blade|firearm|gun\b"),
    ("CRIMINAL_DAMAGE_AND_ARSON", r"criminal damage|arson|vandal|graffiti|set fire"),
    ("DRUG_OFFENCES", r"drug|cannabis|cocaine|heroin|controlled|class [abc]\b|supply"),
    (
        "MOTORING",
        r"driv|motor|speeding|insurance|vehicle|drink.?drive|careless|dangerous driv",
    ),
    ("FRAUD", r"fraud|forgery|false representation|deception|counterfeit|benefit"),
    (
        "VIOLENCE_AGAINST_THE_PERSON",
        r"assault|wounding|bodily harm|\b(gbh|abh)\b|murder|manslaughter|harassment|stalking|"
        r"battery|punch|fight|hit\b|threats? to kill",
    ),
    ("PUBLIC_ORDER", r"public order|affray|disorder|threatening behaviour|breach of the peace"),
    ("THEFT", r"theft|stole|steal|shoplift|handling stolen|taking without"),
    (
        "MISCELLANEOUS_CRIMES_AGAINST_SOCIETY",
        r"perverting|perjury|obstruct|bail|contempt|wasting police|bribery|immigration",
    ),
)


def category_of_text(text: str) -> str | None:
    """The category a free-text offence names, or None when no word places it."""
    lowered = text.casefold()
    for category, pattern in _WORDS:
        if re.search(pattern, lowered):
            return category
    return None


def add_months(day: date, months: int) -> date:
    """`day` plus whole months; a day past the month's end becomes its last day."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has 28 days")


@dataclass(frozen=True)
class Filtering:
    """Whether a record is protected, when it is (or would be) and why, in plain words."""

    protected: bool
    filtered_from: date | None  # None: never filtered
    reason: str


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def filtering(
    *,
    kind: str,
    category: str | None,
    disposal: str | None,
    day: date,
    date_of_birth: date | None,
    today: date,
) -> Filtering:
    """The DBS filtering rule for one caution (kind CAUTION) or conviction. An unknown date of
    birth counts as adult (the longer period) and an unknown category as specified, so doubt
    never hides a record."""
    young = date_of_birth is not None and _age_on(date_of_birth, day) < 18
    caution = kind.upper() == "CAUTION" or (disposal or "").upper() in CAUTIONS
    if caution and young:
        return Filtering(True, day, "a caution given under 18, never disclosed")
    if category is None or category in SPECIFIED_CATEGORIES:
        return Filtering(False, None, "a specified offence (or its category is not known)")
    if caution:
        months = 72
        what = "an adult caution"
    else:
        if (disposal or "").upper() in CUSTODIAL:
            return Filtering(False, None, "a conviction with a custodial sentence")
        months = 66 if young else 132
        what = "a conviction under 18" if young else "an adult conviction"
    since = add_months(day, months)
    years = f"{months // 12} years" + (" 6 months" if months % 12 else "")
    return Filtering(today >= since, since, f"{what}, filtered after {years}")
