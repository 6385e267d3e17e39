"""The portal's front door (shared.frontdoor, for members of the public) and what its views
share: the platform, the clock, who is signed in, and for which organisation they act."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, g, session
from sqlalchemy.orm import Session

from applications.models import Application
from applications.service_layer import members
from applications.service_layer.members import Membership
from shared.auth import StaffIdentity
from shared.errors import Forbidden, NotFound
from shared.frontdoor import FrontDoor, signed_in
from shared.platform import Platform

ORGANISATION_KEY = "portal_organisation"
# Endpoints only an organisation's admins see in the navigation (and may open).
ADMIN_ENDPOINTS = frozenset({"portal.members", "portal.api_keys"})


def _anyone(_identity: StaffIdentity) -> bool:
    """Anyone with a verified email address may sign in; what they may see is their
    memberships' business (a person with none sees only that they have none)."""
    return True


def _bind_invitations(db: Session, identity: StaffIdentity, email: str, moment: datetime) -> None:
    members.bind_invitations(db, identity.staff_id, email, moment)


def _shown(endpoint: str) -> bool:
    acting = g.get("portal_membership")
    return endpoint not in ADMIN_ENDPOINTS or (acting is not None and acting.is_admin)


door = FrontDoor(
    name="portal",
    service="applications",
    title="Volunteer clearance for prisons",
    home="portal.home",
    may_enter=_anyone,
    refused="You cannot sign in to this service.",
    env_prefix="APPLICATIONS_PORTAL",
    import_name=__name__,
    template_folder="templates",
    navigation=(
        ("Applications", "portal.applications"),
        ("Upload a spreadsheet", "portal.bulk_upload"),
        ("Team", "portal.members"),
        ("API keys", "portal.api_keys"),
    ),
    people="public",
    show_in_navigation=_shown,
    footer=(
        "What you tell us here is used only to vet volunteers for prisons in England, and is "
        "kept safe. Every sign-in and change is recorded."
    ),
    on_sign_in=_bind_invitations,
)
bp = door.blueprint
bp.static_folder = "static"


def platform() -> Platform:
    return current_app.extensions["platform"]


def now() -> datetime:
    """Now, by the platform's clock."""
    return platform().clock.now()


def memberships() -> list[Membership]:
    """The signed-in person's memberships (read once per request)."""
    if "portal_memberships" not in g:
        with platform().session_factory() as db:
            g.portal_memberships = members.memberships_of(db, signed_in().subject)
    found: list[Membership] = g.portal_memberships
    return found


def acting_for() -> Membership | None:
    """The membership the person acts in now: their only one, or the one they chose."""
    mine = memberships()
    chosen = session.get(ORGANISATION_KEY)
    for membership in mine:
        if membership.organisation_id == chosen:
            return membership
    return mine[0] if len(mine) == 1 else None


def choose(organisation_id: str) -> Membership:
    """Act for this organisation from now on (one the person is a member of, else 404)."""
    for membership in memberships():
        if membership.organisation_id == organisation_id:
            session[ORGANISATION_KEY] = organisation_id
            g.portal_membership = membership
            return membership
    raise NotFound()


def membership() -> Membership:
    """The membership the page acts in (the guard below has made sure there is one)."""
    found: Membership = g.portal_membership
    return found


def organisation_id() -> str:
    return membership().organisation_id


def require_admin() -> Membership:
    """Only the organisation's admins manage its members and API keys."""
    acting = membership()
    if not acting.is_admin:
        raise Forbidden("Only your organisation's admins can do this.")
    return acting


def actor() -> str:
    """Who acts, as audit entries and timelines name a portal user."""
    return f"portal:{signed_in().subject}"


def own_application(db: Session, application_id: str) -> Application:
    """One of the acting organisation's applications; any other (another organisation's, or
    none) is 404 — the same answer, so nobody can tell which exist."""
    found = db.get(Application, application_id)
    if found is None or found.organisation_id != organisation_id():
        raise NotFound()
    return found
