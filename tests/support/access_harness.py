"""The access service in one process for tests: its API (test client, staff tokens scoped to
establishments), vetting's events delivered to its handlers, and what it published."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tests.support.clock import now
from tests.support.service_harness import ServiceHarness

# Who is who in the tests: (staff id, roles, establishments).
STAFF = {
    "officer": ("sec-ann", ("security_officer",), ("WWI",)),
    "officer2": ("sec-bob", ("security_officer",), ("WWI",)),
    "head": ("head-cat", ("head_of_security",), ("WWI",)),
    "other": ("sec-dan", ("security_officer",), ("BMI",)),
    "other_head": ("head-eve", ("head_of_security",), ("BMI",)),
    "both": ("sec-fay", ("security_officer",), ("WWI", "BMI")),
    "vetting": ("vet-gus", ("vetting_officer",), ("WWI",)),
    "auditor": ("aud-ida", ("auditor",), ()),
}


def clearance_granted(
    *,
    person_id: str | None = None,
    establishments: tuple[str, ...] = ("WWI",),
    access: str = "UNESCORTED",
    conditions: tuple[str, ...] = (),
    expires_in_days: int = 365,
    clearance_id: str | None = None,
    application_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    issued = now()
    return {
        "case_id": str(uuid.uuid4()),
        "application_id": application_id or str(uuid.uuid4()),
        "clearance_id": clearance_id or str(uuid.uuid4()),
        "level": "ENHANCED",
        "access": access,
        "conditions": list(conditions),
        "establishments": list(establishments),
        "issued_at": issued.isoformat(),
        "expires_at": (issued + timedelta(days=expires_in_days)).isoformat(),
        "person_id": person_id or str(uuid.uuid4()),
        "forenames": "Siobhán",
        "surname": "O'Neill",
        "date_of_birth": "1980-02-29",
        **extra,
    }


class Access(ServiceHarness):
    service = "access"
    staff = STAFF

    def grant_clearance(self, **kwargs: Any) -> dict[str, Any]:
        data = clearance_granted(**kwargs)
        self.event("vetting.clearance_granted", data)
        return data

    def grant_id(self, person_id: str, code: str = "WWI") -> str:
        """The person's current grant there (not one kept as history)."""
        from access.models import Grant

        with self.platform.session_factory() as session:
            return session.execute(
                select(Grant.id).where(
                    Grant.person_id == person_id,
                    Grant.establishment_code == code,
                    Grant.superseded_at.is_(None),
                )
            ).scalar_one()

    def grant_ids(self, person_id: str, code: str = "WWI") -> list[str]:
        """Every grant of the person there, oldest first (history and current)."""
        from access.models import Grant

        with self.platform.session_factory() as session:
            return list(
                session.execute(
                    select(Grant.id)
                    .where(Grant.person_id == person_id, Grant.establishment_code == code)
                    .order_by(Grant.opened_at, Grant.id)
                ).scalars()
            )

    def grant(self, grant_id: str, who: str = "officer") -> dict[str, Any]:
        response = self.call("GET", f"/grants/{grant_id}", who)
        assert response.status_code == 200, response.json
        return response.json

    def decide(
        self,
        grant_id: str,
        action: str,
        body: dict[str, Any],
        who: str = "officer",
        expect: int = 200,
    ) -> dict[str, Any]:
        response = self.call("POST", f"/grants/{grant_id}/{action}", who, json=body)
        assert response.status_code == expect, (response.status_code, response.json)
        return response.json

    def activate(
        self,
        grant_id: str,
        *,
        access_type: str = "UNESCORTED",
        badge: str | None = None,
        **terms: Any,
    ) -> dict[str, Any]:
        """Approve and complete the induction: the grant becomes ACTIVE."""
        self.decide(grant_id, "approval", {"access_type": access_type, **terms})
        self.decide(grant_id, "induction", {"item": "SECURITY_BRIEFING"})
        if access_type == "KEY_HOLDING":
            self.decide(grant_id, "induction", {"item": "KEY_TRAINING"})
        return self.decide(
            grant_id,
            "induction",
            {"item": "ID_BADGE", "badge_number": badge or f"B-{uuid.uuid4().hex[:8]}"},
        )

    def put_photo(self, grant_id: str, content: bytes, who: str = "officer", **kwargs: Any):
        """PUT the grant's badge photo (a JPEG unless content_type says otherwise)."""
        kwargs.setdefault("content_type", "image/jpeg")
        return self.call("PUT", f"/grants/{grant_id}/photo", who, data=content, **kwargs)

    def gate(self, code: str = "WWI", who: str = "officer", **query: str) -> dict[str, Any]:
        response = self.call("GET", f"/establishments/{code}/gate-check", who, query_string=query)
        assert response.status_code == 200, response.json
        return response.json
