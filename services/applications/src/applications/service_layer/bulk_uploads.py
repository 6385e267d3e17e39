"""A spreadsheet uploaded in the portal, committed: its rows checked again from scratch (the copy
the browser sent back is trusted for nothing) and then every draft made, or none.

Each upload has an id of its own; the audit entry of its commit names it, so the same upload
sent twice (a button pressed again, a page resubmitted) creates nothing the second time.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from applications.models import Establishment, Organisation
from applications.service_layer import bulk
from shared.audit import log as audit
from shared.errors import Conflict, NotFound
from shared.uow import UnitOfWork

SUBJECT = "bulk_upload"
ACTION = "bulk_upload.committed"
ALREADY = "These applications were already created from this file. Find them in your applications."


def commit(
    uow: UnitOfWork, organisation_id: str, upload_id: str, rows: list[bulk.Row], actor: str
) -> bulk.BulkResult:
    """Check `rows` again and, if every one is valid, create their drafts for the organisation
    and write the audit entry (the caller commits). A result with errors created nothing."""
    # The organisation's row, locked: two commits of one upload wait for each other, and the
    # second finds the first's audit entry.
    organisation = uow.session.execute(
        select(Organisation).where(Organisation.id == organisation_id).with_for_update()
    ).scalar_one_or_none()
    if organisation is None:
        raise NotFound()
    committed = uow.session.execute(
        select(audit.audit_log_table.c.id).where(
            audit.audit_log_table.c.subject_type == SUBJECT,
            audit.audit_log_table.c.subject_id == upload_id,
        )
    ).first()
    if committed is not None:
        raise Conflict(ALREADY)
    result = bulk.check_rows(rows, organisation.coordinator_email, commit=True)
    bulk.create_drafts(uow, organisation_id, result)
    if result.created_ids:
        audit.record(
            uow.session,
            service="applications",
            actor=actor,
            actor_kind=audit.ORGANISATION,
            action=ACTION,
            subject_type=SUBJECT,
            subject_id=upload_id,
            detail={
                "organisation_id": organisation_id,
                "rows": result.rows,
                "application_ids": result.created_ids,
            },
            at=uow.now(),
        )
    return result


def establishment_names(session: Session) -> dict[str, str]:
    """Every prison's name by its code, in the order of the names (the codes a row gives)."""
    found = session.execute(
        select(Establishment.code, Establishment.name).order_by(Establishment.name)
    )
    return {code: name for code, name in found}
