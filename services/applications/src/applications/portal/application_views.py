"""The organisation's applications: a list, newest change first."""

from __future__ import annotations

from flask import render_template

from applications.portal.blueprint import bp, organisation_id, platform
from applications.service_layer.drafts import list_applications


@bp.get("/applications")
def applications():
    with platform().unit_of_work() as uow:
        page = list_applications(uow.session, organisation_id())
    return render_template("portal/applications.html", page=page)
