"""Everything the notifications service holds on a person, for a subject access request
(shared.web.subject_access).

This service knows people by application: it answers for an application id (never for
vetting's person id, which it does not hold) with how the applicant may be contacted (names,
email, mobile, preferred channel, the coordinator's address, opt-outs) and every message about
the application, to whomever it went (the volunteer, their coordinator, an establishment's
security inbox), as rendered and with its delivery state, each with what the audit log holds
about it (opt-out changes, messages not sent because of an opt-out, resends, receipts).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notifications.models import Notification, Recipient
from notifications.service_layer.records import notification_view
from shared.web.subject_access import Period, audit_history


def gather(
    session: Session,
    identifier: str,
    from_date: date | None,
    to_date: date | None,
    moment: datetime,
) -> dict[str, Any] | None:
    recipient = session.get(Recipient, identifier)
    notifications = list(
        session.execute(
            select(Notification)
            .where(Notification.application_id == identifier)
            .order_by(Notification.created_at, Notification.id)
        ).scalars()
    )
    if recipient is None and not notifications:
        return None
    period = Period.of(from_date, to_date)
    recipients = []
    if recipient is not None and period.overlaps(None, recipient.updated_at):
        recipients.append(
            {
                "application_id": recipient.application_id,
                "forenames": recipient.forenames,
                "surname": recipient.surname,
                "email": recipient.email,
                "mobile": recipient.mobile,
                "preferred_channel": recipient.preferred_channel,
                "coordinator_email": recipient.coordinator_email,
                "email_opt_out": recipient.email_opt_out,
                "sms_opt_out": recipient.sms_opt_out,
                "updated_at": recipient.updated_at,
                "history": audit_history(session, "application", recipient.application_id, period),
            }
        )
    return {
        "recipients": recipients,
        "notifications": [
            {
                **notification_view(n),
                "subject": n.subject,
                "body": n.body,
                "provider_reference": n.provider_reference,
                "history": audit_history(session, "notification", n.id, period),
            }
            for n in notifications
            if period.overlaps(n.created_at, n.sent_at, n.delivered_at, n.failed_at)
        ],
    }
