"""The simulated provider: every check answered from the applicant's own data, for demos and tests.

Deterministic: the outcome depends only on the request (never on a clock other than
`request.today`, nor on randomness, nor on the order of any list in the applicant's data), so a
demo or a test replays exactly. Test markers in the email address
(vetting.adapters.providers.markers)
steer it towards the cases worth demonstrating: a hidden record, a barred-list match, a
temporary failure.

Stateless: the reference is a hash of the case and check, and `poll` always returns the
outcome. The delay only sets `poll_at`; the worker does not poll before it, so the delay still
paces a demo without the provider remembering anything (a restart loses nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from vetting.adapters.providers.base import (
    ADVERSE,
    PASSED,
    CheckRequest,
    Outcome,
    Submission,
    as_date,
    details,
    iso,
    items,
    short_hash,
    years_before,
)
from vetting.adapters.providers.history import address_periods, coverage, explained_periods, is_uk
from vetting.adapters.providers.markers import (
    BARRED,
    CONNECTION,
    SIMULATED_ADVERSE,
    UNDECLARED,
    has,
    raise_simulated_error,
    simulated_adverse,
)
from vetting.domain.policy import Policy

# What a sim-undeclared applicant's PNC and DBS searches find besides their declarations.
UNDECLARED_OFFENCE = "Possession of a controlled drug (class B)"
UNDECLARED_YEARS_AGO = 4
# What sim-connection discovers.
UNDECLARED_CONNECTION = {"name": "J. Doe", "relationship": "Former partner"}
BARRED_LISTS_LEVEL = "ENHANCED_WITH_BARRED_LISTS"


class SimulatedProvider:
    name = "simulated"

    def __init__(
        self,
        delay: timedelta = timedelta(0),
        *,
        address_history_years: int = 5,
        ctc_minimum_uk_residence_years: int = 3,
        max_unexplained_gap_days: int = 28,
        referees_required: int = 2,
    ) -> None:
        self.delay = delay
        self.address_history_years = address_history_years
        self.ctc_minimum_uk_residence_years = ctc_minimum_uk_residence_years
        self.max_unexplained_gap_days = max_unexplained_gap_days
        self.referees_required = referees_required
        self._checks: Mapping[str, Callable[[CheckRequest], Outcome]] = {
            "IDENTITY": self._identity,
            "ADDRESS_HISTORY": self._address_history,
            "CRIMINAL_RECORD": self._criminal_record,
            "DBS": self._dbs,
            "REFERENCES": self._references,
            "OFFENDER_CONNECTIONS": self._connections,
            "CTC": self._ctc,
        }

    @classmethod
    def from_policy(cls, policy: Policy, delay: timedelta = timedelta(0)) -> SimulatedProvider:
        """The years the vetting policy asks for (the readiness check uses the same ones)."""
        return cls(
            delay,
            address_history_years=policy.address_history_years,
            ctc_minimum_uk_residence_years=policy.ctc_minimum_uk_residence_years,
        )

    @staticmethod
    def reference(request: CheckRequest) -> str:
        return f"SIM-{request.check}-{short_hash(request.case_id, request.check)}"

    def submit(self, request: CheckRequest, now: datetime) -> Submission:
        raise_simulated_error(request, self.name)
        return Submission(self.reference(request), now + self.delay)

    def poll(self, request: CheckRequest, reference: str, now: datetime) -> Outcome:
        # A reference from another case or provider is a bug in the caller: fail loudly rather
        # than report one check's result as another's.
        if reference != self.reference(request):
            raise ValueError(
                f"{reference!r} is not the simulated reference of "
                f"{request.check} for case {request.case_id}."
            )
        return self.outcome(request)

    def outcome(self, request: CheckRequest) -> Outcome:
        """The result of the check, from the request alone."""
        result = self._checks[request.check](request)
        tag = simulated_adverse(request)
        if tag is None:
            return result
        return Outcome(
            ADVERSE,
            result.detail
            | {
                "summary": SIMULATED_ADVERSE,
                "marker": tag,
                "computed_summary": result.detail["summary"],
            },
        )

    def _identity(self, request: CheckRequest) -> Outcome:
        documents: list[dict[str, Any]] = sorted(
            # The last four characters only: a check's result never repeats a full number.
            (
                {
                    "type": str(d.get("type") or "document"),
                    "last4": str(d.get("number") or d.get("last4") or "")[-4:],
                    "expiry": iso(d.get("expiry")),
                }
                for d in items(details(request.applicant).get("identity_documents"))
            ),
            key=lambda d: (d["expiry"] or "9999", d["type"], d["last4"]),
        )
        today = request.today
        for document in documents:
            # No expiry date (a birth certificate) never expires.
            expiry = as_date(document["expiry"])
            document["valid"] = expiry is None or expiry >= today
        valid = [d for d in documents if d["valid"]]
        if valid:
            best = valid[-1]  # the one valid longest
            until = f"expires {best['expiry']}" if best["expiry"] else "no expiry date"
            summary = (
                f"{best['type']} ending {best['last4']} is valid on {today.isoformat()} ({until})."
            )
        elif documents:
            summary = (
                f"No identity document is valid on {today.isoformat()}: "
                + "; ".join(
                    f"{d['type']} ending {d['last4']} expired on {d['expiry']}" for d in documents
                )
                + "."
            )
        else:
            summary = "No identity document was given."
        return Outcome(PASSED if valid else ADVERSE, {"documents": documents, "summary": summary})

    def _address_history(self, request: CheckRequest) -> Outcome:
        found = details(request.applicant)
        periods = address_periods(found.get("addresses"), request.today) + explained_periods(
            found.get("address_gap_explanations")
        )
        covered = coverage(
            periods, request.today, self.address_history_years, self.max_unexplained_gap_days
        )
        years = self.address_history_years
        if covered.complete:
            summary = (
                f"The addresses cover the last {years} years with no unexplained gap "
                f"over {self.max_unexplained_gap_days} days."
            )
        else:
            summary = (
                f"The address history does not cover the last {years} years: "
                + "; ".join(covered.problems())
                + "."
            )
        return Outcome(
            PASSED if covered.complete else ADVERSE,
            covered.as_detail() | {"years_required": years, "summary": summary},
        )

    def _ctc(self, request: CheckRequest) -> Outcome:
        # Only addresses show UK residence: a gap explanation does not say where the applicant
        # was (travelling is often abroad), so it is not counted here.
        addresses = list(items(details(request.applicant).get("addresses")))
        abroad = sum(not is_uk(a) for a in addresses)
        years = self.ctc_minimum_uk_residence_years
        covered = coverage(
            address_periods(addresses, request.today, uk_only=True),
            request.today,
            years,
            self.max_unexplained_gap_days,
        )
        if covered.complete:
            summary = f"UK addresses cover the last {years} years, as a CTC needs."
        else:
            summary = (
                f"UK residence for the last {years} years, which a CTC needs, is not "
                "shown: " + "; ".join(covered.problems()) + "."
            )
            if abroad:  # the Home Office's route for time abroad
                summary += " Ask for an overseas police certificate from each country lived in."
        return Outcome(
            PASSED if covered.complete else ADVERSE,
            covered.as_detail()
            | {"years_required": years, "addresses_outside_uk": abroad, "summary": summary},
        )

    def _records(self, request: CheckRequest, source: str) -> list[dict[str, Any]]:
        """The declared convictions and cautions as the search finds them, plus the marker's
        undeclared record; sorted so the declarations' order does not matter."""
        declarations = details(request.applicant).get("declarations")
        convictions = declarations.get("convictions") if isinstance(declarations, Mapping) else None
        records = [
            {
                "offence": str(c.get("offence") or ""),
                "date": iso(c.get("date")),
                "disposal": c.get("disposal"),
                "kind": c.get("kind"),
                "source": source,
            }
            for c in items(convictions)
        ]
        if has(request, UNDECLARED):
            records.append(
                {
                    "offence": UNDECLARED_OFFENCE,
                    "date": years_before(request.today, UNDECLARED_YEARS_AGO).isoformat(),
                    "disposal": "FINE",
                    "kind": "CONVICTION",
                    "source": source,
                }
            )
        return sorted(
            records,
            key=lambda r: tuple(str(r[k] or "") for k in ("date", "offence", "kind", "disposal")),
        )

    def _criminal_record(self, request: CheckRequest) -> Outcome:
        records = self._records(request, "PNC")
        summary = f"The PNC search found {_found(records)}."
        return Outcome(ADVERSE if records else PASSED, {"records": records, "summary": summary})

    def _dbs(self, request: CheckRequest) -> Outcome:
        records = self._records(request, "DBS")
        level = request.dbs_level
        detail: dict[str, Any] = {"records": records, "level": level}
        summary = f"The {level or 'DBS'} certificate shows {_found(records)}"
        if level == BARRED_LISTS_LEVEL:
            # sim-barred means nothing below this level: lower levels do not search the lists.
            detail["barred"] = has(request, BARRED)
            summary += (
                "; the barred lists show a MATCH"
                if detail["barred"]
                else "; the barred lists show no match"
            )
        detail["summary"] = summary + "."
        adverse = bool(records) or detail.get("barred") is True
        return Outcome(ADVERSE if adverse else PASSED, detail)

    def _references(self, request: CheckRequest) -> Outcome:
        # Only the count: the referees' names and contacts stay with the application.
        count = len(list(items(details(request.applicant).get("referees"))))
        enough = count >= self.referees_required
        summary = f"{count} satisfactory reference(s) received" + (
            "." if enough else f"; {self.referees_required} are needed."
        )
        return Outcome(
            PASSED if enough else ADVERSE,
            {"referees": count, "required": self.referees_required, "summary": summary},
        )

    def _connections(self, request: CheckRequest) -> Outcome:
        found = [
            {
                "name": str(c.get("name") or ""),
                "relationship": str(c.get("relationship") or ""),
                "establishment": c.get("establishment"),
                "declared": True,
            }
            for c in items(details(request.applicant).get("connections"))
        ]
        if has(request, CONNECTION):
            first = request.establishments[0] if request.establishments else None
            found.append(UNDECLARED_CONNECTION | {"establishment": first, "declared": False})
        found.sort(
            key=lambda c: (
                str(c["establishment"] or ""),
                c["name"],
                c["relationship"],
                c["declared"],
            )
        )
        if found:
            summary = (
                f"{len(found)} connection(s) with people in custody: "
                + "; ".join(map(_connection, found))
                + "."
            )
        else:
            summary = "No connection with a person in custody was found."
        return Outcome(ADVERSE if found else PASSED, {"connections": found, "summary": summary})


def _found(records: list[dict[str, Any]]) -> str:
    if not records:
        return "no record"
    return f"{len(records)} record(s): " + "; ".join(
        f"{(r['kind'] or 'record').lower()} '{r['offence']}' on {r['date']}"
        + (f" ({r['disposal']})" if r["disposal"] else "")
        for r in records
    )


def _connection(found: Mapping[str, Any]) -> str:
    where = found["establishment"] or "an unknown establishment"
    hidden = "" if found["declared"] else ", NOT declared"
    return f"{found['name']} ({found['relationship']}) at {where}{hidden}"
