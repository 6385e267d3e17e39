"""The badge photo on both run modes: uploaded (API PUT, raw or multipart; the console's induction
form and grant page), kept as a JPEG with no EXIF, turned upright, of capped size, encrypted at
rest; bad files refused with a message on the field; another establishment's grant 404; served
never cached, each read audited; erased with the person or the organisation, purged by retention
and given in a subject access request."""

from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from access.domain.photos import MAX_HEIGHT, MAX_WIDTH
from access.models import Photo
from access.service_layer import retention as access_retention
from access.service_layer.subject_access import gather
from shared import retention
from shared.audit.log import audit_log_table
from tests.support.access_harness import Access
from tests.support.clock import iso_now, now
from tests.support.console_harness import Console, csrf
from tests.support.erasure import hand, person_erased
from tests.support.photos import CAMERA, jpeg_with_exif, opened, png
from tests.support.retention_world import with_env


@pytest.fixture
def access(backend_env):
    harness = Access(backend_env["access"])
    yield harness
    harness.platform.engine.dispose()


def active_grant(access: Access) -> tuple[dict, str]:
    data = access.grant_clearance()
    grant_id = access.grant_id(data["person_id"])
    access.activate(grant_id)
    return data, grant_id


def photo(access: Access, grant_id: str, who: str = "officer"):
    return access.call("GET", f"/grants/{grant_id}/photo", who)


def photo_rows(access: Access) -> int:
    with access.platform.session_factory() as session:
        return len(list(session.execute(select(Photo.grant_id)).scalars()))


