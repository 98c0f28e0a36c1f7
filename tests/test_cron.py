"""`syncplan cron`: the printed line runs as cron would run it, and it schedules only what is valid.

The line is run with ``sh -c`` in a bare environment (cron gives a job little
more than HOME and a short PATH), on a home where syncplan never ran.
"""

from __future__ import annotations

import shlex
import subprocess

import icalendar
import pytest

from conftest import PLANS
from syncplan.cli import main
from syncplan.google.cron import EXPORT_TAG, TAG

LONDON = PLANS / "london.toml"
SAFETY = 120  # seconds; only so that a broken line fails instead of blocking the suite


def run_like_cron(line: str, home) -> subprocess.CompletedProcess:
    """The command part of a crontab line, as cron's /bin/sh runs it (``\\%`` is cron's escape for %)."""
    command = line.split(None, 5)[5].replace("\\%", "%")
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh", "LOGNAME": "runner"}
    return subprocess.run(["sh", "-c", command], capture_output=True, timeout=SAFETY, env=env, cwd=home)


def test_the_export_line_runs_on_a_fresh_home(runner, isolated_user_dirs, tmp_path):
    state = isolated_user_dirs / "state"
    assert not state.exists()  # a machine where syncplan never ran
    feed = tmp_path / "feed.ics"
    result = runner.invoke(main, ["cron", str(LONDON), "--export", str(feed), "--weeks", "2", "--keep-past", "4"])
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert line.endswith(EXPORT_TAG) and f" -o {feed} --keep-past 4 " in line and " --weeks 2 " in line
    ran = run_like_cron(line, tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert len(icalendar.Calendar.from_ical(feed.read_bytes()).walk("VEVENT")) == 10
    assert "Wrote 10 sessions" in (state / "export.log").read_text()


def test_the_sync_line_starts_syncplan_on_a_fresh_home(runner, isolated_user_dirs, tmp_path):
    line = runner.invoke(main, ["cron", str(LONDON)]).output.strip()
    assert line.endswith(TAG)
    ran = run_like_cron(line, tmp_path)
    log = (isolated_user_dirs / "state" / "sync.log").read_text()
    assert ran.returncode == 3 and "syncplan auth" in log  # it ran, and asks for authorisation (no token here)


def test_the_line_carries_the_xdg_directories(runner, monkeypatch, tmp_path):
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / var.lower()))
    line = runner.invoke(main, ["cron", str(LONDON)]).output.strip()
    words = shlex.split(line.split(None, 5)[5])
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        assert f"{var}={(tmp_path / var.lower()).resolve()}" in words[: words.index("sync")]


@pytest.mark.parametrize(
    "args",
    [
        ["--calendar", "x\n* * * * * touch /tmp/PWNED #"],
        ["--calendar", "x\r* * * * * touch /tmp/PWNED"],
        ["--token", "/tmp/tok\n* * * * * touch /tmp/PWNED"],
        ["--export", "/tmp/feed\n* * * * * touch /tmp/PWNED.ics"],
        ["--calendar", "Training\x1b[2J"],
    ],
)
def test_control_characters_in_a_value_are_refused(runner, args):
    result = runner.invoke(main, ["cron", str(LONDON), *args])
    assert result.exit_code == 2, result.output
    assert "PWNED" not in result.stdout and result.stdout == ""
    assert "control character" in result.stderr


