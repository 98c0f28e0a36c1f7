"""The crontab line for a weekly sync (or .ics export), and installing it idempotently.

The line carries absolute paths and the directory variables in force, because
cron runs with a bare PATH and no shell profile. Its log folder is created
when the line is printed, so it runs on a machine where syncplan never ran.
It ends with a tag so ``--install`` replaces its own line instead of adding
another.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from syncplan.errors import InvalidInput, SyncplanError
from syncplan.plan import DAYS, parse_clock, parse_day

TAG = "# syncplan weekly sync"
EXPORT_TAG = "# syncplan weekly export"

# A line break would end the crontab entry and start another (an injected job);
# other control characters have no business in a path or a name either.
_UNSAFE = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]")


def checked(value: str, what: str) -> str:
    """``value`` as it may go into the line, or exit 2 naming ``what``."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # bytes that are not UTF-8, carried as surrogates: no text crontab holds them
        raise InvalidInput(
            f"{what} {value!r}: is not valid UTF-8, so it cannot be written into a crontab as text; "
            f"rename it (or the folder) to a UTF-8 name."
        ) from None
    if _UNSAFE.search(value):
        raise InvalidInput(
            f"{what} {value!r}: contains a line break or another control character, which would "
            f"break the crontab line; use a value without them."
        )
    return value


def sync_command(
    plan: Path | None, template: str | None, calendar: str | None, token: Path | None, weeks: int = 1
) -> list[str]:
    """The weekly ``syncplan sync`` as argv, every path absolute.

    Cron starts with a bare environment, so a token file chosen through
    SYNCPLAN_TOKEN_FILE here is named on the line.
    """
    if token is None and os.environ.get("SYNCPLAN_TOKEN_FILE"):
        token = Path(os.environ["SYNCPLAN_TOKEN_FILE"])
    command = [*_this_syncplan(), "sync", *_source(plan, template)]
    if calendar:
        command += ["--calendar", checked(calendar, "--calendar")]
    if token is not None:
        command += ["--token", checked(_absolute(token), "--token")]
    command += ["--week", "next", *(["--weeks", str(weeks)] if weeks != 1 else [])]
    return [*command, "--non-interactive"]


def export_command(
    plan: Path | None, template: str | None, output: Path, weeks: int = 1, keep_past: int = 0, busy_only: bool = False
) -> list[str]:
    """The weekly ``syncplan export`` as argv: rewrite an .ics feed that a calendar app subscribes to."""
    command = [*_this_syncplan(), "export", *_source(plan, template), "--week", "next"]
    if weeks != 1:
        command += ["--weeks", str(weeks)]
    command += ["-o", checked(_absolute(output), "--export")]
    if keep_past:
        command += ["--keep-past", str(keep_past)]
    if busy_only:
        command.append("--busy-only")
    return command


def _source(plan: Path | None, template: str | None) -> list[str]:
    if template is not None:
        return ["--template", checked(template, "--template")]
    if plan is not None:
        return [checked(_absolute(plan), "PLAN")]
    return []


def _absolute(path: Path) -> str:
    """Absolute, but through the user's symlinks: a plan kept as a link to dotfiles stays followed."""
    return os.path.abspath(path.expanduser())


def _this_syncplan() -> list[str]:
    """How cron, with a bare PATH, can start this same syncplan."""
    script = Path(sys.argv[0])
    if script.name == "syncplan" and script.exists():
        return [checked(str(script.resolve()), "the syncplan executable")]
    found = shutil.which("syncplan")
    if found and os.path.dirname(os.path.realpath(found)) == os.path.dirname(os.path.realpath(sys.executable)):
        return [checked(os.path.abspath(found), "the syncplan executable")]
    return [checked(os.path.abspath(sys.executable), "the Python executable"), "-m", "syncplan"]


CARRIED = ("SYNCPLAN_CONFIG_DIR", "SYNCPLAN_DATA_DIR", "SYNCPLAN_STATE_DIR", "SYNCPLAN_NOTES")
# platformdirs honours these on Linux; cron sets none of them, so a user who
# moved their directories would otherwise get another state and token.
XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")


def carried_environment() -> dict[str, str]:
    """The directory overrides in force here, which cron would otherwise lose.

    Without them the cron run would remember another calendar id and lock file
    than the runs made by hand.
    """
    return {
        var: checked(str(Path(os.environ[var]).expanduser().resolve()), var)
        for var in (*CARRIED, *XDG)
        if os.environ.get(var)
    }


def schedule(day: str, at: str) -> tuple[int, int, int]:
    """(minute, hour, cron weekday) or exit 2 naming the option."""
    weekday = parse_day(day)
    if weekday is None:
        raise InvalidInput(f"--day {day}: use one of {', '.join(DAYS)}.")
    clock = parse_clock(at)
    if clock is None:
        raise InvalidInput(f"--time {at}: use HH:MM on a 24-hour clock, e.g. 18:00.")
    return clock.minute, clock.hour, (weekday + 1) % 7  # cron counts from Sunday = 0


# Each run's output in the log starts with when it ran (POSIX date, in UTC).
STAMP = "date -u '+== syncplan run at %Y-%m-%dT%H:%M:%SZ'"


def crontab_line(command: list[str], day: str, at: str, log: Path, env: dict[str, str] | None = None, tag: str = TAG) -> str:
    """``command`` is the command as argv, executable first, already absolute.

    The log gets a line with the time of each run before the run's own output.

    The log's folder must exist when cron runs the line (a failed ``>>`` keeps
    the command from starting): ``make_log_folder`` creates it.
    """
    minute, hour, cron_weekday = schedule(day, at)
    log = Path(checked(str(log), "the log path"))
    assignments = [f"{var}={shlex.quote(checked(value, var))}" for var, value in (env or {}).items()]
    run = " ".join([*assignments, *(shlex.quote(checked(part, "the command")) for part in command)])
    logged = f">> {shlex.quote(str(log))} 2>&1"
    shell = f"{STAMP} {logged}; {run} {logged}"
    return f"{minute} {hour} * * {cron_weekday} {shell.replace('%', chr(92) + '%')} {tag}"


def make_log_folder(log: Path) -> None:
    """Create the folder the line logs into, now, so the line runs on a machine where syncplan never ran."""
    from syncplan.files import make_folder

    make_folder(log.parent, "the folder for the cron log", "set SYNCPLAN_STATE_DIR to a folder you can write.")


def with_line(crontab: str, line: str) -> str:
    """The crontab with syncplan's line in place: replaced if present, appended if not."""
    tag = EXPORT_TAG if line.rstrip().endswith(EXPORT_TAG) else TAG
    kept = [existing for existing in crontab.splitlines() if not existing.rstrip().endswith(tag)]
    return "\n".join([*kept, line]) + "\n"


def install(line: str) -> bool:
    """Put the line in the user's crontab; False if it was already there as is."""
    try:
        current = subprocess.run(["crontab", "-l"], capture_output=True, text=True)
    except FileNotFoundError:
        raise SyncplanError("there is no `crontab` command here; add the line above to your scheduler by hand.") from None
    if current.returncode != 0 and "no crontab" not in current.stderr.lower():
        raise SyncplanError(f"`crontab -l` failed: {current.stderr.strip() or current.returncode}.")
    existing = current.stdout if current.returncode == 0 else ""
    wanted = with_line(existing, line)
    if wanted == existing:
        return False
    written = subprocess.run(["crontab", "-"], input=wanted, capture_output=True, text=True)
    if written.returncode != 0:
        raise SyncplanError(f"`crontab -` refused the new crontab: {written.stderr.strip() or written.returncode}.")
    return True
