"""Hands queued notifications to their channel, outside any consumer transaction.

A notification is claimed (QUEUED → SENDING) and committed before the SMTP conversation, and
marked SENT (with `notification.sent` in the outbox) after it. The consumer wakes the sender when
it commits a new notification, so delivery does not wait for a poll.
"""

from __future__ import annotations

import logging
import smtplib
import threading
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import select, update

from notifications.models import Notification
from shared.platform import Platform

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A SENDING row this old belongs to a sender that died mid-send: send again (at least once).
STALE_SENDING = timedelta(minutes=2)


class EmailSender:
    def __init__(self, platform: Platform, *, batch_size: int = 20) -> None:
        self.platform = platform
        self.settings = platform.settings
        self.batch_size = batch_size
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._smtp: smtplib.SMTP | None = None

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.send_due()
            except Exception as exc:  # noqa: BLE001 - database away: try again shortly
                log.warning("sender pass failed: %r", exc)
                handled = 0
                self._stop.wait(1.0)
            if handled == 0:
                self._wake.wait(0.5)
                self._wake.clear()

    def send_due(self) -> int:
        claimed = self._claim()
        try:
            for notification in claimed:
                self._deliver(notification)
        finally:
            self._hang_up()
        return len(claimed)

    def _claim(self) -> list[Notification]:
        moment = datetime.now(UTC)
        with self.platform.session_factory.begin() as session:
            session.execute(
                update(Notification)
                .where(Notification.status == "SENDING",
                       Notification.next_attempt_at < moment - STALE_SENDING)
                .values(status="QUEUED")
            )
            due = list(session.execute(
                select(Notification)
                .where(Notification.status == "QUEUED", Notification.next_attempt_at <= moment)
                .order_by(Notification.next_attempt_at)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).scalars())
            for notification in due:
                notification.status = "SENDING"
                notification.next_attempt_at = moment
                notification.attempts += 1
        return due

    def _deliver(self, notification: Notification) -> None:
        try:
            self._send_email(notification)
        except (smtplib.SMTPException, OSError) as exc:
            self._failed(notification, exc)
            return
        with self.platform.unit_of_work() as uow:
            sent_at = datetime.now(UTC)
            uow.session.execute(
                update(Notification).where(Notification.id == notification.id)
                .values(status="SENT", sent_at=sent_at, last_error=None)
            )
            uow.emit("notification.sent", subject=notification.application_id or notification.id,
                     data={"notification_id": notification.id,
                           "application_id": notification.application_id,
                           "template": notification.template, "channel": notification.channel,
                           "recipient_kind": notification.recipient_kind,
                           "sent_at": sent_at.isoformat()})
            uow.commit()

    def _send_email(self, notification: Notification) -> None:
        message = EmailMessage()
        message["From"] = self.settings.smtp_sender
        message["To"] = notification.recipient
        message["Subject"] = notification.subject
        message["X-Notification-ID"] = notification.id
        message.set_content(notification.body)
        # One SMTP conversation per claimed batch, not per message.
        if self._smtp is None:
            self._smtp = smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=10)
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self._hang_up()
            raise

    def _hang_up(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def _failed(self, notification: Notification, exc: Exception) -> None:
        permanent = isinstance(exc, smtplib.SMTPRecipientsRefused) or (
            notification.attempts >= MAX_ATTEMPTS)
        delay = timedelta(seconds=min(2 ** notification.attempts, 600))
        log.warning("email not sent (attempt %s): %r", notification.attempts, exc)
        with self.platform.session_factory.begin() as session:
            session.execute(
                update(Notification).where(Notification.id == notification.id).values(
                    status="PERMANENT_FAILURE" if permanent else "QUEUED",
                    last_error=repr(exc)[:1000],
                    next_attempt_at=datetime.now(UTC) + delay,
                )
            )
