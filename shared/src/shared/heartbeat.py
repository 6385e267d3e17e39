"""A long-running loop's liveness signal: a file whose modification time the loop refreshes.

A consumer, relay or worker has no HTTP port; a probe asks instead whether its heartbeat file
changed recently (Kubernetes: an exec probe `find <file> -mmin -2`, no Python started). A loop
stuck in a handler or a dead connection stops beating, and the probe restarts the process.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)

# Often enough for a probe that allows two minutes, rarely enough to cost nothing.
BEAT_EVERY_S = 5.0


class Heartbeat:
    def __init__(self, path: Path, every_s: float = BEAT_EVERY_S) -> None:
        self.path = path
        self.every_s = every_s
        self._last = float("-inf")

    @classmethod
    def for_role(cls, var_dir: Path, role: str) -> Heartbeat:
        return cls(var_dir / "heartbeat" / role)

    def beat(self) -> None:
        now = time.monotonic()
        if now - self._last < self.every_s:
            return
        self._last = now
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        except OSError as exc:  # a full or read-only disk must not stop the work itself
            log.warning("heartbeat %s not written: %s", self.path, exc)
