"""The organisation's API keys, for its admins: the list (key id, created, revoked), a new key
shown once on the page with its key id, and revoking one. The operator's CLI stays too."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from applications.portal.blueprint import bp, organisation_id, platform, require_admin
from applications.portal.team_forms import ConfirmForm, day
from applications.service_layer import organisations
from applications.service_layer.audit_trail import portal_actor
from shared.errors import Conflict
from shared.frontdoor import signed_in


def _keys() -> list[dict[str, str | bool]]:
    with platform().session_factory() as db:
        return [
            {
                "key_id": key.key_id,
                "created": day(key.created_at),
                "revoked": day(key.revoked_at),
                "live": key.revoked_at is None,
            }
            for key in organisations.api_keys_of(db, organisation_id())
        ]


@bp.get("/api-keys")
def api_keys():
    require_admin()
    return render_template("portal/api_keys.html", keys=_keys(), form=ConfirmForm())


@bp.post("/api-keys")
def create_api_key():
    require_admin()
    form = ConfirmForm()
    if not form.validate():
        return render_template("portal/api_keys.html", keys=_keys(), form=form), 400
    with platform().unit_of_work() as uow:
        key_id, plaintext = organisations.create_api_key(
            uow,
            organisation_id(),
            platform().settings.api_key_pepper,
            portal_actor(signed_in().subject),
        )
        uow.commit()
    # Shown on this answer only (never stored, never redirected to): a POST's page, not cached.
    html = render_template("portal/api_key_created.html", key_id=key_id, plaintext=plaintext)
    return html, 200, {"Cache-Control": "no-store"}


@bp.route("/api-keys/<string:key_id>/revoke", methods=["GET", "POST"])
def revoke_api_key(key_id: str):
    """Asked first (GET): an integration using the key stops working at once."""
    # Whose key it is first: another organisation's people get 404, whatever their role.
    with platform().session_factory() as db:
        key = organisations.own_api_key(db, organisation_id(), key_id)  # 404 if not ours
        require_admin()
        if key.revoked_at is not None:
            raise Conflict(f"API key {key_id} was already revoked on {day(key.revoked_at)}.")
    form = ConfirmForm()
    if request.method == "GET" or not form.validate():
        page = render_template("portal/revoke_api_key.html", key_id=key_id, form=form)
        return page, 200 if request.method == "GET" else 400
    with platform().unit_of_work() as uow:
        organisations.revoke_own_api_key(
            uow, organisation_id(), key_id, portal_actor(signed_in().subject)
        )
        uow.commit()
    flash(
        f"API key {key_id} has been revoked: requests made with it are refused within seconds.",
        "success",
    )
    return redirect(url_for("portal.api_keys"), 303)
