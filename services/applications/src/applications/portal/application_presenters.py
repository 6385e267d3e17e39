"""An application as a coordinator reads it: its status as a GOV.UK tag in plain words, its
prisons by name, dates in London time, and each timeline entry as a sentence."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from applications.domain.lifecycle import ApplicationState, ClearanceStatus
from applications.portal.blueprint import bp
from applications.routes.app_context import establishments
from shared.clearance import clearance_label
from shared.frontdoor.words import date_time_words, date_words

# (words, GOV.UK tag colour) per status.
STATUS_TAGS = {
    ApplicationState.DRAFT: ("Draft", "grey"),
    ApplicationState.SUBMITTED: ("Submitted", "blue"),
    ApplicationState.IN_VETTING: ("Being checked", "light-blue"),
    ApplicationState.INFO_REQUESTED: ("Information needed", "yellow"),
    ApplicationState.CLEARED: ("Cleared", "green"),
    ApplicationState.REFUSED: ("Refused", "red"),
    ApplicationState.WITHDRAWN: ("Withdrawn", "grey"),
    ApplicationState.SPONSORSHIP_ENDED: ("Sponsorship ended", "grey"),
}
# A cleared application's clearance, once it is no longer simply active.
CLEARANCE_TAGS = {
    ClearanceStatus.SUSPENDED: ("Clearance suspended", "orange"),
    ClearanceStatus.REVOKED: ("Clearance revoked", "red"),
    ClearanceStatus.EXPIRED: ("Clearance expired", "grey"),
}
CHANGE_KINDS = {
    "NEW_CONVICTION": "a new conviction or caution",
    "NEW_CONNECTION": "a new connection with a person in custody",
    "CHANGE_OF_ADDRESS": "a change of address",
}
CHANGE_OUTCOMES = {
    "UNDER_REVIEW": "a vetting officer is reviewing it",
    "SUSPENDED": "the clearance is suspended while vetting reviews it",
    "NO_CHANGE": "the clearance continues unchanged",
    "CLEARANCE_REVOKED": "the clearance is revoked",
    "IN_VETTING": "the application is being checked again",
    "NO_LIVE_CLEARANCE": "there was no live clearance to review",
}
CHANNELS = {"EMAIL": "an email", "SMS": "a text message"}
RECIPIENTS = {"volunteer": "the volunteer", "coordinator": "you", "security_inbox": "the prison"}


def status_tag(status: str, outcome: Mapping[str, Any] | None = None) -> dict[str, str]:
    """govukTag's parameters for the application's status."""
    clearance = (outcome or {}).get("clearance_status")
    if status == ApplicationState.CLEARED and clearance in CLEARANCE_TAGS:
        text, colour = CLEARANCE_TAGS[clearance]
    else:
        text, colour = STATUS_TAGS.get(status, (label(status), "grey"))  # type: ignore[call-overload]
    return {"text": text, "classes": f"govuk-tag--{colour}"}


def label(value: str | None) -> str:
    if not value:
        return "—"
    words = str(value).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower()


def prison(code: str | None) -> str:
    """An establishment by its name (its code if the list does not know it)."""
    if not code:
        return "—"
    known = establishments().get(code)
    return known.name if known is not None else code


def prisons(codes: list[str] | None) -> str:
    return ", ".join(prison(code) for code in codes or ()) or "None chosen yet"


CONDITIONS = {
    "ESCORTED_ONLY": "Escorted only",
    "ESTABLISHMENT_RESTRICTIONS_APPLY": "Restrictions apply at some prisons (they know which)",
}


def conditions(codes: list[str] | None) -> str:
    """A clearance's conditions in words; a code this page does not know, by its name."""
    shown = [CONDITIONS.get(code, label(code) if code.isupper() else code) for code in codes or ()]
    return ", ".join(shown) or "None"


def _cleared(d: Mapping[str, Any]) -> str:
    level = f" at {clearance_label(d['level'])}" if d.get("level") else ""
    until = f" until {date_words(d['expires_at'])}" if d.get("expires_at") else ""
    return f"Cleared{level}{until}"


