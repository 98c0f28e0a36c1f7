"""`export -o PATH` never destroys what is at PATH, and every refusal is one clean paragraph.

Streams (devices, FIFOs, pipes) are exercised in a child process, so a
regression that blocks on them fails the test at the safety timeout instead of
hanging the suite. Devices are private copies made with mknod, never the
machine's own /dev/null or /dev/full.
"""

from __future__ import annotations

import os
import shlex
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import icalendar
import pytest

from conftest import PLANS

LONDON = str(PLANS / "london.toml")
EXPORT = ["export", LONDON, "--week", "2026-W49"]
OLD_FEED = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"  # an earlier feed: replacing it is the point
SAFETY = 120  # seconds; only so that a hang fails instead of blocking the suite


def syncplan(args, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "syncplan", *args], timeout=SAFETY, **kw)


def vevents(data: bytes):
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def device(tmp_path: Path, name: str, minor: int) -> Path:
    """A private character device like /dev/null (minor 3) or /dev/full (minor 7)."""
    path = tmp_path / name
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
        with open(path, "wb"):
            pass
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here ({exc}); needs root on a filesystem without nodev")
    return path


def test_a_character_device_is_written_as_a_stream_and_stays_a_device(tmp_path):
    null = device(tmp_path, "null", 3)
    result = syncplan([*EXPORT, "-o", str(null)])
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_dev_stdout_into_a_pipe_gets_the_calendar():
    result = syncplan([*EXPORT, "-o", "/dev/stdout"])
    assert result.returncode == 0, result.stderr
    assert len(vevents(result.stdout)) == 5


def test_dev_stdout_appended_to_a_log_file_keeps_the_log(tmp_path):
    log = tmp_path / "cron.log"
    log.write_bytes(b"earlier run\n")
    inode = log.stat().st_ino
    with open(log, "ab") as appended:
        result = syncplan([*EXPORT, "-o", "/dev/stdout"], stdout=appended, stderr=subprocess.PIPE)
    assert result.returncode == 0, result.stderr
    data = log.read_bytes()
    assert data.startswith(b"earlier run\n") and len(vevents(data[len(b"earlier run\n") :])) == 5
    assert log.stat().st_ino == inode and sorted(p.name for p in tmp_path.iterdir()) == ["cron.log"]


def test_a_fifo_with_a_reader_gets_the_calendar_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "feed.ics"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        result = syncplan([*EXPORT, "-o", str(fifo)])
        received, _ = reader.communicate(timeout=SAFETY)
    finally:
        reader.kill()
    assert result.returncode == 0, result.stderr
    assert len(vevents(received)) == 5
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.ics"]


