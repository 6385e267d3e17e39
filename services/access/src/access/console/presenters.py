"""Words and dates as the security team reads them, and which forms a grant page offers.

The forms offered follow the same rules the service layer enforces (state and role); showing
only what may be done keeps the page short, while the server still refuses anything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import Flask

from access.domain.lifecycle import (
    APPROVED,
    HEAD,
    LIVE,
    OPEN,
    PENDING,
    SUSPENDED,
    ClearanceStatus,
    GrantState,
)
from access.domain.rules import ACCESS_RANK, LOCAL_TIME, WEEKDAYS, induction_outstanding
from access.models import Grant
from access.service_layer.actors import Actor
from shared.clearance import clearance_label

ACCESS_LABELS = {"ESCORTED": "Escorted", "UNESCORTED": "Unescorted", "KEY_HOLDING": "Key holding"}
DAY_LABELS = dict(
    zip(
        WEEKDAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
ROLE_LABELS = {
    "GROUP_FACILITATOR": "Group facilitator",
    "VISITING_SPEAKER": "Visiting speaker",
    "SPONSOR": "Sponsor",
    "COORDINATOR": "Coordinator",
}
INDUCTION_LABELS = {
    "SECURITY_BRIEFING": "Security briefing",
    "ID_BADGE": "ID badge issued",
    "KEY_TRAINING": "Key training",
}
# (label, tag colour) per grant state.
STATUS_TAGS = {
    GrantState.PENDING_REVIEW: ("Awaiting review", "blue"),
    GrantState.APPROVED: ("Approved: induction due", "yellow"),
    GrantState.ACTIVE: ("Active", "green"),
    GrantState.SUSPENDED: ("Suspended", "orange"),
    GrantState.REFUSED: ("Refused", "red"),
    GrantState.REVOKED: ("Revoked", "red"),
    GrantState.ENDED: ("Ended", "grey"),
    GrantState.EXCLUDED: ("Excluded", "red"),
}
ACTION_LABELS = {
    "grant.opened": "Request opened",
    "grant.approved": "Approved",
    "grant.renewal_approved": "Renewal approved",
    "grant.refused": "Refused",
    "grant.induction_recorded": "Induction recorded",
    "grant.activated": "Activated",
    "grant.suspended": "Suspended",
    "grant.reinstated": "Reinstated",
    "grant.excluded": "Excluded",
    "grant.revoked": "Revoked",
    "grant.ended": "Ended",
    "gate.checked": "Gate check",
    "grant.photo_taken": "Photo taken",
}


def uk_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TIME).date()
    return f"{value.day} {value:%B %Y}"


def uk_datetime(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):  # a moment kept in JSON (the induction checklist)
        value = datetime.fromisoformat(value)
    local = value.astimezone(LOCAL_TIME)
    return f"{local.day} {local:%B %Y, %H:%M}"


def access_label(value: str | None) -> str:
    return ACCESS_LABELS.get(value or "", value or "—")


def action_label(entry: dict[str, Any]) -> str:
    label = ACTION_LABELS.get(entry["action"], entry["action"])
    detail = entry.get("detail") or {}
    if entry["action"] == "gate.checked":
        return f"{label}: {'allowed' if detail.get('allowed') else 'not allowed'}"
    if entry["action"] == "grant.induction_recorded" and detail.get("item"):
        item = INDUCTION_LABELS.get(detail["item"], detail["item"])
        return f"{label}: {item if item[:2].isupper() else item[:1].lower() + item[1:]}"
    return label


def register_filters(app: Flask) -> None:
    app.add_template_filter(uk_date, "uk_date")
    app.add_template_filter(uk_datetime, "uk_datetime")
    app.add_template_filter(access_label, "access_label")
    app.add_template_filter(clearance_label, "clearance_level")
    app.jinja_env.globals.update(
        console_status_tags=STATUS_TAGS,
        console_day_labels=DAY_LABELS,
        console_induction_labels=INDUCTION_LABELS,
        console_role_labels=ROLE_LABELS,
        console_action_label=action_label,
        console_field_error=field_error,
    )


def field_error(error: Any, form: str, name: str) -> dict[str, str] | None:
    """A GOV.UK macro's errorMessage for one field of a form that came back (pages.FormError)."""
    messages = error.on(name) if error is not None and error.form == form else []
    return {"text": " ".join(messages)} if messages else None


def access_choices(grant: Grant) -> list[str]:
    """Access types up to what the clearance allows (the copy already honours ESCORTED_ONLY)."""
    return [
        kind for kind, rank in ACCESS_RANK.items() if rank <= ACCESS_RANK[grant.clearance_access]
    ]


@dataclass(frozen=True)
class Offer:
    """The forms this grant page shows to this member of staff."""

    approve: bool
    refuse: bool
    induction: tuple[str, ...]
    suspend: bool
    reinstate: bool
    exclude: bool
    revoke: bool
    end: bool

    @property
    def any(self) -> bool:
        return any(
            (
                self.approve,
                self.refuse,
                self.induction,
                self.suspend,
                self.reinstate,
                self.exclude,
                self.revoke,
                self.end,
            )
        )


def offer(grant: Grant, actor: Actor) -> Offer:
    head = HEAD in actor.roles
    renewal = grant.awaiting_review and grant.status in LIVE
    awaiting_induction = grant.status == APPROVED or (
        grant.status == SUSPENDED and grant.resume_status == APPROVED
    )
    return Offer(
        approve=(grant.status == PENDING or renewal)
        and grant.clearance_status == ClearanceStatus.ACTIVE,
        refuse=grant.status == PENDING,
        induction=tuple(induction_outstanding(grant.induction, grant.access_type))
        if awaiting_induction
        else (),
        suspend=grant.status in LIVE and not grant.suspended_locally,
        reinstate=grant.status == SUSPENDED and grant.suspended_locally,
        exclude=head and grant.status in OPEN,
        revoke=head and grant.status in LIVE,
        end=grant.status in OPEN,
    )
