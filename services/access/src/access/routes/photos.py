"""/grants/{id}/photo: the badge photo, read and replaced."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from access.domain.lifecycle import TEAM
from access.domain.photos import MAX_BYTES
from access.routes.access_control import SECURITY, actor, platform
from access.schemas.grants import GrantSchema
from access.service_layer import photos, queries
from access.service_layer.actors import grant_for_reading, grant_for_update
from shared.audit.trail import record_read
from shared.web.auth import staff_required
from shared.web.errors import ErrorSchema

blp = Blueprint(
    "grant-photos",
    __name__,
    url_prefix="/grants",
    description="The photo taken when a grant's badge was issued.",
)
IMAGE_TYPES = ("image/jpeg", "image/png")
PHOTO_BODY = {
    "required": True,
    "description": (
        f"A JPEG or PNG, smaller than {MAX_BYTES // 1024 // 1024} MB, as the request body "
        "(or as the `photo` part of multipart/form-data). Kept re-encoded as a JPEG of at "
        "most 800 x 1000 pixels, with no metadata."
    ),
    "content": {
        **{kind: {"schema": {"type": "string", "format": "binary"}} for kind in IMAGE_TYPES},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "properties": {"photo": {"type": "string", "format": "binary"}},
            }
        },
    },
}


def no_store(response: Response) -> Response:
    """A face is not for a shared computer's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _uploaded() -> bytes:
    request.max_content_length = MAX_BYTES + 64 * 1024  # room for a photo, and no more
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("photo")
        return upload.read(MAX_BYTES + 1) if upload is not None else b""
    if request.mimetype not in IMAGE_TYPES:
        abort(415, message="Send a JPEG or PNG: Content-Type image/jpeg or image/png.")
    return request.get_data(cache=False)


@blp.route("/<string:grant_id>/photo")
class GrantPhoto(MethodView):
    decorators = [staff_required(*TEAM)]

    @blp.response(200, description="The photo (JPEG). Not to be cached.", content_type="image/jpeg")
    @blp.alt_response(404, schema=ErrorSchema, description="No such grant here, or no photo.")
    @blp.doc(security=SECURITY)
    def get(self, grant_id: str):
        """The grant's badge photo. Each read is audited."""
        who = actor()
        with platform().session_factory() as session:
            image, content_type = photos.photo_of(session, who, grant_id)
            record_read(session, "grant", grant_id, detail={"view": "photo"})
        return no_store(Response(image, mimetype=content_type))

    @blp.response(200, GrantSchema)
    @blp.alt_response(413, schema=ErrorSchema, description="The request is too large.")
    @blp.alt_response(415, schema=ErrorSchema, description="Not a JPEG or PNG upload.")
    @blp.doc(security=SECURITY, requestBody=PHOTO_BODY)
    def put(self, grant_id: str):
        """Take (or replace) the grant's badge photo: a JPEG or PNG, re-encoded without its
        metadata. A file that is not a usable image: 422 with a message on `photo`."""
        who = actor()
        with platform().session_factory() as session:
            grant_for_reading(session, who, grant_id)  # another establishment's: 404 first
        image = photos.processed(_uploaded())
        with platform().unit_of_work() as uow:
            grant = grant_for_update(uow.session, who, grant_id)
            photos.store(uow, grant, who, uow.now(), image)
            uow.commit()
            return queries.grant_view(grant)
