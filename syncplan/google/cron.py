"""The crontab line for a weekly sync, and installing it idempotently.

The line carries absolute paths because cron runs with a bare PATH and no
shell profile; it ends with a tag so ``--install`` replaces its own line
instead of adding another.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from syncplan.errors import InvalidInput, SyncplanError
from syncplan.plan import DAYS, parse_clock, parse_day

TAG = "# syncplan weekly sync"


def sync_command(plan: Path | None, template: str | None, calendar: str | None, token: Path | None) -> list[str]:
    """The weekly ``syncplan sync`` as argv, every path absolute.

    Cron starts with a bare environment, so a token file chosen through
    SYNCPLAN_TOKEN_FILE here is named on the line.
    """
    if token is None and os.environ.get("SYNCPLAN_TOKEN_FILE"):
        token = Path(os.environ["SYNCPLAN_TOKEN_FILE"])
    command = [*_this_syncplan(), "sync"]
    if plan is not None:
        command.append(str(plan.expanduser().resolve()))
    if template is not None:
        command += ["--template", template]
    if calendar:
        command += ["--calendar", calendar]
    if token is not None:
        command += ["--token", str(token.expanduser().resolve())]
    return [*command, "--week", "next", "--non-interactive"]


def _this_syncplan() -> list[str]:
    """How cron, with a bare PATH, can start this same syncplan."""
    script = Path(sys.argv[0])
    if script.name == "syncplan" and script.exists():
        return [str(script.resolve())]
    found = shutil.which("syncplan")
    if found and os.path.dirname(os.path.realpath(found)) == os.path.dirname(os.path.realpath(sys.executable)):
        return [os.path.abspath(found)]
    return [os.path.abspath(sys.executable), "-m", "syncplan"]


CARRIED = ("SYNCPLAN_CONFIG_DIR", "SYNCPLAN_DATA_DIR", "SYNCPLAN_STATE_DIR", "SYNCPLAN_NOTES")


def carried_environment() -> dict[str, str]:
    """The directory overrides in force here, which cron would otherwise lose.

    Without them the cron run would remember another calendar id and lock file
    than the runs made by hand.
    """
    return {var: str(Path(os.environ[var]).expanduser().resolve()) for var in CARRIED if os.environ.get(var)}


def crontab_line(command: list[str], day: str, at: str, log: Path, env: dict[str, str] | None = None) -> str:
    """``command`` is the sync command as argv, executable first, already absolute."""
    weekday = parse_day(day)
    if weekday is None:
        raise InvalidInput(f"--day {day}: use one of {', '.join(DAYS)}.")
    clock = parse_clock(at)
    if clock is None:
        raise InvalidInput(f"--time {at}: use HH:MM on a 24-hour clock, e.g. 18:00.")
    assignments = [f"{var}={shlex.quote(value)}" for var, value in (env or {}).items()]
    shell = " ".join([*assignments, *(shlex.quote(part) for part in command)]) + f" >> {shlex.quote(str(log))} 2>&1"
    cron_weekday = (weekday + 1) % 7  # cron counts from Sunday = 0
    return f"{clock.minute} {clock.hour} * * {cron_weekday} {shell.replace('%', chr(92) + '%')} {TAG}"


def with_line(crontab: str, line: str) -> str:
    """The crontab with syncplan's line in place: replaced if present, appended if not."""
    kept = [existing for existing in crontab.splitlines() if not existing.rstrip().endswith(TAG)]
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
