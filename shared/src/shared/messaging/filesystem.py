"""kombu's filesystem transport, with atomic message files and lasting unbinds.

The stock transport creates a message file, then locks and writes it; a consumer listing the
folder can take the file between the two, read nothing, fail to decode it and die, and the
message is lost. Here a message is written under a name consumers ignore and renamed into place,
which is atomic on POSIX, so a consumer sees a whole message or none. A sequence number keeps
one process's messages of the same millisecond in the order they were sent.

The stock transport's unbind changes only a copy of the exchange's table (the file it routes by
keeps the binding); here it rewrites the file, under the same lock its binds take.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import filesystem
from kombu.utils.json import dumps


class AtomicChannel(filesystem.Channel):
    # Consumers take files in name order: within a millisecond a random uuid alone would
    # reorder one process's messages (an acknowledgement before the contacts it waits for).
    _sequence = itertools.count()

    def _put(  # type: ignore[override]  # kombu's filesystem Channel renamed the base's `message`
        self, queue: str, payload: Any, **kwargs: Any
    ) -> None:
        # Zero-padded: compared as text, 10000000 must not come before 9999999.
        name = (
            f"{round(monotonic() * 1000):015d}_{next(self._sequence):012d}_"
            f"{uuid.uuid4()}.{queue}.msg"
        )
        # A leading dot: `_get` matches "<queue>.msg" after the first dot, so it never
        # picks up a file still being written.
        partial = os.path.join(self.data_folder_out, f".{name}.partial")
        try:
            with open(partial, "wb") as file:
                file.write(dumps(payload).encode())
            os.rename(partial, os.path.join(self.data_folder_out, name))
        except OSError as exc:
            raise filesystem.ChannelError(f"Cannot add {name!r} to the queue folder") from exc

    def queue_unbind(
        self,
        queue: str,
        exchange: str | None = None,
        routing_key: str = "",
        arguments: Any = None,
        **kwargs: Any,
    ) -> None:
        super().queue_unbind(queue, exchange, routing_key, arguments, **kwargs)
        if not exchange:
            return
        entry = list(self.typeof(exchange).prepare_bind(queue, exchange, routing_key, arguments))
        file = self._exchange_file(exchange)
        try:
            handle = file.open("r+")
        except FileNotFoundError:
            return
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            table = json.loads(handle.read() or "[]")
            kept = [row for row in table if [r or "" for r in row] != [e or "" for e in entry]]
            if len(kept) != len(table):
                handle.seek(0)
                handle.write(json.dumps(kept))
                handle.truncate()


class AtomicFilesystemTransport(filesystem.Transport):
    Channel = AtomicChannel
