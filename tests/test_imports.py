"""`syncplan --help` and `syncplan export` must not load the Google client or OAuth.

They are heavy (hundreds of modules) and only `auth` and `sync` need them, so
they are imported inside those commands. Each check runs a fresh interpreter
with ``-X importtime``, which lists every module the process imports.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

HEAVY = ("googleapiclient", "google.auth", "google.oauth2", "google_auth_oauthlib", "google_auth_httplib2", "httplib2", "oauthlib")


def imported_modules(args: list[str], env: dict[str, str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "syncplan", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and line.count("|") == 2
    }


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.fixture
def env(isolated_user_dirs):
    """The user dirs from conftest, plus nothing in the environment that could preload modules."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    clean["SYNCPLAN_CONFIG_DIR"] = str(isolated_user_dirs / "config")
    return clean


def test_importtime_output_is_read(env):
    modules = imported_modules(["--help"], env)
    assert {"click", "syncplan.cli"} <= modules


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["export", "--help"],
        ["export", "-o", "{tmp}/week.ics"],
        ["export", "--weeks", "4", "-o", "{tmp}/weeks.ics"],
        ["export", "--template", "hybrid", "-o", "-"],
    ],
    ids=["help", "export-help", "export", "export-4-weeks", "export-stdout"],
)
def test_command_does_not_import_google_or_oauth(args, env, tmp_path):
    modules = imported_modules([a.format(tmp=tmp_path) for a in args], env)
    assert heavy(modules) == []
    assert not any(m == "google" or m.startswith("google.") for m in modules), sorted(
        m for m in modules if m.startswith("google")
    )


PLACING = ("syncplan.place", "syncplan.placing", "syncplan.busy", "syncplan.availability", "recurring_ical_events")


@pytest.mark.parametrize("command", ["export", "show", "check"])
def test_plan_without_flexible_sessions_never_imports_the_placement_code(command, env, tmp_path):
    args = [command, "--template", "four-day", "--week", "2026-W20"] + (["-o", str(tmp_path / "w.ics")] if command == "export" else [])
    modules = imported_modules(args, env)
    assert "syncplan.build" in modules
    assert sorted(m for m in modules if m in PLACING) == []


def test_plan_with_flexible_sessions_does_import_it(env, tmp_path):
    """The check above can fail: the same run on a plan with a flexible session lists the modules."""
    plan = tmp_path / "flex.toml"
    plan.write_text('[athlete]\ntimezone = "UTC"\n[[session]]\nid = "lift"\nkind = "strength"\nminutes = 60\n')
    modules = imported_modules(["export", str(plan), "--week", "2026-W20", "-o", str(tmp_path / "w.ics")], env)
    assert {"syncplan.place", "syncplan.placing"} <= modules
    assert heavy(modules) == []
