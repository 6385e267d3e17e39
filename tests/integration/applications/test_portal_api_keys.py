"""The portal's API keys page, for an organisation's admins, on both run modes: the list by key
id, a new key shown once (it works at once on the API), revoking one (asked first; the API then
refuses it), each audited; a coordinator gets 403, another organisation's key is 404, the
signed-out go to sign in."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from applications.models import ApiKey
from shared.audit.log import audit_log_table
from tests.support.applications_api import REVOCATION_DELAY_S
from tests.support.portal_harness import Portal
from tests.support.workbench_harness import token_in

KEY = re.compile(r"maak_([0-9a-f]+)_[A-Za-z0-9_-]+")


@pytest.fixture
def portal(backend_env: dict[str, dict[str, str]]) -> Iterator[Portal]:
    harness = Portal(backend_env["applications"], api_key_cache_s=REVOCATION_DELAY_S)
    yield harness
    harness.close()


def keys_of(portal: Portal, organisation: str) -> list[ApiKey]:
    with portal.platform.session_factory() as db:
        return list(
            db.scalars(
                select(ApiKey).where(
                    ApiKey.organisation_id == portal.organisation_ids[organisation]
                )
            )
        )


def audited(portal: Portal, action: str) -> list[tuple[str, str]]:
    with portal.platform.engine.connect() as connection:
        rows = connection.execute(select(audit_log_table).where(audit_log_table.c.action == action))
        return [(row.actor, row.subject_id) for row in rows]


def api_status(portal: Portal, plaintext: str) -> int:
    client = portal.app.test_client()
    answer = client.get("/applications", headers={"Authorization": f"Bearer {plaintext}"})
    return answer.status_code


def test_an_admin_creates_a_key_shown_once_and_revokes_it(portal):
    admin = portal.signed_in("admin_a")
    page = admin.get("/portal/api-keys")
    assert page.status_code == 200
    [existing] = keys_of(portal, "A")
    assert existing.key_id in page.text and "maak_" not in page.text  # ids, never secrets
    [other] = keys_of(portal, "B")
    assert other.key_id not in page.text
    created = admin.post("/portal/api-keys", data={"csrf_token": token_in(page.text)})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    found = KEY.search(created.text)
    assert found, created.text
    plaintext, key_id = found.group(0), found.group(1)
    assert f"Key id {key_id}" in created.text and "shown only once" in created.text
    assert api_status(portal, plaintext) == 200
    listed = admin.get("/portal/api-keys").text
    assert key_id in listed and plaintext not in listed
    subject = f"portal:public-{portal.username('admin_a')}"
    assert (subject, key_id) in audited(portal, "api_key.created")
    # Revoking is asked first; asking changes nothing.
    url = f"/portal/api-keys/{key_id}/revoke"
    asked = admin.get(url)
    assert asked.status_code == 200 and f"Revoke API key {key_id}?" in asked.text
    assert api_status(portal, plaintext) == 200
    done = admin.post(url, data={"csrf_token": token_in(asked.text)})
    assert done.status_code == 303 and done.headers["Location"].endswith("/portal/api-keys")
    after = admin.get("/portal/api-keys").text
    assert f"API key {key_id} has been revoked" in after and "Revoked" in after
    time.sleep(REVOCATION_DELAY_S + 0.1)  # each process remembers a key briefly
    assert api_status(portal, plaintext) == 401
    assert (subject, key_id) in audited(portal, "api_key.revoked")
    again = admin.get(url)
    assert again.status_code == 409 and "already revoked" in again.text


def test_a_form_without_its_csrf_token_changes_nothing(portal):
    admin = portal.signed_in("admin_a")
    [existing] = keys_of(portal, "A")
    assert admin.post("/portal/api-keys").status_code == 400
    assert admin.post(f"/portal/api-keys/{existing.key_id}/revoke").status_code == 400
    assert len(keys_of(portal, "A")) == 1 and keys_of(portal, "A")[0].revoked_at is None


def test_who_may_reach_the_api_keys_pages(portal):
    [mine] = keys_of(portal, "A")
    [theirs] = keys_of(portal, "B")
    coordinator = portal.signed_in("coord_a")
    token = token_in(coordinator.get("/portal/applications").text)
    assert coordinator.get("/portal/api-keys").status_code == 403
    assert coordinator.get(f"/portal/api-keys/{mine.key_id}/revoke").status_code == 403
    assert coordinator.post("/portal/api-keys", data={"csrf_token": token}).status_code == 403
    revoke = f"/portal/api-keys/{mine.key_id}/revoke"
    assert coordinator.post(revoke, data={"csrf_token": token}).status_code == 403
    admin = portal.signed_in("admin_a")
    token = token_in(admin.get("/portal/api-keys").text)
    elsewhere = f"/portal/api-keys/{theirs.key_id}/revoke"
    assert admin.get(elsewhere).status_code == 404
    assert admin.post(elsewhere, data={"csrf_token": token}).status_code == 404
    assert admin.get("/portal/api-keys/nosuchkey/revoke").status_code == 404
    assert len(keys_of(portal, "A")) == 1
    assert all(key.revoked_at is None for key in keys_of(portal, "A") + keys_of(portal, "B"))
    nobody = portal.app.test_client()
    for url in ("/portal/api-keys", revoke):
        answer = nobody.get(url)
        assert answer.status_code == 302 and "/portal/login" in answer.headers["Location"], url
