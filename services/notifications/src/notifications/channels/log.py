"""The log channel: each message as a JSON line in a file under VAR_DIR, nothing sent.

The default for SMS under `make run`, where no SMS provider is configured: the demo still shows
what would have been texted (`var/messages.jsonl`).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from shared.clock import Clock

if TYPE_CHECKING:
    from notifications.models import Notification

FILE_NAME = "messages.jsonl"


class LogChannel:
    provider = "log"

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock
        self._lock = threading.Lock()

    @classmethod
    def under(cls, var_dir: Path, clock: Clock) -> LogChannel:
        return cls(var_dir / FILE_NAME, clock)

    def send(self, notification: Notification) -> str | None:
        line = json.dumps({
            "id": notification.id, "channel": notification.channel,
            "to": notification.recipient, "subject": notification.subject,
            "body": notification.body, "at": self.clock.now().isoformat(),
        }, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write of one line in append mode: lines from several processes never interleave.
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
        return None

    def close(self) -> None:
        pass
