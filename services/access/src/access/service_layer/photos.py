"""A grant's badge photo: taken or uploaded when the badge is issued (or later, to replace it),
re-encoded without metadata (access.domain.photos), stored encrypted, shown to the security
team at the gate and on the person's page. Erasure, retention and subject access reach it
through `forget` and `photos_of`."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from access.domain.photos import CONTENT_TYPE, BadPhoto, reencode
from access.models import Grant, Photo
from access.service_layer.actors import Actor, grant_for_reading
from access.service_layer.grant_audit import audit_grant
from shared.errors import Invalid, NotFound
from shared.uow import UnitOfWork


def processed(content: bytes, field: str = "photo") -> bytes:
    """The photo as it will be kept; a bad file is a 422 on `field`."""
    try:
        return reencode(content)
    except BadPhoto as exc:
        raise Invalid("The photo cannot be used.", {field: [str(exc)]}) from None


def store(uow: UnitOfWork, grant: Grant, actor: Actor, moment: datetime, image: bytes) -> None:
    """Keep `image` (already `processed`) as the grant's photo, replacing any before. The
    caller has found the grant in the actor's scope, and commits."""
    photo = uow.session.get(Photo, grant.id)
    if photo is None:
        photo = Photo(grant_id=grant.id)
        uow.session.add(photo)
    photo.person_id, photo.establishment_code = grant.person_id, grant.establishment_code
    photo.image = base64.b64encode(image).decode("ascii")
    photo.content_type, photo.taken_at, photo.taken_by = CONTENT_TYPE, moment, actor.id
    audit_grant(uow, actor, "grant.photo_taken", grant, detail={"bytes": len(image)})


def photo_of(session: Session, actor: Actor, grant_id: str) -> tuple[bytes, str]:
    """(image, content type) of the grant's photo, if the grant is in the actor's scope and has
    one; else NotFound."""
    grant_for_reading(session, actor, grant_id)
    photo = session.get(Photo, grant_id)
    if photo is None:
        raise NotFound("No photo.")
    return base64.b64decode(photo.image), photo.content_type


def with_photos(session: Session, grant_ids: list[str]) -> set[str]:
    """Which of these grants have a photo (one read, no image decrypted)."""
    if not grant_ids:
        return set()
    return set(
        session.execute(select(Photo.grant_id).where(Photo.grant_id.in_(grant_ids))).scalars()
    )


def forget(session: Session, grant_ids: list[str]) -> int:
    """Erasure and retention: delete these grants' photos. The number deleted."""
    if not grant_ids:
        return 0
    found = list(
        session.execute(select(Photo.grant_id).where(Photo.grant_id.in_(grant_ids))).scalars()
    )
    if found:
        session.execute(delete(Photo).where(Photo.grant_id.in_(found)))
    return len(found)


def photos_of(session: Session, person_ids: list[str]) -> list[dict[str, Any]]:
    """Subject access: every photo of these people, the image itself included."""
    if not person_ids:
        return []
    rows = session.execute(
        select(Photo)
        .where(Photo.person_id.in_(person_ids))
        .order_by(Photo.taken_at, Photo.grant_id)
    ).scalars()
    return [
        {
            "grant_id": photo.grant_id,
            "establishment_code": photo.establishment_code,
            "content_type": photo.content_type,
            "taken_at": photo.taken_at,
            "taken_by": photo.taken_by,
            "image_base64": photo.image,
        }
        for photo in rows
    ]
