"""Atomic file writes: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from syncplan.errors import SyncplanError


def atomic_write(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write via a temp file in the same folder and rename it into place.

    ``mode`` applies from the moment the temp file exists (0600 for secrets);
    without it an existing file keeps its mode and a new one follows the umask.
    """
    path = Path(path)
    if path.is_dir():
        raise SyncplanError(f"{path}: is a directory; give a file name.")
    final_mode = mode if mode is not None else _current_mode(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise SyncplanError(f"{path}: cannot write there ({exc.strerror}).") from None
    try:
        os.fchmod(fd, final_mode)  # mkstemp makes 0600; widen only if asked
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _current_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
