"""The backbone's consuming figures: the vetting inbox drained by a plain kombu consumer (the
baseline) and by our EventConsumer + Dispatcher, with a trivial handler and with vetting's
real one."""

from __future__ import annotations

import time
from typing import Any

from backbone_publish import EVENT_TYPE
from harness import AMQP_URL
from kombu import Connection, Consumer, Queue
from sqlalchemy import func, select

from shared.config import Settings
from shared.consumer import EventConsumer
from shared.db import inbox_table, outbox_table
from shared.inbox import Dispatcher
from shared.platform import build_platform


def bench_raw_consume(queue_name: str, count: int, prefetch: int) -> float:
    """A plain kombu Consumer, manual ack, same prefetch as our consumer."""
    seen = [0, 0.0, 0.0]

    def on_message(_body: Any, message: Any) -> None:
        if seen[0] == 0:
            seen[1] = time.perf_counter()
        message.ack()
        seen[0] += 1
        seen[2] = time.perf_counter()

    with Connection(AMQP_URL) as conn:
        channel = conn.channel()
        consumer = Consumer(
            channel,
            queues=[Queue(queue_name, no_declare=True)],
            callbacks=[on_message],
            accept=["json"],
            prefetch_count=prefetch,
        )
        with consumer:
            while seen[0] < count:
                conn.drain_events(timeout=10)
    return count / (seen[2] - seen[1])


class TimedConsumer(EventConsumer):
    """Our EventConsumer, unchanged, with a stopwatch around its message callback."""

    def __init__(self, *args: Any, count: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = count
        self.done = 0
        self.first = self.last = 0.0

    def on_message(self, body: Any, message: Any) -> None:
        if self.done == 0:
            self.first = time.perf_counter()
        super().on_message(body, message)
        self.done += 1
        self.last = time.perf_counter()
        if self.done >= self.count:
            self.should_stop = True


def noop_handler(_uow: Any, _event: Any) -> None:
    """The trivial handler: what is left is the consumer itself (parse, validate, one
    transaction with the inbox row, commit, ack)."""


def bench_consumer(settings: Settings, count: int, *, real_handler: bool) -> dict[str, Any]:
    """The vetting service's consumer (EventConsumer + Dispatcher) draining its inbox queue,
    with its real handler (`open_case`: a case row, an outbox row and the inbox row in one
    transaction per event) or with `noop_handler` (the inbox row alone)."""
    from vetting.service import definition

    platform = build_platform(settings)
    handlers = definition().handlers(platform) if real_handler else {EVENT_TYPE: [noop_handler]}
    dispatcher = Dispatcher.for_platform(platform, handlers)
    with Connection(AMQP_URL) as connection:
        consumer = TimedConsumer(settings, connection, dispatcher, platform.topology, count=count)
        consumer.run()
    with platform.engine.connect() as conn:
        inbox_rows = conn.execute(select(func.count()).select_from(inbox_table)).scalar_one()
        outbox_rows = conn.execute(select(func.count()).select_from(outbox_table)).scalar_one()
    platform.engine.dispose()
    if dispatcher.stats["processed"] < count or inbox_rows < count:
        raise RuntimeError(f"consumer processed {dispatcher.stats} / inbox {inbox_rows}")
    return {
        "per_s": consumer.done / (consumer.last - consumer.first),
        "inbox_rows": inbox_rows,
        "cases_emitted": outbox_rows,
        "stats": dispatcher.stats,
    }
