"""The log channel: each message as a JSON line in a file under VAR_DIR, nothing sent.

The default for SMS under `make run`, where no SMS provider is configured: the demo still shows
what would have been texted (`var/messages.jsonl`).
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifications.models import Notification

FILE_NAME = "messages.jsonl"


class LogChannel:
    provider = "log"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    @classmethod
    def under(cls, var_dir: Path) -> LogChannel:
        return cls(var_dir / FILE_NAME)

    def send(self, notification: Notification) -> str | None:
        line = json.dumps({
            "id": notification.id, "channel": notification.channel,
            "to": notification.recipient, "subject": notification.subject,
            "body": notification.body, "at": datetime.now(UTC).isoformat(),
        }, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # One write of one line in append mode: lines from several processes never interleave.
            with self.path.open("a", encoding="utf-8") as file:
                file.write(line + "\n")
        return None

    def close(self) -> None:
        pass