def test_a_photo_is_kept_without_exif_upright_and_small(access):
    _data, grant_id = active_grant(access)
    assert photo(access, grant_id).status_code == 404  # none yet
    big = jpeg_with_exif(width=2400, height=1600)
    assert CAMERA.encode() in big and opened(big).getexif()
    stored = access.put_photo(grant_id, big)
    assert stored.status_code == 200, stored.json
    assert stored.json["id"] == grant_id
    answer = photo(access, grant_id)
    assert answer.status_code == 200 and answer.mimetype == "image/jpeg"
    assert answer.headers["Cache-Control"] == "no-store"
    kept = opened(answer.data)
    assert kept.format == "JPEG" and not kept.getexif() and CAMERA.encode() not in answer.data
    assert b"a comment" not in answer.data and "exif" not in kept.info
    # Turned as its EXIF said (landscape taken, portrait shown), within the cap.
    assert kept.width < kept.height <= MAX_HEIGHT and kept.width <= MAX_WIDTH
    # Encrypted at rest: no JPEG (nor its base64) in the table.
    with access.platform.engine.connect() as connection:
        [raw] = connection.execute(text("SELECT image FROM photos")).scalars()
    assert "/9j/" not in raw and "JFIF" not in raw
    # A PNG, multipart this time, replaces it (kept as a JPEG).
    replaced = access.call(
        "PUT",
        f"/grants/{grant_id}/photo",
        data={"photo": (io.BytesIO(png()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 200, replaced.json
    assert opened(photo(access, grant_id).data).size == (120, 160)
    assert photo_rows(access) == 1
    with access.platform.engine.connect() as connection:
        actions = list(
            connection.execute(
                select(audit_log_table.c.action).where(audit_log_table.c.subject_id == grant_id)
            ).scalars()
        )
    assert actions.count("grant.photo_taken") == 2 and "grant.read" in actions


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b"not an image at all", "image/jpeg", 422),
        (b"", "image/png", 422),
        (jpeg_with_exif()[:300], "image/jpeg", 422),  # cut short
        (b"GIF89a" + b"\0" * 40, "image/png", 422),
        (b"{}", "application/json", 415),
    ],
)
def test_bad_files_are_refused_with_a_message_on_the_field(access, content, content_type, status):
    _data, grant_id = active_grant(access)
    refused = access.put_photo(grant_id, content, content_type=content_type)
    assert refused.status_code == status, refused.json
    if status == 422:
        assert refused.json["errors"]["photo"]
    assert photo(access, grant_id).status_code == 404


def test_a_gif_and_a_huge_image_are_refused(access):
    from PIL import Image

    _data, grant_id = active_grant(access)
    gif = io.BytesIO()
    Image.new("RGB", (20, 20)).save(gif, "GIF")
    refused = access.put_photo(grant_id, gif.getvalue(), content_type="image/png")
    assert refused.json["errors"]["photo"] == ["The photo must be a JPEG or PNG file."]
    # A small file that claims a huge image: refused before its pixels are decoded.
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 1024 * 1024
    huge = access.put_photo(grant_id, bomb.getvalue(), content_type="image/png")
    assert huge.status_code == 422 and "too large" in huge.json["errors"]["photo"][0]
    too_big = access.put_photo(grant_id, b"\xff" * (6 * 1024 * 1024))
    assert too_big.status_code in (413, 422)


def test_another_establishments_grant_is_404(access):
    _data, grant_id = active_grant(access)
    assert access.put_photo(grant_id, jpeg_with_exif()).status_code == 200
    assert photo(access, grant_id, "other").status_code == 404
    assert access.put_photo(grant_id, jpeg_with_exif(), who="other").status_code == 404
    assert access.put_photo("no-such-grant", jpeg_with_exif()).status_code == 404


def test_erasure_retention_and_subject_access_cover_photos(access):
    data, grant_id = active_grant(access)
    access.put_photo(grant_id, jpeg_with_exif())
    with access.platform.session_factory() as session:
        found = gather(session, data["person_id"], None, None, now())
    [kept] = found["photos"]
    assert kept["grant_id"] == grant_id and kept["content_type"] == "image/jpeg"
    assert opened(base64.b64decode(kept["image_base64"])).format == "JPEG"
    # The person erased: their photo goes.
    person_erased(access, data["person_id"], [data["application_id"]])
    assert photo_rows(access) == 0
    # An organisation's erasure: the grant only its application asked for loses its photo.
    org, org_grant = active_grant(access)
    access.put_photo(org_grant, jpeg_with_exif())
    hand(
        access,
        "vetting.applications_erased",
        {
            "erasure_id": "6a1f1c1e-4b1a-4f57-9a39-8b1f2f0c6d11",
            "application_ids": [org["application_id"]],
            "counts": {"cases": 1},
            "erased_at": iso_now(),
        },
        org["application_id"],
    )
    assert photo_rows(access) == 0
    # Retention: a grant revoked for longer than the period loses its photo.
    _revoked, revoked_grant = active_grant(access)
    access.put_photo(revoked_grant, jpeg_with_exif())
    _active, active = active_grant(access)
    access.put_photo(active, jpeg_with_exif())
    access.decide(revoked_grant, "revocation", {"reason": "Gone."}, who="head")
    platform = access.platform
    counts = retention.run(
        platform.session_factory,
        with_env(platform),
        access_retention.PURGES,
        now() + timedelta(days=400),
        clock=platform.clock,
    )
    assert counts["closed_grants"] >= 1
    assert photo(access, revoked_grant).status_code == 404
    assert photo(access, active).status_code == 200


@pytest.fixture
def console(backend_env):
    harness = Console(backend_env["access"])
    yield harness
    harness.access.platform.engine.dispose()


def test_the_console_takes_the_photo_with_the_badge_and_shows_it(console):
    client = console.signed_in("officer")
    token, url = csrf(client), f"/console/grants/{console.grant_id}"
    with console.access.platform.session_factory() as session:
        session.execute(Photo.__table__.delete())  # the harness's own photo: start without
        session.commit()
    assert (
        client.post(
            f"{url}/approve", data={"csrf_token": token, "access_type": "ESCORTED"}
        ).status_code
        == 302
    )
    # A bad file with the badge: nothing recorded, the message on the file input.
    bad = client.post(
        f"{url}/induction",
        data={
            "csrf_token": token,
            "security_briefing": "yes",
            "badge_number": "wwi-9",
            "photo": (io.BytesIO(b"not a photo"), "me.jpg", "image/jpeg"),
        },
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422 and 'href="#induction-photo"' in bad.text
    assert console.access.grant(console.grant_id)["status"] == "APPROVED"
    done = client.post(
        f"{url}/induction",
        data={
            "csrf_token": token,
            "security_briefing": "yes",
            "badge_number": "wwi-9",
            "photo": (io.BytesIO(jpeg_with_exif()), "me.jpg", "image/jpeg"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    grant = console.access.grant(console.grant_id)
    assert grant["status"] == "ACTIVE" and grant["badge_number"] == "WWI-9"
    served = client.get(f"{url}/photo")
    assert served.status_code == 200 and served.headers["Cache-Control"] == "no-store"
    assert not opened(served.data).getexif() and CAMERA.encode() not in served.data
    page = client.get(url).text
    assert f'src="{url}/photo"' in page and "Replace the photo" in page
    # At the gate (a lower-case badge): ALLOWED, with the photo.
    gate = client.post("/console/gate", data={"csrf_token": token, "badge": "wwi-9"}).text
    assert "NOT ALLOWED" not in gate and "ALLOWED" in gate and f'src="{url}/photo"' in gate
    person = client.get(f"/console/people/{console.person_id}").text
    assert f'src="{url}/photo"' in person
    # Replaced from the grant's page; an empty form is a message, not a 500.
    empty = client.post(f"{url}/photo", data={"csrf_token": token})
    assert empty.status_code == 422 and "Select a photo." in empty.text
    replaced = client.post(
        f"{url}/photo",
        data={"csrf_token": token, "photo": (io.BytesIO(png()), "me.png", "image/png")},
        content_type="multipart/form-data",
    )
    assert replaced.status_code == 302
    assert opened(client.get(f"{url}/photo").data).size == (120, 160)
    # Another establishment's officer: the 404 page for the photo.
    other = console.signed_in("other")
    assert other.get(f"{url}/photo").status_code == 404
