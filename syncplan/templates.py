"""Where the built-in week plans and description templates live.

In a wheel they are inside the package (``syncplan/templates``); in a source
checkout or an editable install they are the top-level ``templates/`` folder.
"""

from __future__ import annotations

import re
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


_ZONE_LINE = re.compile(r'^(timezone[ \t]*=[ \t]*)"[^"\n]*"', re.MULTILINE)
_CALENDAR_HEADER = re.compile(r"^\[calendar\][ \t]*(?:#.*)?$", re.MULTILINE)


def personalised(text: str, plan_id: str, zone: str | None = None) -> str:
    """A template's text with the user's zone and a fresh ``[calendar] id``.

    Only those two lines change, so the comments that explain the template
    stay in the user's file.
    """
    if zone is not None:
        text = _ZONE_LINE.sub(lambda m: f'{m[1]}"{zone}"', text, count=1)
    setting = f'id = "{plan_id}"'
    id_line = f"{setting:<28} # this plan's own identity: its events stay its own, even if you rename it\n"
    header = _CALENDAR_HEADER.search(text)
    if header:
        at = header.end() + 1
        return text[:at] + id_line + text[at:]
    return text.rstrip("\n") + "\n\n[calendar]\n" + id_line


def new_plan_id(stem: str = "training") -> str:
    """An id no other plan has: a readable stem and 8 random hex digits."""
    import os

    return f"{stem}-{os.urandom(4).hex()}"


def template_zone(text: str) -> str | None:
    """The zone a template's text sets, for telling the user what they got."""
    match = _ZONE_LINE.search(text)
    return match[0].split("=", 1)[1].strip().strip('"') if match else None
