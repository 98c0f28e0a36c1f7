"""Shared fixtures: real plan files, a clean user environment, a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# CI explores the same examples every run, so a red build is reproducible;
# local runs keep drawing new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = FIXTURES / "plans"


def read_with_vobject(data: bytes):
    """Parse with vobject, forgetting the zones of earlier files.

    vobject keeps the first VTIMEZONE it sees for a TZID for the life of the
    process; our VTIMEZONEs cover only the years exported, so each file must be
    read with its own.
    """
    import vobject

    registry = vars(vobject.icalendar)["__tzidMap"]
    for tzid in [t for t in registry if t != "UTC"]:
        del registry[tzid]
    return vobject.readOne(data.decode("utf-8"))


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Keep every test away from the real config, data and state directories."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("SYNCPLAN_CONFIG_DIR", "config"),
        ("SYNCPLAN_DATA_DIR", "data"),
        ("SYNCPLAN_STATE_DIR", "state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    for var in ("SYNCPLAN_PLAN", "SYNCPLAN_NOTES", "SYNCPLAN_TOKEN_FILE", "SYNCPLAN_GOOGLE_API_URL"):
        monkeypatch.delenv(var, raising=False)
    return home


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def plan_file(tmp_path):
    """Write a plan (TOML text) to a temp file and return its path."""

    def write(text: str, name: str = "plan.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# --- Google sync fixtures (owned by the sync helper) ---------------------------
# A loopback fake of the Calendar API (tests/fake_calendar.py) and a token for it.


@pytest.fixture
def fake_google(monkeypatch):
    """The fake Calendar API on 127.0.0.1, with SYNCPLAN_GOOGLE_API_URL pointing at it and tiny retry sleeps."""
    from fake_calendar import FakeCalendar

    fake = FakeCalendar().start()
    monkeypatch.setenv("SYNCPLAN_GOOGLE_API_URL", fake.root)
    monkeypatch.setenv("SYNCPLAN_RETRY_BASE", "0.001")
    monkeypatch.setenv("SYNCPLAN_RETRY_LIMIT", "1")
    yield fake
    fake.stop()


@pytest.fixture
def google_token(fake_google, isolated_user_dirs, monkeypatch):
    """A token file as `syncplan auth` writes it, valid at the fake; its path."""
    import json
    import os

    path = isolated_user_dirs / "data" / "token.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(fake_google.token_info(), out)
    monkeypatch.setenv("SYNCPLAN_TOKEN_FILE", str(path))
    return path
# --- end of Google sync fixtures ------------------------------------------------


@pytest.fixture
def crontab_table(tmp_path, monkeypatch):
    """A stand-in `crontab` program on PATH that keeps the table in this file (one line already in it)."""
    table = tmp_path / "crontab-table"
    table.write_text("0 1 * * * backup\n")
    bin_dir = tmp_path / "crontab-bin"
    bin_dir.mkdir()
    fake = bin_dir / "crontab"
    fake.write_text(f'#!/bin/sh\nif [ "$1" = "-l" ]; then cat {table}; else cat > {table}; fi\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return table