def test_a_fifo_nobody_reads_is_an_error_not_a_hang(tmp_path):
    fifo = tmp_path / "feed.ics"
    os.mkfifo(fifo)
    result = syncplan([*EXPORT, "-o", str(fifo)])
    assert result.returncode == 1
    assert str(fifo) in result.stderr.decode() and "reader" in result.stderr.decode()
    assert b"Traceback" not in result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_process_substitution_dev_fd_is_written_as_a_stream():
    read_end, write_end = os.pipe()
    try:
        result = syncplan([*EXPORT, "-o", f"/dev/fd/{write_end}"], pass_fds=(write_end,))
        os.close(write_end)
        write_end = None
        with os.fdopen(read_end, "rb") as pipe:
            read_end = None
            received = pipe.read()
    finally:
        for fd in (read_end, write_end):
            if fd is not None:
                os.close(fd)
    assert result.returncode == 0, result.stderr
    assert len(vevents(received)) == 5


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    real_dir, link_dir = tmp_path / "real", tmp_path / "links"
    real_dir.mkdir()
    link_dir.mkdir()
    (real_dir / "feed.ics").write_bytes(OLD_FEED)
    link = link_dir / "feed.ics"
    link.symlink_to("../real/feed.ics")
    result = syncplan([*EXPORT, "-o", str(link)])
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == "../real/feed.ics"
    assert len(vevents((real_dir / "feed.ics").read_bytes())) == 5
    assert [p.name for p in real_dir.iterdir()] == ["feed.ics"]
    assert [p.name for p in link_dir.iterdir()] == ["feed.ics"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "feed.ics"
    link.symlink_to(tmp_path / "elsewhere.ics")
    result = syncplan([*EXPORT, "-o", str(link)])
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and len(vevents((tmp_path / "elsewhere.ics").read_bytes())) == 5


# --- item 6: the write side never tracebacks and never leaves a temp file ------


def test_a_full_disk_is_a_clean_error(tmp_path):
    full = device(tmp_path, "full", 7)
    result = syncplan([*EXPORT, "-o", str(full)])
    assert result.returncode == 1
    err = result.stderr.decode()
    assert str(full) in err and "No space left" in err and "Traceback" not in err
    assert [line for line in err.splitlines() if line.startswith("Error:")] == [err.splitlines()[-1]]
    assert stat.S_ISCHR(os.stat(full).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]


def test_an_output_folder_that_is_a_file_is_a_clean_error(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    out = tmp_path / "notes.txt" / "week.ics"
    result = syncplan([*EXPORT, "-o", str(out)])
    assert result.returncode == 1
    assert str(out) in result.stderr.decode() and b"Traceback" not in result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.fixture
def shared_dir():
    """A folder another user can reach (pytest's tmp dirs are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="syncplan-test-"))
    folder.chmod(0o777)
    yield folder
    for path in folder.rglob("*"):
        if path.is_dir():
            path.chmod(0o777)
    shutil.rmtree(folder)


def run_unprivileged(args, home: Path) -> subprocess.CompletedProcess:
    """syncplan as a user without root's power to bypass permissions (setpriv when run as root)."""
    prefix = []
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: cannot stage a permission refusal")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    env = {
        **os.environ,
        "HOME": str(home),
        "SYNCPLAN_CONFIG_DIR": str(home / "config"),
        "SYNCPLAN_DATA_DIR": str(home / "data"),
        "SYNCPLAN_STATE_DIR": str(home / "state"),
    }
    command = [*prefix, sys.executable, "-m", "syncplan", *args]
    return subprocess.run(command, capture_output=True, timeout=SAFETY, env=env, cwd=home)


def unprivileged_export(shared_dir: Path, out: Path) -> subprocess.CompletedProcess:
    return run_unprivileged(["export", "--template", "four-day", "--week", "2026-W49", "-o", str(out)], shared_dir)


def test_an_unreadable_existing_output_is_left_alone(shared_dir):
    out = shared_dir / "feed.ics"
    out.write_bytes(b"precious")
    out.chmod(0o200)
    result = unprivileged_export(shared_dir, out)
    assert result.returncode == 1, result.stderr
    assert str(out) in result.stderr.decode() and b"Traceback" not in result.stderr
    assert out.read_bytes() == b"precious"
    assert [p.name for p in shared_dir.iterdir() if p.name.endswith(".tmp")] == []


def test_a_rename_refused_by_a_sticky_folder_is_a_clean_error(shared_dir):
    sticky = shared_dir / "public"
    sticky.mkdir()
    sticky.chmod(0o1777)
    out = sticky / "feed.ics"
    out.write_bytes(OLD_FEED)
    out.chmod(0o666)  # writable in place, but the sticky bit keeps others from renaming over it
    if os.geteuid() != 0 and out.stat().st_uid == os.geteuid():
        pytest.skip("needs a file owned by another user in the sticky folder")
    result = unprivileged_export(shared_dir, out)
    assert result.returncode == 1, result.stderr
    err = result.stderr.decode()
    assert str(out) in err and "Traceback" not in err
    assert out.read_bytes() == OLD_FEED
    assert [p.name for p in sticky.iterdir()] == ["feed.ics"]  # no temp file left behind


def test_a_read_only_folder_is_a_clean_error(shared_dir):
    locked = shared_dir / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    out = locked / "feed.ics"
    result = unprivileged_export(shared_dir, out)
    assert result.returncode == 1, result.stderr
    assert str(out) in result.stderr.decode() and b"Traceback" not in result.stderr
    assert list(locked.iterdir()) == []


def test_a_rewritten_file_keeps_its_owner_and_mode(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root can write a file that another user owns")
    out = tmp_path / "feed.ics"
    out.write_bytes(OLD_FEED)
    os.chown(out, 65534, 65534)
    out.chmod(0o640)
    result = syncplan([*EXPORT, "-o", str(out)])
    assert result.returncode == 0, result.stderr
    assert (out.stat().st_uid, out.stat().st_gid, out.stat().st_mode & 0o777) == (65534, 65534, 0o640)
    assert len(vevents(out.read_bytes())) == 5


# --- issue 6 (safety 2): init writes the way export does --------------------------

INIT = ["init", "--timezone", "UTC"]


def test_init_force_streams_into_a_device_and_it_stays_one(tmp_path):
    null = device(tmp_path, "null", 3)
    result = syncplan([*INIT, str(null), "--force"])
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


def test_init_force_into_a_fifo_feeds_the_reader_and_it_stays_a_fifo(tmp_path):
    import tomllib

    fifo = tmp_path / "plan.toml"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        result = syncplan([*INIT, str(fifo), "--force"])
        received, _ = reader.communicate(timeout=SAFETY)
    finally:
        reader.kill()
    assert result.returncode == 0, result.stderr
    assert tomllib.loads(received.decode())["athlete"]["timezone"] == "UTC"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_init_force_writes_through_a_symlink_and_keeps_it(tmp_path):
    real = tmp_path / "dotfiles" / "plan.toml"
    real.parent.mkdir()
    real.write_text("# old plan\n")
    link = tmp_path / "plan.toml"
    link.symlink_to(real)
    result = syncplan([*INIT, str(link), "--force"])
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "[athlete]" in real.read_text()


def test_init_counts_a_dangling_symlink_as_existing(tmp_path):
    link = tmp_path / "plan.toml"
    link.symlink_to(tmp_path / "nowhere.toml")
    result = syncplan([*INIT, str(link)])
    assert result.returncode == 1 and "--force" in result.stderr.decode()
    assert link.is_symlink() and not (tmp_path / "nowhere.toml").exists()
    assert syncplan([*INIT, str(link), "--force"]).returncode == 0
    assert link.is_symlink() and "[athlete]" in (tmp_path / "nowhere.toml").read_text()


def test_init_dash_prints_the_plan_and_writes_no_file(tmp_path):
    import tomllib

    result = syncplan([*INIT, "-"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert tomllib.loads(result.stdout.decode())["athlete"]["timezone"] == "UTC"
    assert "weight_kg" in result.stderr.decode()
    assert list(tmp_path.iterdir()) == []


# --- issue 6 (safety 3): export never replaces its plan or a file that is not a calendar


def test_export_onto_its_own_plan_is_refused(tmp_path):
    plan = tmp_path / "p.toml"
    plan.write_bytes((PLANS / "london.toml").read_bytes())
    link = tmp_path / "link.ics"
    link.symlink_to(plan)
    for out in (plan, link):
        result = syncplan(["export", str(plan), "--week", "2026-W49", "-o", str(out), "--force"])
        assert result.returncode == 2, result.stderr
        assert str(out) in result.stderr.decode() and "plan file" in result.stderr.decode()
    assert plan.read_bytes() == (PLANS / "london.toml").read_bytes()


def test_export_onto_the_plan_in_syncplan_plan_is_refused(tmp_path):
    plan = tmp_path / "p.toml"
    plan.write_bytes((PLANS / "london.toml").read_bytes())
    result = syncplan(["export", "--week", "2026-W49", "-o", str(plan)], env={**os.environ, "SYNCPLAN_PLAN": str(plan)})
    assert result.returncode == 2 and plan.read_bytes() == (PLANS / "london.toml").read_bytes()


def test_export_will_not_replace_a_file_that_is_not_a_calendar_without_force(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("my training diary\n")
    result = syncplan([*EXPORT, "-o", str(notes)])
    assert result.returncode == 2
    err = result.stderr.decode()
    assert str(notes) in err and "--force" in err and "Traceback" not in err
    assert notes.read_text() == "my training diary\n"
    assert syncplan([*EXPORT, "-o", str(notes), "--force"]).returncode == 0
    assert len(vevents(notes.read_bytes())) == 5


@pytest.mark.parametrize(
    "before", [b"", b"\n", b"\xef\xbb\xbf\r\n  BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", b"begin:vcalendar\nend:vcalendar\n"]
)
def test_export_replaces_an_empty_file_or_an_earlier_calendar(tmp_path, before):
    feed = tmp_path / "feed.ics"
    feed.write_bytes(before)
    result = syncplan([*EXPORT, "-o", str(feed)])
    assert result.returncode == 0, result.stderr
    assert len(vevents(feed.read_bytes())) == 5


# --- issue 6 (safety 7): a calendar that never arrived is not a success -----------


@pytest.mark.parametrize("target", [[], ["-o", "/dev/stdout"]], ids=["stdout", "-o /dev/stdout"])
def test_a_closed_stdout_is_exit_1_with_a_message(target):
    command = " ".join(shlex.quote(a) for a in [sys.executable, "-m", "syncplan", *EXPORT, *target])
    result = subprocess.run(["sh", "-c", f"exec {command} >&-"], capture_output=False, stderr=subprocess.PIPE, timeout=SAFETY)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "Error:" in err and "Wrote" not in err and "Traceback" not in err
    assert ("not open" if target else "standard output is closed") in err


@pytest.mark.parametrize("target", [[], ["-o", "/dev/stdout"]], ids=["stdout", "-o /dev/stdout"])
def test_a_pipe_whose_reader_is_gone_is_exit_1_with_a_message(target):
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = syncplan([*EXPORT, *target], stdout=write_end)
    finally:
        os.close(write_end)
    err = result.stderr.decode()
    assert result.returncode == 1, err
    assert "Broken pipe" in err and "Traceback" not in err and "Exception ignored" not in err


def test_init_into_dev_stdout_keeps_its_hints_off_stdout(tmp_path):
    import tomllib

    result = syncplan([*INIT, "/dev/stdout"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert tomllib.loads(result.stdout.decode())["athlete"]["timezone"] == "UTC"
    assert "weight_kg" in result.stderr.decode() and list(tmp_path.iterdir()) == []
