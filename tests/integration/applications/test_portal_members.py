"""The portal's team pages, for an organisation's admins, on both run modes: the list, an
invitation (emailed through organisation.member_invited, audited, bound at the invitee's first
sign-in), removal (asked first; the last admin who has signed in stays); a wrong answer is the
GOV.UK error summary and writes nothing; a coordinator gets 403, another organisation's member
404, the signed-out the sign-in page. The operator's commands invite too."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from applications.models import PortalMember
from applications.service import definition
from shared.audit.log import audit_log_table
from shared.cli import make_cli
from tests.support.applications_api import published
from tests.support.identity import PROVIDER
from tests.support.portal_harness import Portal
from tests.support.workbench_harness import token_in


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"])
    yield harness
    harness.close()


def send(client, url: str, data: dict[str, str] | None = None):
    """Post to `url` with the CSRF token of the page at `url` (or the team page)."""
    page = client.get(url)
    html = page.text if page.status_code == 200 else client.get("/portal/team").text
    return client.post(url, data={**(data or {}), "csrf_token": token_in(html)})


def member(portal: Portal, email: str) -> PortalMember:
    with portal.platform.session_factory() as db:
        return db.scalars(select(PortalMember).where(PortalMember.email == email)).one()


def audit_actions(portal: Portal) -> list[tuple[str, str, str]]:
    with portal.platform.engine.connect() as connection:
        rows = connection.execute(select(audit_log_table).order_by(audit_log_table.c.id))
        return [(row.action, row.actor, row.subject_id) for row in rows]


def is_form_error(answer, status: int, *messages: str) -> None:
    assert answer.status_code == status, answer.text
    assert re.search(r"<title>\s*Error: ", answer.text), "the title starts Error:"
    assert "govuk-error-summary" in answer.text
    for message in messages:
        assert message in answer.text, message


def test_the_team_page_lists_members_and_invitations(portal):
    admin = portal.signed_in("admin_a")
    page = admin.get("/portal/team")
    assert page.status_code == 200
    assert portal.email("admin_a") in page.text and portal.email("coord_a") in page.text
    assert portal.email("admin_b") not in page.text  # another organisation's people
    assert "Admin (you)" in page.text and "Joined" in page.text
    assert "Invited" in page.text  # coord_a has not signed in yet
    assert 'href="/portal/team/invite"' in page.text


def test_an_admin_invites_a_coordinator_who_joins_at_first_sign_in(portal):
    admin = portal.signed_in("admin_a")
    new = portal.email("new")
    answer = send(admin, "/portal/team/invite", {"email": new.upper(), "role": "coordinator"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/portal/team")
    assert f"We have emailed an invitation to {new}" in admin.get("/portal/team").text
    invited = member(portal, new)
    assert invited.role == "coordinator" and invited.subject is None
    [event] = published(portal.platform, "organisation.member_invited")
    assert event["email"] == new and event["role"] == "coordinator"
    assert event["organisation_name"] == "Org A"
    assert event["sign_in_url"] == "http://127.0.0.1:8001/portal"
    admin_subject = f"portal:public-{portal.username('admin_a')}"
    assert ("portal_member.invited", admin_subject, invited.id) in audit_actions(portal)
    # The invitee signs in with that address: bound, audited, and in.
    PROVIDER.add_public_user(portal.username("new"), new)
    client = portal.signed_in("new")
    assert client.get("/portal/applications").status_code == 200
    joined = member(portal, new)
    assert joined.subject == f"public-{portal.username('new')}" and joined.joined_at
    subject = f"portal:{joined.subject}"
    assert ("portal_member.joined", subject, joined.id) in audit_actions(portal)
    # A coordinator does not manage the team.
    assert client.get("/portal/team").status_code == 403


def test_a_wrong_invitation_is_an_error_summary_and_writes_nothing(portal):
    admin = portal.signed_in("admin_a")
    blank = send(admin, "/portal/team/invite", {"email": "", "role": "coordinator"})
    is_form_error(blank, 422, "Enter an email address.")
    assert 'href="#email"' in blank.text
    wrong = send(admin, "/portal/team/invite", {"email": "not-an-email", "role": "coordinator"})
    is_form_error(wrong, 422, "Enter an email address in the correct format")
    role = send(admin, "/portal/team/invite", {"email": portal.email("x"), "role": "owner"})
    is_form_error(role, 422, "Select a role.")
    twice = send(
        admin, "/portal/team/invite", {"email": portal.email("coord_a"), "role": "coordinator"}
    )
    is_form_error(twice, 422, "is already a member or invited")
    assert published(portal.platform, "organisation.member_invited") == []
    no_token = admin.post(
        "/portal/team/invite", data={"email": portal.email("y"), "role": "coordinator"}
    )
    assert no_token.status_code == 400
    with portal.platform.session_factory() as db:
        emails = set(db.scalars(select(PortalMember.email)))
    assert portal.email("x") not in emails and portal.email("y") not in emails


def test_an_admin_removes_a_member_after_confirming(portal):
    coordinator = portal.signed_in("coord_a")  # joined
    admin = portal.signed_in("admin_a")
    coord = member(portal, portal.email("coord_a"))
    url = f"/portal/team/{coord.id}/remove"
    asked = admin.get(url)
    assert asked.status_code == 200 and "Remove this member?" in asked.text
    assert member(portal, portal.email("coord_a")).removed_at is None  # asking changes nothing
    done = send(admin, url)
    assert done.status_code == 303 and done.headers["Location"].endswith("/portal/team")
    team = admin.get("/portal/team").text
    assert f"{portal.email('coord_a')} has been removed from the team." in team
    removed = member(portal, portal.email("coord_a"))
    assert removed.removed_at and removed.removed_by.startswith("portal:")
    assert ("portal_member.removed", removed.removed_by, removed.id) in audit_actions(portal)
    # They lose the organisation at once, in the session they already have.
    assert coordinator.get("/portal/applications").status_code == 302
    assert admin.get(url).status_code == 404  # removed already
    # Invited again, they start afresh and join again at their next sign-in.
    again = send(
        admin, "/portal/team/invite", {"email": portal.email("coord_a"), "role": "coordinator"}
    )
    assert again.status_code == 303
    assert member(portal, portal.email("coord_a")).subject is None
    assert portal.signed_in("coord_a").get("/portal/applications").status_code == 200


def test_the_last_admin_who_signed_in_cannot_be_removed(portal):
    admin = portal.signed_in("admin_a")
    me = member(portal, portal.email("admin_a"))
    url = f"/portal/team/{me.id}/remove"
    assert "Leave the team?" in admin.get(url).text
    refused = send(admin, url)
    is_form_error(refused, 409, "You cannot remove the organisation&#39;s only admin")
    assert member(portal, portal.email("admin_a")).removed_at is None
    # With a second admin who has signed in, an admin may leave.
    portal.add_member("admin2_a", "A", "organisation_admin")
    portal.signed_in("admin2_a")
    left = send(admin, url)
    assert left.status_code == 303 and left.headers["Location"].endswith("/portal/")
    assert admin.get("/portal/team").status_code == 302  # no organisation to act for now


def test_an_invitation_nobody_took_up_can_be_withdrawn_even_an_admins(portal):
    admin = portal.signed_in("admin_a")
    send(
        admin, "/portal/team/invite", {"email": portal.email("later"), "role": "organisation_admin"}
    )
    pending = member(portal, portal.email("later"))
    url = f"/portal/team/{pending.id}/remove"
    assert "Withdraw this invitation?" in admin.get(url).text
    assert send(admin, url).status_code == 303
    PROVIDER.add_public_user(portal.username("later"), portal.email("later"))
    client = portal.signed_in("later")
    assert "not a member of an organisation" in client.get("/portal/").text


def test_who_may_reach_the_team_pages(portal):
    other = member(portal, portal.email("coord_b"))
    mine = member(portal, portal.email("coord_a"))
    coordinator = portal.signed_in("coord_a")
    for url in ("/portal/team", "/portal/team/invite", f"/portal/team/{mine.id}/remove"):
        assert coordinator.get(url).status_code == 403, url
    token = token_in(coordinator.get("/portal/applications").text)
    for url in ("/portal/team/invite", f"/portal/team/{mine.id}/remove"):
        answer = coordinator.post(url, data={"email": portal.email("z"), "csrf_token": token})
        assert answer.status_code == 403, url
    assert member(portal, portal.email("coord_a")).removed_at is None
    admin_b = portal.signed_in("admin_b")
    token = token_in(admin_b.get("/portal/team").text)
    assert admin_b.get(f"/portal/team/{mine.id}/remove").status_code == 404
    assert (
        admin_b.post(f"/portal/team/{mine.id}/remove", data={"csrf_token": token}).status_code
        == 404
    )
    assert member(portal, portal.email("coord_a")).removed_at is None
    assert admin_b.get(f"/portal/team/{other.id}/remove").status_code == 200  # their own
    nobody = portal.app.test_client()
    for url in ("/portal/team", "/portal/team/invite", f"/portal/team/{mine.id}/remove"):
        answer = nobody.get(url)
        assert answer.status_code == 302 and "/portal/login" in answer.headers["Location"], url


def test_the_operator_registers_an_organisation_whose_coordinator_becomes_its_admin(
    portal, backend_env
):
    from click.testing import CliRunner

    cli, runner, env = make_cli(definition(), "x"), CliRunner(), backend_env["applications"]
    email = portal.email("founder")
    made = runner.invoke(
        cli,
        [
            "create-organisation",
            "--name",
            "Org C",
            "--fellowship",
            "AA",
            "--coordinator-email",
            email,
        ],
        env=env,
    )
    assert made.exit_code == 0, made.output
    organisation_id = json.loads(made.stdout)["organisation_id"]
    founder = member(portal, email)
    assert founder.organisation_id == organisation_id and founder.role == "organisation_admin"
    invited = runner.invoke(
        cli,
        ["invite-portal-member", organisation_id, portal.email("helper"), "--role", "coordinator"],
        env=env,
    )
    assert invited.exit_code == 0, invited.output
    assert member(portal, portal.email("helper")).role == "coordinator"
    events = [e for e in published(portal.platform, "organisation.member_invited")]
    assert {(e["email"], e["role"]) for e in events} == {
        (email, "organisation_admin"),
        (portal.email("helper"), "coordinator"),
    }
    assert ("portal_member.invited", "operator", founder.id) in audit_actions(portal)
    twice = runner.invoke(cli, ["invite-portal-member", organisation_id, email], env=env)
    assert twice.exit_code != 0 and "already a member" in twice.output
    unknown = runner.invoke(
        cli,
        ["invite-portal-member", "00000000-0000-0000-0000-000000000000", "a@example.org"],
        env=env,
    )
    assert unknown.exit_code != 0
    # The founder signs in and manages the team.
    PROVIDER.add_public_user(portal.username("founder"), email)
    client = portal.signed_in("founder")
    assert client.get("/portal/team").status_code == 200
