"""The log channel: each message as a JSON line in a file under VAR_DIR, nothing sent.

The default for SMS under `make run`, where no SMS provider is configured: the demo still shows
what would have been texted (`var/messages.jsonl`).

The file is a copy of personal data like any other, so erasure reaches it: `forget` rewrites it
without the erased messages' lines. Appending and rewriting take the same lock (a lock file
beside it, for the processes, and a lock per path, for the threads of one process): a rewrite
never drops a line appended while it ran, and the new file replaces the old by a rename, so a
reader sees the whole old file or the whole new one.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from shared.clock import Clock

try:  # POSIX; elsewhere only the threads of one process are kept apart
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]  # no fcntl module here: None says so

if TYPE_CHECKING:
    from notifications.models import Notification

FILE_NAME = "messages.jsonl"

_thread_locks: dict[Path, threading.Lock] = {}
_thread_locks_guard = threading.Lock()


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with _thread_locks_guard:
        thread_lock = _thread_locks.setdefault(path.resolve(), threading.Lock())
    with thread_lock, open(path.with_name(path.name + ".lock"), "a") as lock_file:
        if fcntl is not None:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)


def forget_messages(path: Path, notification_ids: Iterable[str]) -> int:
    """Rewrite the file without the lines of these notifications; how many were dropped. A line
    that is not JSON is kept: it names nobody we can tell, and dropping it would hide it."""
    wanted = {str(i) for i in notification_ids}
    if not wanted or not path.exists():
        return 0
    with _locked(path):
        kept: list[str] = []
        dropped = 0
        with path.open(encoding="utf-8") as file:
            for line in file:
                try:
                    found = json.loads(line).get("id")
                except (ValueError, AttributeError):
                    found = None
                if found in wanted:
                    dropped += 1
                else:
                    kept.append(line)
        if dropped:
            _replace(path, kept)
    return dropped


def _replace(path: Path, lines: list[str]) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.writelines(lines)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


class LogChannel:
    provider = "log"

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path = path
        self.clock = clock

    @classmethod
    def under(cls, var_dir: Path, clock: Clock) -> LogChannel:
        return cls(var_dir / FILE_NAME, clock)

    def send(self, notification: Notification) -> str | None:
        line = json.dumps(
            {
                "id": notification.id,
                "channel": notification.channel,
                "to": notification.recipient,
                "subject": notification.subject,
                "body": notification.body,
                "at": self.clock.now().isoformat(),
            },
            ensure_ascii=False,
        )
        with _locked(self.path), self.path.open("a", encoding="utf-8") as file:
            file.write(line + "\n")
        return None

    def forget(self, notification_ids: Iterable[str]) -> int:
        return forget_messages(self.path, notification_ids)

    def close(self) -> None:
        pass
