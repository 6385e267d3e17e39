"""The badge photo in the console: served to the grant's own establishment only (never cached),
taken with the ID badge or replaced from the grant's page; pages ask `console_photos` which
grants have one."""

from __future__ import annotations

from flask import Response, flash, redirect, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from access.console.blueprint import actor, bp, clock, platform
from access.console.grant_views import grant_page
from access.console.pages import FormError
from access.domain.photos import MAX_BYTES
from access.service_layer import photos
from access.service_layer.actors import grant_for_update
from shared.audit.trail import record_read
from shared.errors import Conflict, Invalid

# The forms that may carry a photo, and the room each needs (the file and the form around it).
UPLOADS = {"console.induction": "induction", "console.grant_photo_upload": "photo"}
UPLOAD_LIMIT = MAX_BYTES + 64 * 1024
TOO_LARGE = f"The photo must be smaller than {MAX_BYTES // 1024 // 1024} MB."


@bp.before_app_request
def room_for_a_photo() -> None:
    """Before the door's CSRF check reads the form: a photo is larger than the app's limit
    allows any other request."""
    if request.method == "POST" and request.endpoint in UPLOADS:
        request.max_content_length = UPLOAD_LIMIT
        request.max_form_memory_size = UPLOAD_LIMIT


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc: RequestEntityTooLarge):
    form = UPLOADS.get(request.endpoint or "")
    grant_id = (request.view_args or {}).get("grant_id")
    if form is None or grant_id is None:
        return "Too large", 413
    error = FormError(form, "The photo cannot be used.", {"photo": [TOO_LARGE]})
    return grant_page(grant_id, error=error, status=413)


@bp.app_template_global("console_photos")
def console_photos(grant_ids: list[str]) -> set[str]:
    """Which of these grants have a photo."""
    with platform().session_factory() as session:
        return photos.with_photos(session, [grant_id for grant_id in grant_ids if grant_id])


def uploaded_photo() -> bytes | None:
    """The posted `photo` file as it will be kept; None if none was chosen; Invalid if it
    cannot be used."""
    upload = request.files.get("photo")
    if upload is None or not (upload.filename or "").strip():
        return None
    return photos.processed(upload.read(MAX_BYTES + 1))


@bp.route("/grants/<string:grant_id>/photo")
def grant_photo(grant_id: str):
    who = actor()
    with platform().session_factory() as session:
        image, content_type = photos.photo_of(session, who, grant_id)
        record_read(session, "grant", grant_id, {"view": "photo"}, by=(who.id, who.kind))
    response = Response(image, mimetype=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/grants/<string:grant_id>/photo", methods=["POST"])
def grant_photo_upload(grant_id: str):
    who = actor()
    try:
        with platform().unit_of_work() as uow:
            # Another establishment's grant is a 404 before the file is looked at.
            grant = grant_for_update(uow.session, who, grant_id)
            if grant.superseded_at is not None:
                raise Conflict("This request has been replaced: take the photo on the new one.")
            image = uploaded_photo()
            if image is None:
                raise Invalid("The photo cannot be used.", {"photo": ["Select a photo."]})
            photos.store(uow, grant, who, clock(), image)
            uow.commit()
    except (Invalid, Conflict) as exc:
        return grant_page(grant_id, error=FormError.of("photo", exc), status=exc.status)
    flash("Photo saved.", "success")
    return redirect(url_for("console.grant", grant_id=grant_id))
