"""What sync keeps between runs in the user's state dir: calendar ids, and a lock.

Remembering the calendar id makes an unchanged week cost one request, and it
is the only way back to syncplan's calendar: the least-privilege scope
(calendar.app.created) may not list the user's calendars.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path

from syncplan.errors import SyncplanError


def _dir() -> Path:
    from syncplan.paths import state_dir

    return state_dir()


class CalendarIds:
    """Calendar name -> id, per token file (one token is one Google account)."""

    def __init__(self, token_file: Path, path: Path | None = None):
        self.path = path or _dir() / "google-calendars.json"
        self.account = str(Path(token_file).expanduser().resolve())

    def _all(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, name: str) -> str | None:
        return self._all().get(self.account, {}).get(name)

    def put(self, name: str, calendar_id: str | None) -> None:
        from syncplan.files import atomic_write

        data = self._all()
        ids = data.setdefault(self.account, {})
        if calendar_id is None:
            ids.pop(name, None)
        else:
            ids[name] = calendar_id
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        atomic_write(self.path, json.dumps(data, indent=2, sort_keys=True).encode(), mode=0o600)


@contextmanager
def sync_lock(path: Path | None = None):
    """Hold an exclusive lock for one sync; a second run fails at once instead of racing."""
    import fcntl

    path = path or _dir() / "sync.lock"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncplanError(
                f"another `syncplan sync` is running (it holds {path}); wait for it to finish and try again."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(fd)
