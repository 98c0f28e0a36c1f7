"""Writing what the user asked for without destroying what is at the path.

A regular file (or nothing yet) is replaced atomically: a reader sees the old
file or the new one, never half of one. A device, FIFO or pipe (``/dev/null``,
``/dev/stdout``, a shell's ``>(...)``) is written to as a stream, because
renaming over it would replace the device itself. A symlink is written through,
so the link stays and its target gets the new content.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from syncplan.errors import SyncplanError

_STD_NAMES = {"/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2}


def open_descriptor(path: Path) -> int | None:
    """The descriptor this process already has open that ``path`` names (/dev/stdout, /dev/fd/3), if any.

    Such a path is the shell's redirection (``>> log``, ``>(...)``): writing
    through the descriptor keeps its offset and mode, where a rename would
    replace whatever file the shell opened.
    """
    text = str(path)
    fd = _STD_NAMES.get(text)
    for prefix in ("/dev/fd/", "/proc/self/fd/", f"/proc/{os.getpid()}/fd/"):
        number = text[len(prefix) :] if text.startswith(prefix) else ""
        if number.isascii() and number.isdigit():
            fd = int(number)
    if fd is None:
        return None
    try:
        os.fstat(fd)
    except OSError as exc:
        raise SyncplanError(
            f"{path}: names descriptor {fd}, which is not open ({exc.strerror}; was the output closed with >&-?). "
            f"Nothing was written."
        ) from None
    return fd


def write_stdout(data: bytes) -> None:
    """Write to standard output, and fail loudly when it is closed or its reader has gone.

    A calendar that never arrived (``>&-``, a pipe into a reader that quit) is
    not a success: cron and scripts must see exit 1, not 0 and an empty feed.
    """
    import sys

    stream = getattr(sys.stdout, "buffer", sys.stdout)
    if stream is None:
        raise SyncplanError("standard output is closed, so the calendar cannot be written there; give -o FILE. Nothing was written.")
    try:
        stream.write(data)
        stream.flush()
    except (OSError, ValueError) as exc:
        _silence_stdout(stream)
        why = getattr(exc, "strerror", None) or "it is closed"
        raise SyncplanError(f"cannot write the calendar to standard output ({why}); it did not arrive whole.") from None


def _silence_stdout(stream) -> None:
    """Point descriptor 1 at /dev/null, so that the exit-time flush of what is left does not fail again."""
    try:
        if stream.fileno() != 1:
            return
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except (OSError, ValueError):
        pass


def is_stream(path: Path) -> bool:
    """A descriptor already open here, a character device or a FIFO/pipe: written in place, never renamed over."""
    if open_descriptor(path) is not None:
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def read_existing(path: Path, limit: int | None = None) -> bytes | None:
    """The regular file now at ``path`` (through links), or None when there is none.

    Streams are never read: reading /dev/stdout or a FIFO would block. With
    ``limit``, at most ``limit + 1`` bytes are read, so a caller can tell a file
    over the limit without holding all of it.
    """
    if open_descriptor(path) is not None:
        return None
    target = Path(os.path.realpath(path))
    try:
        if not stat.S_ISREG(os.stat(target).st_mode):
            return None
        with open(target, "rb") as file:
            return file.read() if limit is None else file.read(limit + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SyncplanError(
            f"{path}: the file there cannot be read ({exc.strerror}), so syncplan leaves it alone; "
            f"give another -o path, or fix its permissions."
        ) from None


def occupied(path: Path) -> bool:
    """Something is at ``path``, a dangling symlink included (writing through it would create its target)."""
    return os.path.lexists(path)


def same_file(a: Path, b: Path) -> bool:
    """``a`` and ``b`` are one file (same inode, through links); False when either is missing."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def looks_like_icalendar(head: bytes) -> bool:
    """The file starts as an iCalendar file does: BEGIN:VCALENDAR after an optional BOM and whitespace."""
    text = head.lstrip()
    text = text[3:].lstrip() if text.startswith(b"\xef\xbb\xbf") else text
    return text[:15].upper() == b"BEGIN:VCALENDAR"


FORCE_HINT = "Give another path, or pass --force if it really should be overwritten. Nothing was written."


