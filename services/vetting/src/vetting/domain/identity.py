"""Who an applicant is: the rules that say whether two applications are one human being.

Vetting keeps one person record per human being, and a clearance belongs to the person, so a
wrong link serves one person's clearance to another. What real vetting matches on is kept as
keyed hashes (HMAC with a secret key): equal values can be found, the values cannot be read
back, and a stolen table cannot be searched by name.

- A **strong match** (same identity document type and number, same date of birth, and the
  same name) links the application to the existing person.
- Anything weaker is a **possible match** that an officer links or separates: the same name
  and date of birth, the same document with another name or date of birth, a previous name
  that matches, the same National Insurance number.

Pure: no database, no Flask. The service layer (`service_layer.identity`) stores and looks up.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

# What a stored identifier is a hash of.
DOCUMENT, NAME, PREVIOUS_NAME, BIRTH_DATE, NI_NUMBER = (
    "DOCUMENT",
    "NAME",
    "PREVIOUS_NAME",
    "BIRTH_DATE",
    "NI_NUMBER",
)
KINDS = (DOCUMENT, NAME, PREVIOUS_NAME, BIRTH_DATE, NI_NUMBER)

# Why a person is offered as a match (an officer reads these beside both records).
SAME_DOCUMENT = "SAME_IDENTITY_DOCUMENT"
SAME_BIRTH_DATE = "SAME_DATE_OF_BIRTH"
SAME_NAME = "SAME_NAME_AND_DATE_OF_BIRTH"
PREVIOUS_NAME_MATCHES = "PREVIOUS_NAME_MATCHES"
SAME_NI_NUMBER = "SAME_NATIONAL_INSURANCE_NUMBER"
STRONG = frozenset({SAME_DOCUMENT, SAME_BIRTH_DATE, SAME_NAME})


class IdentityStatus(StrEnum):
    """How sure vetting is who a case's applicant is."""

    RESOLVED = "RESOLVED"
    POSSIBLE_MATCH = "POSSIBLE_MATCH"  # until an officer links or separates


class CandidateStatus(StrEnum):
    """An officer's decision on a person offered as a possible match."""

    OPEN = "OPEN"
    LINKED = "LINKED"
    SEPARATED = "SEPARATED"
    NOT_CHOSEN = "NOT_CHOSEN"  # another candidate was linked


def key_from_settings(extra: Mapping[str, str], secret_key: str) -> bytes:
    """VETTING_IDENTITY_KEY, or one derived from SECRET_KEY (changing either makes every stored
    identifier unmatchable: a new key needs the identifiers recomputed)."""
    configured = extra.get("VETTING_IDENTITY_KEY", "").strip()
    if configured:
        return configured.encode()
    return hashlib.sha256(b"vetting-identity:" + secret_key.encode()).digest()


def fold(value: Any) -> str:
    """A name as matching compares it: accents, case, spaces, hyphens and apostrophes
    dropped ("Siobhán O'Connor" and "SIOBHAN OCONNOR" are one)."""
    text = unicodedata.normalize("NFKD", str(value or ""))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^0-9a-z]", "", text)


def digest(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Identifiers:
    """An applicant's identifiers, hashed: {kind: digests}."""

    by_kind: Mapping[str, frozenset[str]]

    def of(self, kind: str) -> frozenset[str]:
        return self.by_kind.get(kind, frozenset())

    def pairs(self) -> set[tuple[str, str]]:
        return {(kind, value) for kind, values in self.by_kind.items() for value in values}


def identifiers(applicant: Mapping[str, Any], key: bytes) -> Identifiers:
    """From vetting's applicant document: name, date of birth and, under `details`, previous
    names, identity documents and National Insurance number."""
    details = applicant.get("details") or {}
    born = str(applicant.get("date_of_birth") or "")
    found: dict[str, set[str]] = {kind: set() for kind in KINDS}
    if born:
        found[BIRTH_DATE].add(digest(key, BIRTH_DATE, born))
        name = _name(applicant.get("forenames"), applicant.get("surname"))
        if name:
            found[NAME].add(digest(key, NAME, f"{name}|{born}"))
        for previous in details.get("previous_names") or ():
            name = _name(previous.get("forenames"), previous.get("surname"))
            if name:
                found[PREVIOUS_NAME].add(digest(key, NAME, f"{name}|{born}"))
    for document in details.get("identity_documents") or ():
        number = re.sub(r"[^0-9A-Z]", "", str(document.get("number") or "").upper())
        if number:
            found[DOCUMENT].add(digest(key, DOCUMENT, f"{document.get('type')}|{number}"))
    ni_number = re.sub(
        r"[^0-9A-Z]", "", str(details.get("national_insurance_number") or "").upper()
    )
    if ni_number:
        found[NI_NUMBER].add(digest(key, NI_NUMBER, ni_number))
    return Identifiers({kind: frozenset(values) for kind, values in found.items() if values})


def _name(forenames: Any, surname: Any) -> str:
    first, last = fold(forenames), fold(surname)
    return f"{last}|{first}" if first and last else ""


def reasons(applicant: Identifiers, known: Iterable[tuple[str, str]]) -> frozenset[str]:
    """Why a person whose stored identifiers are `known` ((kind, digest) pairs) matches the
    applicant. A name stored as current or previous matches the applicant's current name
    (SAME_NAME) or a previous name of theirs (PREVIOUS_NAME_MATCHES)."""
    known = set(known)
    names_known = {value for kind, value in known if kind in (NAME, PREVIOUS_NAME)}
    current_known = {value for kind, value in known if kind == NAME}
    found = set()
    if applicant.of(DOCUMENT) & {v for k, v in known if k == DOCUMENT}:
        found.add(SAME_DOCUMENT)
    if applicant.of(BIRTH_DATE) & {v for k, v in known if k == BIRTH_DATE}:
        found.add(SAME_BIRTH_DATE)
    if applicant.of(NAME) & current_known:
        found.add(SAME_NAME)
    elif (applicant.of(NAME) | applicant.of(PREVIOUS_NAME)) & names_known:
        found.add(PREVIOUS_NAME_MATCHES)
    if applicant.of(NI_NUMBER) & {v for k, v in known if k == NI_NUMBER}:
        found.add(SAME_NI_NUMBER)
    return frozenset(found)


def is_strong(found: frozenset[str]) -> bool:
    return STRONG <= found


def is_possible(found: frozenset[str]) -> bool:
    """Anything short of strong that still points at the same human being. A shared date of
    birth alone does not."""
    return bool(found - {SAME_BIRTH_DATE}) and not is_strong(found)


def lookup_pairs(applicant: Identifiers) -> set[tuple[str, str]]:
    """The stored (kind, digest) pairs worth looking up for this applicant: names are looked
    up under both name kinds (a previous name may be another person's current one)."""
    pairs = {(kind, value) for kind, value in applicant.pairs() if kind != BIRTH_DATE}
    names = applicant.of(NAME) | applicant.of(PREVIOUS_NAME)
    pairs |= {(kind, value) for value in names for kind in (NAME, PREVIOUS_NAME)}
    return pairs
