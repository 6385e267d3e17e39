"""The coordinator sends the volunteer their link (by email or text message), and sees only
whether the volunteer's sections are complete, never what is in them."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from wtforms.fields.choices import SelectChoice

from applications.domain.lifecycle import DRAFT
from applications.portal.blueprint import actor, bp, organisation_id, own_application, platform
from applications.portal.volunteer_forms import SendLinkForm
from applications.routes.app_context import contact_links
from applications.service_layer import volunteer_links, volunteer_sections
from shared.errors import Conflict

STATUS_WORDS = {
    volunteer_sections.COMPLETE: ("Complete", "govuk-tag--green"),
    volunteer_sections.NEEDS_ATTENTION: ("Needs attention", "govuk-tag--yellow"),
}
SECTION_TITLES = {
    "declarations": "Convictions and cautions",
    "connections": "Connections with people in prison",
    "identity_documents": "Identity documents",
}


def section_rows(application: object) -> list[dict[str, str]]:
    """The volunteer's sections as the coordinator sees them: a status each."""
    statuses = volunteer_sections.section_statuses(application)
    return [
        {
            "title": SECTION_TITLES[name],
            "text": STATUS_WORDS[status][0],
            "classes": STATUS_WORDS[status][1],
        }
        for name, status in statuses.items()
    ]


def _choices(application: object) -> list[SelectChoice]:
    contact = (getattr(application, "applicant", None) or {}).get("contact") or {}
    words = {
        "EMAIL": f"By email to {contact.get('email')}",
        "SMS": f"By text message to {contact.get('mobile')}",
    }
    channels = volunteer_links.channels(application)  # type: ignore[arg-type]
    return [SelectChoice(channel, words[channel]) for channel in channels]


@bp.route("/applications/<string:application_id>/volunteer-link", methods=["GET", "POST"])
def send_volunteer_link(application_id: str):
    form = SendLinkForm()
    status = 200
    with platform().unit_of_work() as uow:
        application = own_application(uow.session, application_id)
        form.channel.choices = _choices(application)
        if form.is_submitted():
            chosen = form.channel.data
            if chosen not in {choice.value for choice in form.channel.choices}:
                form.channel.errors = ["Select how to send the link."]
                status = 422
            else:
                try:
                    volunteer_links.send(
                        uow,
                        organisation_id(),
                        application_id,
                        chosen,
                        sent_by=actor(),
                        base_url=contact_links().base_url,
                    )
                except Conflict as exc:
                    form.form_errors.append(str(exc))
                    status = 409
                else:
                    uow.commit()
                    flash("The link has been sent to the volunteer.", "success")
                    return redirect(
                        url_for("portal.send_volunteer_link", application_id=application_id)
                    )
        last = volunteer_links.last_sent(uow.session, application_id)
        html = render_template(
            "portal/volunteer_link.html",
            application=application,
            name=" ".join(
                filter(
                    None,
                    (application.applicant.get("forenames"), application.applicant.get("surname")),
                )
            ),
            form=form,
            last=last,
            now=uow.now(),
            sections=section_rows(application),
            is_draft=application.status == DRAFT,
        )
    return html, status
