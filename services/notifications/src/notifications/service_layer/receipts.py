"""Notify's delivery receipts (its "callbacks"): find the notification a receipt names, apply
it (`notifications.service_layer.delivery.apply_notify_status`) and audit it, a receipt naming
nothing of ours included. The route authenticates Notify and commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.domain.lifecycle import is_retrying
from notifications.models import Notification
from notifications.service_layer import delivery
from shared.audit import log as audit
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class ReceiptOutcome:
    found: bool  # the receipt names a notification of ours
    send_again: bool = False  # it is to be sent again (Notify's technical failure): now


def _find(session: Session, notify_id: str, reference: str | None) -> Notification | None:
    # By Notify's id, which we recorded when it took the message; by our own id (the reference
    # we gave it) when the receipt outran that record.
    found = (
        session.execute(
            select(Notification)
            .where(Notification.provider_reference == notify_id)
            .with_for_update()
        )
        .scalars()
        .first()
    )
    if found is None and reference:
        found = session.get(Notification, reference, with_for_update=True)
    return found


def record_notify_receipt(
    uow: UnitOfWork,
    receipt: dict[str, Any],
    moment: datetime,
    *,
    max_attempts: int,
    retry_base_s: float,
) -> ReceiptOutcome:
    """Apply a receipt and audit it (an unknown one too: then `found` is False)."""
    notify_id, status = str(receipt["id"]), receipt["status"]
    notification = _find(uow.session, notify_id, receipt.get("reference"))
    if notification is None:
        audit.record(
            uow.session,
            service="notifications",
            actor="notify",
            actor_kind=audit.SYSTEM,
            action="notification.receipt_unknown",
            subject_type="notify_notification",
            subject_id=notify_id,
            detail={"status": status},
            at=moment,
        )
        return ReceiptOutcome(found=False)
    before = notification.status
    changed = delivery.apply_notify_status(
        uow,
        notification,
        notify_id,
        status,
        moment,
        max_attempts=max_attempts,
        retry_base_s=retry_base_s,
        completed_at=receipt.get("completed_at"),
    )
    audit.record(
        uow.session,
        service="notifications",
        actor="notify",
        actor_kind=audit.SYSTEM,
        action="notification.receipt",
        subject_type="notification",
        subject_id=notification.id,
        detail={
            "notify_id": notify_id,
            "status": status,
            "from": before,
            "to": notification.status,
            "changed": changed,
        },
        at=moment,
    )
    return ReceiptOutcome(found=True, send_again=changed and is_retrying(notification))
