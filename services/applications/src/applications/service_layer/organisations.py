"""MA organisations and their API keys: the use cases behind the operator commands, and the
API key lookup every request makes."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, select

from applications.models import ApiKey, Organisation
from shared.auth import generate_api_key
from shared.errors import Invalid, NotFound
from shared.uow import UnitOfWork
from shared.web.auth import StoredApiKey

FELLOWSHIPS = ("AA", "NA", "CA", "AL_ANON", "SMART", "OTHER")


def create_organisation(
    uow: UnitOfWork, name: str, fellowship: str, coordinator_email: str
) -> Organisation:
    if fellowship not in FELLOWSHIPS:
        raise Invalid(
            f"fellowship must be one of {', '.join(FELLOWSHIPS)}",
            {"fellowship": [f"One of {', '.join(FELLOWSHIPS)}."]},
        )
    organisation = Organisation(
        id=str(uuid.uuid4()),
        name=name,
        fellowship=fellowship,
        coordinator_email=coordinator_email,
        created_at=uow.now(),
    )
    uow.session.add(organisation)
    return organisation


def issue_api_key(uow: UnitOfWork, organisation_id: str, pepper: str) -> str:
    """Create a key for the organisation and return its plaintext (shown once)."""
    if uow.session.get(Organisation, organisation_id) is None:
        raise NotFound(f"no organisation {organisation_id}")
    key = generate_api_key(pepper)
    uow.session.add(
        ApiKey(
            key_id=key.key_id,
            organisation_id=organisation_id,
            secret_hash=key.secret_hash,
            created_at=uow.now(),
            revoked_at=None,
        )
    )
    return key.plaintext


def revoke_api_key(uow: UnitOfWork, key_id: str) -> None:
    api_key = uow.session.get(ApiKey, key_id)
    if api_key is None:
        raise NotFound(f"no api key {key_id}")
    api_key.revoked_at = api_key.revoked_at or uow.now()


def find_api_key(connection: Connection, key_id: str) -> StoredApiKey | None:
    """One indexed read on every API request: plain Core, no session."""
    row = connection.execute(
        select(ApiKey.organisation_id, ApiKey.secret_hash, ApiKey.revoked_at).where(
            ApiKey.key_id == key_id
        )
    ).first()
    if row is None:
        return None
    return StoredApiKey(row.organisation_id, row.secret_hash, revoked=row.revoked_at is not None)
