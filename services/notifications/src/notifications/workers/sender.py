"""Hands due notifications to their channel, outside any transaction.

A pass claims due rows (QUEUED, retrying, or SENDING with its lease run out) with SKIP LOCKED so
that several consumer processes share the work, marks them SENDING and commits; only then does
it talk to SMTP or Notify, so no database transaction waits on a provider. Each outcome is then
recorded in a unit of work of its own, with `notification.sent` or `notification.failed` in the
outbox (the moves: `notifications.service_layer.delivery`; the states:
`notifications.domain.lifecycle`). An SMS due in quiet hours is not claimed: its time moves to
the end of them. The consumer wakes the sender when it commits a notification, so delivery does
not wait for a poll. An entrypoint: it commits each of its units of work.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select

from notifications.adapters.channels import (
    Channel,
    DeliveryConfig,
    PermanentFailure,
    TemporaryFailure,
    build_channels,
    delivery_config,
)
from notifications.domain.lifecycle import NotificationState
from notifications.domain.quiet_hours import next_send_time
from notifications.models import Notification
from notifications.service_layer import delivery
from notifications.service_layer.erasure import ERASED_RECIPIENT
from shared.db import INFRASTRUCTURE_ERRORS
from shared.heartbeat import Heartbeat
from shared.platform import Platform

log = logging.getLogger(__name__)

# How long a claimed row stays with its sender. Longer than the worst batch (20 messages, each
# at worst a 10 s connect and a 10 s answer) so that a slow sender is never taken for a dead one.
LEASE = timedelta(minutes=10)


class Sender:
    """`send_due()` does one pass; `run()` loops over passes until `stop()` (the `send`
    process); `wake()` starts the next pass at once."""

    def __init__(
        self,
        platform: Platform,
        *,
        config: DeliveryConfig | None = None,
        channels: Mapping[str, Channel] | None = None,
        batch_size: int = 20,
        lease: timedelta = LEASE,
        rng: random.Random | None = None,
    ) -> None:
        self.platform = platform
        self.config = config or delivery_config(platform)
        self.channels = (
            dict(channels)
            if channels is not None
            else build_channels(self.config, platform.settings, platform.clock)
        )
        self.clock = platform.clock
        self.batch_size = batch_size
        self.lease = lease
        self.rng = rng or random.Random()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._deferred = 0  # rows the last pass moved to the end of quiet hours
        self.heartbeat: Heartbeat | None = None  # its own process sets one (its liveness)

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        while not self._stop.is_set():
            if self.heartbeat is not None:
                self.heartbeat.beat()
            try:
                handled = self.send_due()
            except Exception as exc:  # noqa: BLE001 - database away: try again shortly
                log.warning("sender pass failed: %r", exc)
                handled = 0
                self._stop.wait(1.0)
            if handled == 0 and self._deferred == 0:
                self._wake.wait(0.5)
                self._wake.clear()

    def send_due(self) -> int:
        """Send what is due now; the number of notifications tried."""
        claimed = self._claim(self.clock.now())
        used: dict[int, Channel] = {}
        try:
            for notification in claimed:
                channel = self.channels.get(notification.channel)
                if channel is not None:
                    used[id(channel)] = channel
                self._deliver(notification, channel)
        finally:
            for channel in used.values():
                try:
                    channel.close()
                except Exception:  # a failed goodbye loses nothing
                    log.warning("closing %s failed", channel.provider, exc_info=True)
        return len(claimed)

    def _claim(self, moment: datetime) -> list[Notification]:
        quiet_hours = self.config.quiet_hours
        claimed: list[Notification] = []
        self._deferred = 0
        with self.platform.session_factory.begin() as session:
            due = session.execute(
                select(Notification)
                .where(delivery.is_due(moment))
                .order_by(Notification.next_attempt_at)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            ).scalars()
            for notification in due:
                allowed = next_send_time(notification.channel, moment, quiet_hours)
                if allowed > moment:
                    # Inside quiet hours: wait for the morning, in the state it is in.
                    notification.next_attempt_at = allowed
                    self._deferred += 1
                    continue
                if notification.status == NotificationState.SENDING:
                    log.warning(
                        "reclaiming notification %s from a sender that stopped", notification.id
                    )
                delivery.claim(notification, moment + self.lease)
                claimed.append(notification)
        return claimed

    def _deliver(self, notification: Notification, channel: Channel | None) -> None:
        if channel is None:
            self._record(notification, PermanentFailure(f"no channel for {notification.channel!r}"))
            return
        try:
            reference = channel.send(notification)
        except (TemporaryFailure, PermanentFailure) as exc:
            log.warning(
                "notification %s not sent (attempt %s): %s",
                notification.id,
                notification.attempts,
                exc.message,
            )
            self._record(notification, exc)
            return
        except Exception as exc:  # an adapter's bug must not strand the row in SENDING
            log.exception("channel %s failed unexpectedly", channel.provider)
            self._record(notification, TemporaryFailure(f"unexpected error: {exc!r}"))
            return
        erased = self._record(notification, None, channel.provider, reference)
        forget = getattr(channel, "forget", None)
        if erased and forget is not None:
            # The person was erased while this was being sent: the erasure's rewrite of the
            # channel's file ran before this line was written.
            forget([notification.id])

    def _record(
        self,
        notification: Notification,
        failure: TemporaryFailure | PermanentFailure | None,
        provider: str | None = None,
        reference: str | None = None,
    ) -> bool:
        """The outcome, once the database takes it. Giving up on a lost connection left the
        row SENDING (sent again when the lease ran out: a second email) and the rest of the
        claimed batch waiting out the lease (bench/chaos.py found it)."""
        delay = 0.1
        while True:
            try:
                return self._record_once(notification, failure, provider, reference)
            except INFRASTRUCTURE_ERRORS as exc:
                if self._stop.is_set():
                    raise  # stopping: the lease hands the row to the next sender
                log.warning("database unavailable, waiting %.1fs: %s", delay, type(exc).__name__)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)

    def _record_once(
        self,
        notification: Notification,
        failure: TemporaryFailure | PermanentFailure | None,
        provider: str | None,
        reference: str | None,
    ) -> bool:
        """Whether the person the row was for has been erased since it was claimed."""
        with self.platform.unit_of_work() as uow:
            row = uow.session.get(Notification, notification.id, with_for_update=True)
            if row is None:
                return False
            erased = row.recipient.startswith(ERASED_RECIPIENT)
            at = self.clock.now()
            if failure is None:
                delivery.mark_sent(uow, row, at, provider or "", reference)
            elif row.status != NotificationState.SENDING:
                # Another sender took over the row (its lease ran out): its outcome counts.
                return erased
            elif isinstance(failure, PermanentFailure):
                delivery.mark_failed(uow, row, at, failure.message)
            else:
                delivery.retry_or_fail(
                    uow,
                    row,
                    at,
                    failure.message,
                    max_attempts=self.config.max_attempts,
                    retry_base_s=self.config.retry_base_s,
                    rng=self.rng,
                )
            uow.commit()
            return erased


# The name the consume process knew it by, before SMS and Notify came along.
EmailSender = Sender
