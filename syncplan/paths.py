"""Where syncplan keeps the user's files (XDG locations via platformdirs).

Each location can be overridden by an environment variable, which is also how
tests keep away from the real home directory.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "syncplan"


def _dirs():
    import platformdirs

    return platformdirs.PlatformDirs(APP, appauthor=False)


def default_plan_path() -> Path:
    return plan_from_environment() or config_dir() / "plan.toml"


def plan_from_environment() -> Path | None:
    """SYNCPLAN_PLAN names a plan as surely as an argument does, so it must exist."""
    env = os.environ.get("SYNCPLAN_PLAN")
    return Path(env).expanduser() if env else None


def config_dir() -> Path:
    env = os.environ.get("SYNCPLAN_CONFIG_DIR")
    return Path(env).expanduser() if env else _dirs().user_config_path


def data_dir() -> Path:
    env = os.environ.get("SYNCPLAN_DATA_DIR")
    return Path(env).expanduser() if env else _dirs().user_data_path


def state_dir() -> Path:
    env = os.environ.get("SYNCPLAN_STATE_DIR")
    return Path(env).expanduser() if env else _dirs().user_state_path
