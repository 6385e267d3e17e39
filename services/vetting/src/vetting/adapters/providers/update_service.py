"""The DBS Update Service provider (simulated): a status check of the certificate the applicant
already holds, which replaces a new DBS check when it is at the required level or above
(`choose_provider` decides that).

The answer is CURRENT (nothing new since the certificate was issued: PASSED) or NEW_INFORMATION
(ADVERSE: a new certificate is needed). It does not repeat what the certificate shows; the
CRIMINAL_RECORD check still searches the PNC. Only the last 4 digits of the certificate number
are ever kept (in the reference and the detail): DBS certificate details are personal data
held no longer than needed.

Markers: sim-dbs-new-information, and the DBS check's sim-error-dbs, sim-error-always-dbs and
sim-adverse-dbs (the Update Service stands in for the DBS check, so the DBS markers apply).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from vetting.adapters.providers.base import (
    ADVERSE,
    PASSED,
    CheckRequest,
    Outcome,
    Submission,
    last4,
    update_service_certificate,
)
from vetting.adapters.providers.markers import (
    DBS_NEW_INFORMATION,
    SIMULATED_ADVERSE,
    has,
    raise_simulated_error,
    simulated_adverse,
)
from vetting.domain.policy.model import DBS_LEVELS, dbs_rank


class UpdateServiceProvider:
    name = "dbs_update_service"

    def __init__(self, delay: timedelta = timedelta(0)) -> None:
        self.delay = delay  # the real service answers online, so no delay by default

    @staticmethod
    def _certificate(request: CheckRequest) -> Mapping[str, Any]:
        # choose_provider routes only DBS checks of certificates on the Update Service here:
        # anything else is a bug in the caller, not a temporary failure.
        certificate = update_service_certificate(request.applicant)
        if request.check != "DBS" or certificate is None:
            raise ValueError(
                f"The DBS Update Service cannot run {request.check} for case "
                f"{request.case_id}: it checks a DBS certificate on the service."
            )
        return certificate

    def reference(self, request: CheckRequest) -> str:
        return f"DBSUS-{last4(self._certificate(request).get('number'))}"

    def submit(self, request: CheckRequest, now: datetime) -> Submission:
        reference = self.reference(request)
        raise_simulated_error(request, self.name)
        return Submission(reference, now + self.delay)

    def poll(self, request: CheckRequest, reference: str, now: datetime) -> Outcome:
        if reference != self.reference(request):
            raise ValueError(
                f"{reference!r} is not the Update Service reference of case {request.case_id}."
            )
        certificate = self._certificate(request)
        level = certificate.get("level")
        ending = last4(certificate.get("number"))
        detail: dict[str, Any] = {
            "update_service": True,
            "certificate_level": level,
            "certificate_last4": ending,
            "required_level": request.dbs_level,
        }
        if has(request, DBS_NEW_INFORMATION):
            detail["status"] = "NEW_INFORMATION"
            summary = (
                f"The DBS Update Service shows new information since the {level} "
                f"certificate ending {ending} was issued: a new DBS check is needed."
            )
        else:
            detail["status"] = "CURRENT"
            summary = (
                f"The {level} certificate ending {ending} is current on the DBS Update "
                "Service: no new information since it was issued."
            )
        # Routing checks the level, but the policy may have changed since the submit.
        too_low = request.dbs_level is not None and (
            level not in DBS_LEVELS or dbs_rank(level) < dbs_rank(request.dbs_level)
        )
        if too_low:
            summary += f" It is below the {request.dbs_level} level this case needs."
        detail["summary"] = summary
        adverse = too_low or detail["status"] != "CURRENT"
        tag = simulated_adverse(request)
        if tag is not None:
            adverse = True
            detail |= {"summary": SIMULATED_ADVERSE, "marker": tag, "computed_summary": summary}
        return Outcome(ADVERSE if adverse else PASSED, detail)
