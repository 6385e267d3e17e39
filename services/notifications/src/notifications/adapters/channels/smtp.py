"""Email over SMTP (Mailpit under compose, a local sink under `make run`, a relay in production).

One SMTP conversation serves a whole batch: connecting and greeting cost more than a message.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING

from notifications.adapters.channels.base import PermanentFailure, TemporaryFailure

if TYPE_CHECKING:
    from notifications.models import Notification

log = logging.getLogger(__name__)


def _classify(code: int, what: str, error: object) -> TemporaryFailure | PermanentFailure:
    # RFC 5321: 4yz is "transient negative completion" (try again), 5yz "permanent".
    if 500 <= code < 600:
        return PermanentFailure(f"{what}: {code} {error!s}"[:1000])
    return TemporaryFailure(f"{what}: {code} {error!s}"[:1000])


class SmtpEmail:
    provider = "smtp"

    def __init__(self, host: str, port: int, sender: str, *, timeout_s: float = 10.0) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.timeout_s = timeout_s
        self._smtp: smtplib.SMTP | None = None

    def send(self, notification: Notification) -> str | None:
        message = EmailMessage()
        try:
            message["From"] = self.sender
            message["To"] = notification.recipient
            message["Subject"] = notification.subject
            message["X-Notification-ID"] = notification.id
            message.set_content(notification.body)
        except (ValueError, TypeError) as exc:  # e.g. a line break in an address: never valid
            raise PermanentFailure(f"message cannot be built: {exc}"[:1000]) from None
        try:
            if self._smtp is None:
                self._smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout_s)
            refused = self._smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as exc:
            # A fresh conversation for the next message: after a 421 or a dropped line the old
            # one is unusable, and telling those apart from the rest is not worth a reconnect.
            self.close()
            raise _failure(exc) from None
        if refused:  # only when some of several recipients were refused; we send to one
            raise TemporaryFailure(f"recipients refused: {refused!r}"[:1000])
        return None  # SMTP gives no reference a later report could name

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()


def _failure(exc: Exception) -> TemporaryFailure | PermanentFailure:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # The only recipient refused: its code says whether it will ever be accepted.
        code, reply = next(iter(exc.recipients.values()), (451, b"refused"))
        return _classify(code, "recipient refused", _text(reply))
    if isinstance(
        exc, (smtplib.SMTPSenderRefused, smtplib.SMTPConnectError, smtplib.SMTPHeloError)
    ):
        # Our sender address or our connection refused: not this message's fault, so it is
        # retried (an operator has until the attempts run out to put the configuration right).
        return TemporaryFailure(f"SMTP refused us: {exc.smtp_code} {_text(exc.smtp_error)}")
    if isinstance(exc, smtplib.SMTPResponseException):
        # e.g. 451 (try later) or 554 (rejected) in answer to the message itself.
        return _classify(exc.smtp_code, "message refused", _text(exc.smtp_error))
    # Connection refused, timed out, reset, dropped: the server is not there (yet).
    return TemporaryFailure(f"SMTP unavailable: {exc!r}"[:1000])


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
