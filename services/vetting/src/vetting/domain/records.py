"""Records of cautions and convictions as the risk summary compares them: read from a
declaration or a check's finding, merged when several checks found the same one, matched to
declarations, and tested against the DBS filtering rules. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shared.offences import CAUTIONS, OFFENCE_CATEGORIES, category_of_text, filtering


@dataclass(frozen=True)
class Record:
    offence: str
    day: date
    disposal: str | None
    kind: str | None
    category: str | None  # one of OFFENCE_CATEGORIES, None when neither given nor readable
    sources: tuple[str, ...] = ()
    wordings: tuple[str, ...] = ()  # every check's words for it, when several found it

    @property
    def key(self) -> str:
        return _words(self.offence)

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(_words(w) for w in (self.offence, *self.wordings))

    @property
    def same(self) -> tuple[str, date]:
        """What makes two checks' findings one record: category (else the words) and date."""
        return (self.category or "words:" + self.key, self.day)

    @property
    def is_caution(self) -> bool:
        return (self.kind or "").upper() == "CAUTION" or (self.disposal or "").upper() in CAUTIONS

    def matches(self, other: Record, window: int) -> bool:
        close = abs((self.day - other.day).days) <= window
        # An unknown category matches only the same words: a guess must not hide a record.
        alike = bool(self.keys & other.keys) or (
            self.category is not None and self.category == other.category
        )
        return close and alike

    def describe(self) -> str:
        what = (self.kind or "record").lower()
        source = self.sources and "from " + " and ".join(self.sources)
        extra = ", ".join(x for x in (self.disposal, source) if x)
        return f"{what} '{self.offence}' on {self.day.isoformat()}" + (
            f" ({extra})" if extra else ""
        )


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def merge(found: Iterable[Record]) -> set[Record]:
    """One record per category and date across checks: the n-th such finding of each check
    is the same record (a check listing two offences on one day still lists two records)."""
    groups: dict[tuple[str, date], dict[tuple[str, ...], list[Record]]] = {}
    for record in found:
        groups.setdefault(record.same, {}).setdefault(record.sources, []).append(record)
    merged = set()
    for by_source in groups.values():
        ordered = [
            sorted(rs, key=lambda r: (r.key, r.disposal or "", r.kind or ""))
            for rs in by_source.values()
        ]
        for n in range(max(len(rs) for rs in ordered)):
            copies = [rs[n] for rs in ordered if n < len(rs)]
            first = min(copies, key=lambda r: (r.key, r.disposal or "", r.kind or "", r.sources))
            merged.add(
                Record(
                    first.offence,
                    first.day,
                    first.disposal,
                    first.kind,
                    first.category,
                    tuple(sorted({s for r in copies for s in r.sources})),
                    tuple(sorted({r.offence for r in copies} - {first.offence})),
                )
            )
    return merged


def day_of(value: Any) -> date:
    return value.date() if isinstance(value, datetime) else value


def read_record(item: Mapping[str, Any]) -> Record:
    offence = str(item["offence"])
    given = item.get("category")
    category = given if given in OFFENCE_CATEGORIES else category_of_text(offence)
    source = item.get("source")
    return Record(
        offence,
        day_of(item["date"]),
        item.get("disposal"),
        item.get("kind"),
        category,
        (str(source),) if source else (),
    )


def protection(record: Record, born: date | None, today: date) -> str | None:
    """Why the record need not have been declared (DBS filtering), or None if it had to be."""
    rule = filtering(
        kind="CAUTION" if record.is_caution else "CONVICTION",
        category=record.category,
        disposal=record.disposal,
        day=record.day,
        date_of_birth=born,
        today=today,
    )
    return rule.reason if rule.protected else None


@dataclass(frozen=True)
class Finding:
    """One record the checks found, once, with the declaration that covers it (its index in
    the declarations) and why it need not have been declared, if it is protected."""

    record: Record
    declared_as: int | None
    protected: str | None


@dataclass(frozen=True)
class Comparison:
    findings: tuple[Finding, ...]  # oldest first
    not_found: tuple[int, ...]  # declarations no check found (indices)
    everything: frozenset[Record]  # each record once: findings and declarations not found

    @property
    def undeclared(self) -> tuple[Finding, ...]:
        """Findings no declaration covers and that had to be declared."""
        return tuple(f for f in self.findings if f.declared_as is None and f.protected is None)


def compare(
    declarations: Iterable[Mapping[str, Any]],
    check_results: Iterable[Mapping[str, Any]],
    window: int,
    born: date | None,
    today: date,
) -> Comparison:
    """Declarations beside what the checks found, matched by category (or words) and date."""
    declared = [read_record(item) for item in declarations]
    found = list(merge(read_record(item) for item in check_results))
    covered = [
        next((i for i, d in enumerate(declared) if d.matches(r, window)), None) for r in found
    ]
    not_found = tuple(
        i for i, d in enumerate(declared) if not any(d.matches(r, window) for r in found)
    )
    everything = frozenset(found) | {declared[i] for i in not_found}
    findings = sorted(
        (Finding(r, i, protection(r, born, today)) for r, i in zip(found, covered, strict=True)),
        key=lambda f: (f.record.day, f.record.key, f.record.sources),
    )
    return Comparison(tuple(findings), not_found, everything)