def _access(verb: str) -> Callable[[Mapping[str, Any]], str]:
    def words(d: Mapping[str, Any]) -> str:
        access = f" ({label(d['access_type']).lower()})" if d.get("access_type") else ""
        until = f" until {date_words(d['valid_until'])}" if d.get("valid_until") else ""
        return f"{prison(d.get('establishment'))} {verb}{access}{until}"

    return words


def _message(sent: bool) -> Callable[[Mapping[str, Any]], str]:
    def words(d: Mapping[str, Any]) -> str:
        what = CHANNELS.get(d.get("channel", ""), "a message")
        whom = RECIPIENTS.get(d.get("recipient", ""), "someone")
        return f"{'Sent' if sent else 'Could not send'} {what} to {whom}"

    return words


TIMELINE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "draft_created": lambda d: "Renewal draft started" if d.get("renewal_of") else "Draft started",
    "submitted": lambda d: "Submitted for vetting",
    "checks_started": lambda d: "Vetting started the checks",
    "information_requested": lambda d: (
        "Vetting asked the volunteer for more information"
        if d.get("asked") == "VOLUNTEER"
        else "Vetting asked you for more information"
    ),
    "information_provided": lambda d: "Vetting's questions were answered",
    "cleared": _cleared,
    "refused": lambda d: "Refused",
    "refusal_upheld": lambda d: "Refusal upheld after reconsideration",
    "withdrawn": lambda d: "Withdrawn",
    "renewal_started": lambda d: "A renewal was started",
    "change_reported": lambda d: (
        f"You reported {CHANGE_KINDS.get(d.get('kind', ''), 'a change of circumstances')}"
    ),
    "change_reviewed": lambda d: (
        f"Vetting reviewed the change: {CHANGE_OUTCOMES.get(d.get('outcome', ''), 'noted')}"
    ),
    "reconsideration_requested": lambda d: "You asked for the refusal to be reconsidered",
    "sponsorship_ended": lambda d: "Your organisation stopped sponsoring the volunteer",
    "clearance_suspended": lambda d: "Clearance suspended",
    "clearance_reinstated": lambda d: "Clearance reinstated",
    "clearance_revoked": lambda d: "Clearance revoked",
    "clearance_expiring": lambda d: (
        f"Clearance expires on {date_words(d.get('expires_at'))}: renew it before then"
    ),
    "clearance_expired": lambda d: "Clearance expired",
    "access_approved": _access("approved access"),
    "access_refused": _access("refused access"),
    "access_activated": _access("access started"),
    "access_suspended": _access("access suspended"),
    "access_reinstated": _access("access reinstated"),
    "access_excluded": _access("the volunteer is excluded"),
    "access_revoked": _access("access revoked"),
    "access_ended": _access("access ended"),
    "notification_sent": _message(True),
    "notification_failed": _message(False),
    "contact_confirmation_sent": lambda d: (
        f"Sent the volunteer {CHANNELS.get(d.get('channel', ''), 'a message')} to confirm "
        "their contact details"
    ),
    "contact_confirmed": lambda d: "The volunteer confirmed their contact details",
    "contact_opted_out": lambda d: "The volunteer opted out of some messages",
    "erased": lambda d: "The volunteer's personal details were erased",
}


def timeline_words(entry: Mapping[str, Any]) -> str:
    """One timeline entry as a sentence; a kind this page does not know, by its name."""
    words = TIMELINE.get(entry.get("kind", ""))
    detail = entry.get("detail") or {}
    return words(detail) if words is not None else label(entry.get("kind"))


def setup() -> None:
    """The filters and names the portal's application pages use (registered once)."""
    for name, function in (
        ("portal_date", date_words),
        ("portal_datetime", date_time_words),
        ("prison", prison),
        ("prisons", prisons),
        ("timeline_words", timeline_words),
        ("conditions_words", conditions),
    ):
        bp.add_app_template_filter(function, name)
    bp.add_app_template_global(status_tag, "status_tag")


setup()
