"""What sync keeps between runs in the user's state dir: calendar ids, and a lock.

Remembering the calendar id lets a token without the calendar-list scope
find syncplan's calendar again. With that scope the calendar's own marker
(its description names the plan's identity) is the authority, and this file
is only a shortcut, so losing it costs nothing.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

from syncplan.errors import SyncplanError

FILE = "google-calendars.json"


def _dir() -> Path:
    from syncplan.paths import state_dir

    return state_dir()


def make_dir(path: Path) -> None:
    """The state dir, or a clear error naming it (HOME gone, a root-owned ~/.local/state)."""
    from syncplan.files import make_folder

    make_folder(
        path,
        "syncplan's state directory",
        "make it writable, or point SYNCPLAN_STATE_DIR (or XDG_STATE_HOME) at a directory you own.",
    )


class CalendarIds:
    """Plan identity -> the id (and display name) of its calendar, per token file (one token, one account)."""

    def __init__(self, token_file: Path, path: Path | None = None):
        self.path = path or _dir() / FILE
        self.account = str(Path(token_file).expanduser().resolve())

    def _all(self) -> dict:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise SyncplanError(f"{self.path}: cannot read syncplan's calendar ids ({exc.strerror}).") from None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise SyncplanError(
                f"{self.path}: syncplan's record of its Google calendars is damaged (not the JSON syncplan writes). "
                f"Delete the file and run `syncplan sync` again: with the calendar-list scope syncplan finds its "
                f"calendar by its marker; without it, a new calendar is made."
            )
        return data

    def get(self, identity: str, legacy_name: str | None = None) -> dict | None:
        """``{"id": ..., "name": ...}`` for the plan, also from a file written before identities (keyed by name)."""
        ids = self._all().get(self.account, {})
        found = ids.get(identity)
        if isinstance(found, dict) and isinstance(found.get("id"), str):
            return found
        legacy = ids.get(legacy_name) if legacy_name else None
        if isinstance(legacy, str):  # name -> id, as syncplan wrote it before plans had identities
            return {"id": legacy, "name": legacy_name}
        return None

    def put(self, identity: str, calendar_id: str | None, name: str | None = None, legacy_name: str | None = None) -> None:
        from syncplan.files import atomic_write

        data = self._all()
        ids = data.setdefault(self.account, {})
        if legacy_name and legacy_name != identity:
            ids.pop(legacy_name, None)
        if calendar_id is None:
            ids.pop(identity, None)
        else:
            ids[identity] = {"id": calendar_id, "name": name}
        make_dir(self.path.parent)
        atomic_write(self.path, json.dumps(data, indent=2, sort_keys=True).encode(), mode=0o600)


@contextmanager
def sync_lock(path: Path | None = None):
    """Hold an exclusive lock for one sync; a second run fails at once instead of racing.

    filelock picks the right primitive for the platform (fcntl does not exist on Windows).
    """
    from filelock import FileLock, Timeout

    path = path or _dir() / "sync.lock"
    make_dir(path.parent)
    lock = FileLock(str(path), timeout=0, mode=0o600)
    try:
        lock.acquire()
    except Timeout:
        raise SyncplanError(
            f"another `syncplan sync` is running (it holds {path}); wait for it to finish and try again."
        ) from None
    except OSError as exc:
        raise SyncplanError(f"{path}: cannot take syncplan's sync lock ({exc.strerror or type(exc).__name__}).") from None
    try:
        yield path
    finally:
        lock.release()
