"""Shared fixtures: real plan files, a clean user environment, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

FIXTURES = Path(__file__).parent / "fixtures"
PLANS = FIXTURES / "plans"


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
