"""The organisation's team, for its admins: who is a member or invited, with which role;
invite someone by email; remove a member (asked to confirm). Every page is admin-only and
shows only the acting organisation's members (another's is 404)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from applications.portal.blueprint import bp, organisation_id, platform, require_admin
from applications.portal.team_forms import ConfirmForm, InviteForm, day, role_label, show_errors
from applications.service_layer import members
from applications.service_layer.audit_trail import portal_actor
from shared.errors import Conflict, Invalid
from shared.frontdoor import signed_in


def _by() -> tuple[str, str]:
    return portal_actor(signed_in().subject)


@bp.get("/team", endpoint="members")
def team():
    acting = require_admin()
    with platform().session_factory() as db:
        rows = [
            {
                "id": member.id,
                "email": member.email,
                "role": role_label(member.role),
                "state": f"Joined {day(member.joined_at)}"
                if member.joined_at
                else f"Invited {day(member.invited_at)}",
                "is_me": member.id == acting.member_id,
            }
            for member in members.members_of(db, organisation_id())
        ]
    return render_template("portal/team.html", rows=rows, organisation=acting.organisation_name)


@bp.route("/team/invite", methods=["GET", "POST"])
def invite_member():
    require_admin()
    form = InviteForm()
    if request.method == "GET":
        return render_template("portal/invite.html", form=form)
    if not form.validate():
        return render_template("portal/invite.html", form=form), 400
    try:
        with platform().unit_of_work() as uow:
            member = members.invite(
                uow,
                organisation_id(),
                form.email.data or "",
                form.role.data or "",
                _by(),
                members.portal_url(platform().settings),
            )
            uow.commit()
    except Invalid as exc:
        show_errors(form, exc.errors, str(exc))
        return render_template("portal/invite.html", form=form), 422
    flash(f"We have emailed an invitation to {member.email}.", "success")
    return redirect(url_for("portal.members"), 303)


@bp.route("/team/<string:member_id>/remove", methods=["GET", "POST"])
def remove_member(member_id: str):
    # Whose member it is first: another organisation's people get 404, whatever their role.
    with platform().session_factory() as db:
        member = members.member_of(db, organisation_id(), member_id)  # 404 if not ours
        acting = require_admin()
        shown = {"email": member.email, "role": role_label(member.role), "joined": member.subject}
    form = ConfirmForm()
    page = {"form": form, "member": shown, "member_id": member_id}
    page["is_me"] = member_id == acting.member_id
    if request.method == "GET":
        return render_template("portal/remove_member.html", **page)
    if not form.validate():
        return render_template("portal/remove_member.html", **page), 400
    try:
        with platform().unit_of_work() as uow:
            members.remove(uow, organisation_id(), member_id, _by())
            uow.commit()
    except Conflict as exc:
        show_errors(form, exc.errors, str(exc))
        return render_template("portal/remove_member.html", **page), 409
    if page["is_me"]:
        # They are no longer a member here: their next page is the front page's choice.
        flash("You have left the organisation.", "success")
        return redirect(url_for("portal.home"), 303)
    flash(f"{shown['email']} has been removed from the team.", "success")
    return redirect(url_for("portal.members"), 303)
