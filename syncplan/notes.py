"""What each event's description says, rendered from templates/notes.toml.

The texts are data so that a user can reword them (``--notes DIR``) without
touching code; this module only decides which notes a session gets.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from string import Template

from syncplan.errors import InvalidInput
from syncplan.kinds import muscles
from syncplan.plan import Plan
from syncplan.templates import templates_dir
from syncplan.week import DatedSession, DatedWeek

PROTEIN_G_PER_KG = (1.6, 2.2)
PROTEIN_WINDOW_H = 2


@dataclass(frozen=True)
class Notes:
    texts: dict  # the merged notes.toml tables
    source: dict  # key -> file it came from, for error messages

    def render(self, table: str, key: str, **values: object) -> str:
        """``table`` is dotted like the TOML header: "note", "kind.easy"."""
        node = self.texts
        try:
            for part in table.split("."):
                node = node[part]
            raw = node[key]
        except (KeyError, TypeError):
            raise InvalidInput(f"notes.toml: [{table}] has no text {key!r}.") from None
        try:
            return Template(raw).substitute({k: str(v) for k, v in values.items()})
        except (KeyError, ValueError) as exc:
            where = self.source.get((table, key), "notes.toml")
            allowed = ", ".join("${" + k + "}" for k in values) or "none"
            raise InvalidInput(
                f"{where}: [{table}] {key}: placeholder {exc} is not known here; the ones this text may use: {allowed}."
            ) from None


def load_notes(override_dir: Path | None = None) -> Notes:
    builtin = templates_dir() / "notes.toml"
    texts = _read(builtin)
    source: dict = {}
    if override_dir is not None:
        path = Path(override_dir) / "notes.toml"
        if not path.is_file():
            raise InvalidInput(f"{path}: the notes directory {override_dir} has no notes.toml.")
        _merge(texts, _read(path), path, "", source)
    return Notes(texts, source)


def _merge(base: dict, over: dict, path: Path, table: str, source: dict) -> None:
    """Lay a user's texts over the built-in ones, refusing keys we would never read."""
    for key, value in over.items():
        where = f"[{table}] {key}" if table else f"[{key}]"
        if key not in base:
            raise InvalidInput(f"{path}: {where} is not a notes text syncplan knows; known here: {', '.join(base)}.")
        if isinstance(base[key], dict):
            if not isinstance(value, dict):
                raise InvalidInput(f"{path}: {where} must be a table.")
            _merge(base[key], value, path, f"{table}.{key}".strip("."), source)
        elif not isinstance(value, str):
            raise InvalidInput(f"{path}: {where}: {value!r} is not a string.")
        else:
            base[key] = value
            source[(table, key)] = str(path)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{path}: cannot read the notes file ({exc}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: this is not valid TOML: {exc}.") from None


def title(d: DatedSession) -> str:
    s = d.session
    name = s.title or (f"{s.kind.title} ({s.focus})" if s.kind.id == "strength" else s.kind.title)
    return f"{name} · {s.minutes} min"


def describe(plan: Plan, week: DatedWeek, d: DatedSession, notes: Notes) -> str:
    s = d.session
    kind = f"kind.{s.kind.id}"
    paragraphs = [
        notes.render(kind, "what", focus=s.focus or "")
        + " "
        + notes.render("note", "effort", effort="hard" if s.kind.hard else "easy"),
    ]
    if s.kind.id == "strength":
        paragraphs.append(notes.render("focus", s.focus or "full"))
    if s.details:
        paragraphs.append("\n".join([notes.render("note", "details"), *(f"- {line}" for line in s.details)]))
    paragraphs.append(notes.render("note", "builds", muscles=", ".join(muscles(s.kind, s.focus))))

    order = _order_notes(plan, week, d, notes)
    if order:
        paragraphs.append("\n".join(order))

    protein = []
    if s.kind.id == "strength":
        until = d.end + timedelta(hours=PROTEIN_WINDOW_H)
        protein.append(notes.render("note", "protein_after", until=f"{until:%H:%M}"))
    if week.on_day(s.day)[0] is d:
        low, high = (round(plan.weight_kg * g) for g in PROTEIN_G_PER_KG)
        protein.append(
            notes.render("note", "protein_day", low=low, high=high, weight=f"{plan.weight_kg:g}", meals=plan.meals)
        )
    if protein:
        paragraphs.append("\n".join(protein))

    paragraphs.append("\n".join([notes.render(kind, "warmup"), notes.render(kind, "cooldown")]))
    if s.notes:
        paragraphs.append(s.notes)
    return "\n\n".join(paragraphs)


def _order_notes(plan: Plan, week: DatedWeek, d: DatedSession, notes: Notes) -> list[str]:
    """Same-day notes that explain the order: lift first, run later."""
    gap = f"{plan.min_gap_hours:g}"
    todays = week.on_day(d.session.day)
    out = []
    if d.session.kind.id == "strength":
        earliest = (d.utc_end + timedelta(hours=plan.min_gap_hours)).astimezone(d.start.tzinfo)
        for run in (o for o in todays if o.session.kind.run and o.utc_start >= d.utc_end):
            values = {"gap": gap, "earliest": f"{earliest:%H:%M}", "run_time": f"{run.start:%H:%M}"}
            out.append(notes.render("note", "lift_then_run", run=run.session.kind.title.lower(), **values))
    elif d.session.kind.run:
        for lift in (o for o in todays if o.session.kind.id == "strength"):
            times = {"lift_time": f"{lift.start:%H:%M}"}
            if lift.utc_end <= d.utc_start:
                out.append(notes.render("note", "run_after_lift", gap=gap, lift_end=f"{lift.end:%H:%M}", **times))
            elif d.utc_end <= lift.utc_start and not d.session.kind.hard:
                out.append(notes.render("note", "jog_before_lift", **times))
    return out