def refuse_foreign(path: Path, head: bytes | None, looks_ours, what: str, fix: str = FORCE_HINT) -> None:
    """Exit 2 before replacing a non-empty regular file that is not ``what``: -o onto notes.txt is a typo, not a wish."""
    if not head or not head.strip() or looks_ours(head):
        return
    from syncplan.errors import InvalidInput

    raise InvalidInput(f"{path}: there is already a file there that is not {what}, so syncplan will not replace it. {fix}")


def write_output(path: Path, data: bytes) -> None:
    """Write ``data`` where the user pointed: stream into devices and pipes, else atomically."""
    path = Path(path)
    if is_stream(path):
        _write_stream(path, data)
        return
    target = Path(os.path.realpath(path))
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise SyncplanError(f"{path}: cannot look at the output path ({exc.strerror}).") from None
    if mode is not None and not stat.S_ISREG(mode):
        what = "a directory; give a file name" if stat.S_ISDIR(mode) else "not a regular file, a device or a pipe"
        raise SyncplanError(f"{path}: is {what}. Nothing was written.")
    if mode is not None and not os.access(target, os.W_OK):
        raise SyncplanError(f"{path}: the file there is read-only, so syncplan leaves it alone. Nothing was written.")
    atomic_write(target, data, shown=path)


def _write_stream(path: Path, data: bytes) -> None:
    """Open without creating or truncating; a FIFO nobody reads is an error, not a hang."""
    inherited = open_descriptor(path)
    try:
        if inherited is not None:
            fd = os.dup(inherited)
        else:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY)
            os.set_blocking(fd, True)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise SyncplanError(f"{path}: a pipe with no reader; start the reading side first.") from None
        raise SyncplanError(f"{path}: cannot open it for writing ({exc.strerror}).") from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        raise SyncplanError(f"{path}: writing failed ({exc.strerror}); what was written there is incomplete.") from None
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int | None = None, shown: Path | None = None) -> None:
    """Write via a temp file in the same folder and rename it into place.

    ``mode`` applies from the moment the temp file exists (0600 for secrets);
    without it an existing file keeps its mode and a new one follows the umask.
    Any failure removes the temp file and leaves the old file as it was.
    ``shown`` is the path as the user gave it, for messages.
    """
    path = Path(path)
    shown = shown or path
    if path.is_dir():
        raise SyncplanError(f"{shown}: is a directory; give a file name.")
    if not path.parent.is_dir():
        raise SyncplanError(f"{shown}: the folder {path.parent} does not exist; create it first or give another path.")
    final_mode = mode if mode is not None else _current_mode(path)
    try:
        fd, tmp = _temporary(path)
    except OSError as exc:
        raise SyncplanError(f"{shown}: cannot write in {path.parent} ({exc.strerror}). Nothing was written.") from None
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), final_mode)  # made 0600; widen only if asked
            _keep_owner(out.fileno(), path)
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SyncplanError(
            f"{shown}: cannot write it ({exc.strerror}); the old content, if any, is left as it was."
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _temporary(path: Path) -> tuple[int, str]:
    """A new, private (0600) file beside ``path``, as tempfile.mkstemp makes one.

    Created exclusively, so nothing already there (a file, a planted symlink)
    is opened. Written here because importing tempfile (with shutil and the
    compression modules it pulls in) cost a tenth of a whole export.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOFOLLOW", 0)
    for attempt in range(100):
        tmp = str(path.parent / f".{path.name}.{os.getpid()}-{attempt}.tmp")
        try:
            return os.open(tmp, flags, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name beside the file")


def _keep_owner(fd: int, path: Path) -> None:
    """Root rewriting a user's feed must not leave it owned by root; others cannot change it anyway."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return
    if os.geteuid() == 0 and (st.st_uid, st.st_gid) != (0, 0):
        os.fchown(fd, st.st_uid, st.st_gid)


def _current_mode(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def make_folder(path: Path, what: str, fix: str) -> None:
    """Create a private folder syncplan keeps files in, or say in one paragraph why it cannot and what to do."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise SyncplanError(f"{path}: cannot create {what} ({exc.strerror or type(exc).__name__}); {fix}") from None