def test_a_plan_path_with_a_newline_is_refused(runner, tmp_path):
    plan = tmp_path / "plan\n0 * * * * touch PWNED #.toml"
    plan.write_text(LONDON.read_text())
    result = runner.invoke(main, ["cron", str(plan)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "PLAN" in result.stderr


def test_a_directory_variable_with_a_newline_is_refused(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("SYNCPLAN_STATE_DIR", str(tmp_path / "state\n* * * * * touch PWNED"))
    result = runner.invoke(main, ["cron", str(LONDON)])
    assert result.exit_code == 2 and result.stdout == ""
    assert "SYNCPLAN_STATE_DIR" in result.stderr


def test_cron_loads_the_plan_it_schedules(runner, plan_file):
    broken = plan_file('[athlete]\ntimezone = "Mars/Olympus"\n')
    result = runner.invoke(main, ["cron", str(broken)])
    assert result.exit_code == 2 and str(broken) in result.stderr and result.stdout == ""
    missing_template = runner.invoke(main, ["cron", "--template", "no-such-week"])
    assert missing_template.exit_code == 2 and "no-such-week" in missing_template.stderr


def test_cron_without_a_plan_says_how_to_get_one(runner):
    result = runner.invoke(main, ["cron"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "syncplan init" in result.stderr and "--template" in result.stderr


def test_cron_export_into_a_missing_folder_is_refused(runner, tmp_path):
    result = runner.invoke(main, ["cron", str(LONDON), "--export", str(tmp_path / "nope" / "feed.ics")])
    assert result.exit_code == 2 and "does not exist" in result.stderr and result.stdout == ""


def test_sync_and_export_lines_live_side_by_side_in_the_crontab(runner, tmp_path, crontab_table):
    assert runner.invoke(main, ["cron", str(LONDON), "--install"]).exit_code == 0
    feed = tmp_path / "feed.ics"
    assert runner.invoke(main, ["cron", str(LONDON), "--export", str(feed), "--install"]).exit_code == 0
    again = runner.invoke(main, ["cron", str(LONDON), "--export", str(feed), "--install", "--day", "mon"])
    assert again.exit_code == 0
    lines = crontab_table.read_text().splitlines()
    assert lines[0] == "0 1 * * * backup" and len(lines) == 3
    assert lines[1].endswith(TAG) and lines[2].endswith(EXPORT_TAG) and lines[2].startswith("0 18 * * 1 ")


def test_a_log_folder_that_cannot_be_made_is_a_clean_error(runner, monkeypatch, tmp_path):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("SYNCPLAN_STATE_DIR", str(tmp_path / "file" / "state"))
    result = runner.invoke(main, ["cron", str(LONDON)])
    assert result.exit_code == 1 and "SYNCPLAN_STATE_DIR" in result.stderr and "Traceback" not in result.output
    assert result.stdout == ""


# --- issue 6 (safety 6): a path that is not UTF-8 is refused, not a traceback -----


def test_a_plan_path_that_is_not_utf8_is_refused_cleanly(tmp_path, crontab_table):
    import os
    import sys

    folder = os.fsencode(tmp_path)
    plan = folder + b"/\xfe.toml"
    with open(plan, "wb") as out:
        out.write(LONDON.read_bytes())
    before = crontab_table.read_text()
    for extra in ([], ["--install"]):
        ran = subprocess.run(
            [os.fsencode(sys.executable), b"-m", b"syncplan", b"cron", plan, *(e.encode() for e in extra)],
            capture_output=True,
            timeout=SAFETY,
        )
        assert ran.returncode == 2, ran.stderr
        assert b"Traceback" not in ran.stderr and b"UTF-8" in ran.stderr
    assert crontab_table.read_text() == before


# --- issue 6 (safety 9): the weekly export keeps the week under way ---------------


def test_the_export_line_keeps_the_current_week_unless_told_otherwise(runner, isolated_user_dirs, tmp_path):
    feed = tmp_path / "feed.ics"
    line = runner.invoke(main, ["cron", str(LONDON), "--export", str(feed)]).output.strip()
    assert " --keep-past 1 " in line
    # run it twice, as two Sundays would: the second run keeps the first run's week
    assert run_like_cron(line.replace("--week next", "--week 2026-W49"), tmp_path).returncode == 0
    ran = run_like_cron(line.replace("--week next", "--week 2026-W50"), tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert len(icalendar.Calendar.from_ical(feed.read_bytes()).walk("VEVENT")) == 10
    none = runner.invoke(main, ["cron", str(LONDON), "--export", str(feed), "--keep-past", "0"]).output.strip()
    assert "--keep-past" not in none
    assert runner.invoke(main, ["cron", str(LONDON), "--keep-past", "0"]).exit_code == 2  # only with --export


# --- issue 6 (safety 10): each run in the log starts with its time ----------------


def test_each_cron_run_is_dated_in_the_log(runner, isolated_user_dirs, tmp_path):
    import re

    feed = tmp_path / "feed.ics"
    line = runner.invoke(main, ["cron", str(LONDON), "--export", str(feed)]).output.strip()
    for _ in range(2):
        assert run_like_cron(line, tmp_path).returncode == 0
    log = (isolated_user_dirs / "state" / "export.log").read_text().splitlines()
    stamps = [n for n, text in enumerate(log) if re.fullmatch(r"== syncplan run at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)]
    assert len(stamps) == 2 and stamps[0] == 0 and "Wrote" in log[stamps[1] - 1]


def test_cron_export_onto_the_plan_or_a_file_that_is_not_a_calendar_is_refused(runner, plan_file, tmp_path):
    plan = plan_file(LONDON.read_text())
    notes = tmp_path / "notes.txt"
    notes.write_text("my diary\n")
    for target, words in ((plan, "plan file"), (notes, "not an iCalendar file")):
        result = runner.invoke(main, ["cron", str(plan), "--export", str(target)])
        assert result.exit_code == 2 and words in result.stderr and result.stdout == ""
    assert notes.read_text() == "my diary\n" and plan.read_text() == LONDON.read_text()
