"""MA organisations and their API keys: the use cases behind the operator commands, and the
API key lookup every request makes."""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from applications.models import ApiKey, Organisation
from applications.service_layer.audit_trail import record
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


def api_keys_of(session: Session, organisation_id: str) -> list[ApiKey]:
    """The organisation's keys, the live ones first, newest first."""
    return list(
        session.scalars(
            select(ApiKey)
            .where(ApiKey.organisation_id == organisation_id)
            .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.key_id)
        )
    )


def create_api_key(
    uow: UnitOfWork, organisation_id: str, pepper: str, by: tuple[str, str]
) -> tuple[str, str]:
    """A new key for the organisation, audited: (key id, plaintext). The plaintext is shown
    once and never stored."""
    plaintext = issue_api_key(uow, organisation_id, pepper)
    key_id = plaintext.split("_", 2)[1]
    record(
        uow.session,
        by,
        "api_key.created",
        "api_key",
        key_id,
        uow.now(),
        detail={"organisation_id": organisation_id},
    )
    return key_id, plaintext


def own_api_key(session: Session, organisation_id: str, key_id: str) -> ApiKey:
    """One of the organisation's keys; another's, or none, is 404 (the same answer)."""
    api_key = session.get(ApiKey, key_id)
    if api_key is None or api_key.organisation_id != organisation_id:
        raise NotFound()
    return api_key


def revoke_own_api_key(
    uow: UnitOfWork, organisation_id: str, key_id: str, by: tuple[str, str]
) -> ApiKey:
    """Revoke one of the organisation's keys (another's, or none, is 404), audited. Revoking a
    revoked key changes nothing and writes nothing."""
    api_key = own_api_key(uow.session, organisation_id, key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = uow.now()
        record(
            uow.session,
            by,
            "api_key.revoked",
            "api_key",
            key_id,
            api_key.revoked_at,
            detail={"organisation_id": organisation_id},
        )
    return api_key


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
