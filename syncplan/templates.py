"""Where the built-in week plans and description templates live.

In a wheel they are inside the package (``syncplan/templates``); in a source
checkout or an editable install they are the top-level ``templates/`` folder.
"""

from __future__ import annotations

from pathlib import Path

from syncplan.errors import InvalidInput

DEFAULT_TEMPLATE = "four-day"


def templates_dir() -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here / "templates", here.parent / "templates"):
        if (candidate / "plans").is_dir():
            return candidate
    raise RuntimeError("syncplan's built-in templates are missing from this installation")


def template_names() -> list[str]:
    return sorted(p.stem for p in (templates_dir() / "plans").glob("*.toml"))


def template_path(name: str) -> Path:
    path = templates_dir() / "plans" / f"{name}.toml"
    if not path.is_file():
        names = ", ".join(template_names())
        raise InvalidInput(f"There is no built-in template named {name!r}; the templates are: {names}.")
    return path


def template_summary(name: str) -> str:
    """The first comment line of a template, which says what week it is."""
    for line in template_path(name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""
