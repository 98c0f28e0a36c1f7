"""What each event's description says, rendered from templates/notes.toml.

The texts are data so that a user can reword them (``--notes DIR``) without
touching code; this module only decides which notes a session gets.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from string import Template
from typing import NamedTuple

from syncplan.errors import InvalidInput
from syncplan.kinds import LOWER_BODY_FOCUS, muscles
from syncplan.plan import Plan
from syncplan.rules import MEALS, Checked, Link, examine_week, hours_text, protein_per_day, protein_per_meal, run_phrase
from syncplan.templates import templates_dir
from syncplan.week import DatedSession, DatedWeek, clock_text

PROTEIN_WINDOW = timedelta(hours=2)  # the article's 1-2 h after lifting, at its far end
CLASH_NOTES = 3  # a pile-up of overlapping sessions is named by its first few, then counted
WEEK_NOTES = {"hill-or-sprint": "week_hill_or_sprint", "strength-count": "week_strength", "meals": "meals_outside"}

# The placeholders each text may use: the contract between the code that fills
# them and templates/notes.toml (whose comments say the same for users). Every
# text, built-in or a user's, is checked against it when the notes are loaded,
# so a mistake fails at once, not in the week that first uses that text.
_LINK = frozenset({"gap", "between", "run", "a_run", "run_time", "lift_time", "lift_end", "earliest", "lift_day"})
_WEEK = frozenset({"count", "meals"})
_PROTEIN_DAY = frozenset({"low", "high", "weight", "meals", "meal_low", "meal_high"})
PLACEHOLDERS: dict[tuple[str, str], frozenset[str]] = {
    ("note", "effort"): frozenset({"effort"}),
    ("note", "builds"): frozenset({"muscles"}),
    **{("note", key): _LINK for key in (
        "lift_then_run", "run_after_lift", "lift_then_run_soon", "run_soon_after_lift",
        "run_before_lift", "lift_after_run", "jog_before_lift", "lift_after_jog",
    )},
    ("note", "overlap"): frozenset({"other", "other_time"}),
    ("note", "overlap_more"): frozenset({"count"}),
    ("note", "dst_gap"): frozenset({"planned", "date", "start"}),
    ("note", "dst_fold"): frozenset({"planned", "date", "start"}),
    ("note", "week_hill_or_sprint"): _WEEK,
    ("note", "week_strength"): _WEEK,
    ("note", "meals_outside"): _WEEK | {"meal_low", "meal_high"},
    ("note", "meals_few"): _WEEK | {"meal_low", "meal_high", "meals_text"},
    ("note", "protein_after"): frozenset({"until"}),
    ("note", "protein_day"): _PROTEIN_DAY,
    ("note", "protein_day_few"): _PROTEIN_DAY | {"meals_text"},
    ("note", "energy"): frozenset({"kcal", "met", "weight", "minutes"}),
    ("note", "energy_day"): frozenset({"kcal", "count"}),
    ("note", "maintenance"): frozenset({"total", "resting", "factor", "daily", "training"}),
    ("note", "maintenance_rest"): frozenset({"total", "resting", "factor", "daily"}),
    ("note", "rest_day_title"): frozenset({"low", "high"}),
    **{("block", key): frozenset({"number", "weeks", "percent"}) for key in ("build", "deload", "taper", "race")},
    **{("block", key): frozenset({"date", "days"}) for key in ("countdown", "countdown_tomorrow", "race_today", "race_past")},
}


def allowed_placeholders(table: str, key: str) -> frozenset[str]:
    """What the text at ``[table] key`` may use; every kind's ``what`` may name the strength focus."""
    if table.startswith("kind.") and key == "what":
        return frozenset({"focus"})
    return PLACEHOLDERS.get((table, key), frozenset())


def placeholder_problem(text: str, allowed: frozenset[str]) -> str | None:
    """Why ``text`` cannot be rendered with ``allowed``, in words; None when it can.

    ``${name}`` and ``$name`` are both placeholders (as in Python's string.Template);
    ``$$`` is a dollar sign.
    """
    for match in Template.pattern.finditer(text):
        name = match["named"] or match["braced"]
        if name is not None and name not in allowed:
            may = ", ".join("${" + n + "}" for n in sorted(allowed)) or "none"
            return f"${{{name}}} is not a placeholder this text can use (it may use: {may})"
        if match["invalid"] is not None:
            at = match.start() + 1
            return (
                f"the '$' at character {at} starts no placeholder; write $$ for a dollar sign, "
                f"or ${{name}} for a placeholder"
            )
    return None


class Notes(NamedTuple):
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
        except (KeyError, ValueError):
            # load_notes checked every text, so only a text made by hand gets here.
            where = self.source.get((table, key), "notes.toml")
            problem = placeholder_problem(raw, frozenset(values)) or "it cannot be filled in"
            raise InvalidInput(f"{where}: [{table}] {key}: {problem}.") from None


def load_notes(override_dir: Path | None = None) -> Notes:
    builtin = templates_dir() / "notes.toml"
    texts = _read(builtin)
    source: dict = {}
    if override_dir is not None:
        path = Path(override_dir) / "notes.toml"
        if not path.is_file():
            raise InvalidInput(f"{path}: the notes directory {override_dir} has no notes.toml.")
        _merge(texts, _read(path), path, "", source)
    _check_placeholders(texts, "", source, str(builtin))
    return Notes(texts, source)


def _check_placeholders(node: dict, table: str, source: dict, builtin: str) -> None:
    for key, value in node.items():
        if isinstance(value, dict):
            _check_placeholders(value, f"{table}.{key}".strip("."), source, builtin)
            continue
        problem = placeholder_problem(value, allowed_placeholders(table, key))
        if problem:
            where = source.get((table, key), builtin)
            raise InvalidInput(f"{where}: [{table}] {key}: {problem}. Fix the text there.")


def _merge(base: dict, over: dict, path: Path, table: str, source: dict) -> None:
    """Lay a user's texts over the built-in ones, refusing keys we would never read."""
    for key, value in over.items():
        where = f"[{table}] {key}" if table else f"[{key}]"
        if key not in base:
            import difflib

            near = difflib.get_close_matches(key, list(base), n=1)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            raise InvalidInput(
                f"{path}: {where} is not a notes text syncplan knows.{hint} Known here: {', '.join(base)}."
            )
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


def describe(plan: Plan, week: DatedWeek, d: DatedSession, notes: Notes, checked: Checked | None = None) -> str:
    """The event text; ``checked`` is the result of the rules over all the weeks being built.

    Everything a rule found about this session (and, on the week's first event,
    about the week) is said here, so a calendar reader learns of it too.
    """
    checked = checked or examine_week(plan, week)
    s = d.session
    kind = f"kind.{s.kind.id}"
    what = notes.render(kind, "what", focus=s.focus or "")
    paragraphs = [what + " " + notes.render("note", "effort", effort=s.kind.effort)]
    if week.phase is not None:
        paragraphs.insert(0, _phase_note(week, d, notes))
    if s.kind.id == "strength":
        paragraphs.append(notes.render("focus", s.focus or "full"))
    if s.details:
        paragraphs.append("\n".join([notes.render("note", "details"), *(f"- {line}" for line in s.details)]))
    paragraphs.append(notes.render("note", "builds", muscles=", ".join(muscles(s.kind, s.focus))))

    timing = _timing_notes(plan, week, d, notes, checked)
    if timing:
        paragraphs.append("\n".join(timing))
    if week.sessions and week.sessions[0] is d:
        # Warnings, and the meals note: info the calendar can do without.
        found = [
            f
            for f in checked.findings
            if f.week == week.week.label and f.rule in WEEK_NOTES and (f.severity != "info" or f.rule == "meals")
        ]
        lines = [_week_note(plan, f.rule, week, notes) for f in found]
        if lines:
            paragraphs.append("\n".join(lines))

    food = []
    energy = plan.energy_notes or plan.body is not None
    if energy:
        food.append(_energy_note(plan, d, notes))
    if s.kind.id == "strength":
        food.append(notes.render("note", "protein_after", until=_clock(d.utc_end + PROTEIN_WINDOW, d)))
    if week.on_day(s.day)[0] is d:
        food.append(_protein_day_note(plan, notes))
        day = [(x.session.kind.id, x.session.minutes) for x in week.on_day(s.day)]
        if energy:
            from syncplan.fuel import session_kcal

            total = sum(session_kcal(kind, minutes, plan.weight_kg) for kind, minutes in day)
            food.append(notes.render("note", "energy_day", kcal=total, count=len(day)))
        food.append(_calories_note(plan, day, notes))
    if food:
        paragraphs.append("\n".join(food))

    paragraphs.append("\n".join([notes.render(kind, "warmup"), notes.render(kind, "cooldown")]))
    if s.notes:
        paragraphs.append(s.notes)
    return "\n\n".join(paragraphs)


def rest_day(plan: Plan, notes: Notes) -> tuple[str, str]:
    """Title and text of the all-day note on a day without sessions: protein still counts."""
    low, high = protein_per_day(plan)
    summary = notes.render("note", "rest_day_title", low=low, high=high)
    food = [_protein_day_note(plan, notes), _calories_note(plan, [], notes)]
    return summary, "\n\n".join([notes.render("note", "rest_day"), "\n".join(food)])


def _protein_day_note(plan: Plan, notes: Notes) -> str:
    """The day's protein; below the article's 3 meals, per meal as if spread over 3."""
    few = plan.meals < MEALS[0]
    (low, high) = protein_per_day(plan)
    meal_low, meal_high = protein_per_meal(plan, MEALS[0] if few else None)
    return notes.render(
        "note",
        "protein_day_few" if few else "protein_day",
        low=low,
        high=high,
        weight=f"{plan.weight_kg:g}",
        meals=plan.meals,
        meal_low=meal_low,
        meal_high=meal_high,
        **({"meals_text": _meals_text(plan.meals)} if few else {}),
    )


def _meals_text(count: int) -> str:
    return f"{count} meal{'' if count == 1 else 's'}"


def _calories_note(plan: Plan, day: list[tuple[str, int]], notes: Notes) -> str:
    """The article's advice on calories; with height, age and sex, against an estimate of the day's maintenance."""
    if plan.body is None:
        return notes.render("note", "calories")
    from syncplan.fuel import DAILY_LIFE_FACTOR, maintenance

    m = maintenance(plan.weight_kg, plan.body, day)
    values = {"total": m.total, "resting": m.resting, "factor": f"{DAILY_LIFE_FACTOR:g}", "daily": m.daily_life}
    if not day:
        return notes.render("note", "maintenance_rest", **values)
    return notes.render("note", "maintenance", training=m.training, **values)


def _energy_note(plan: Plan, d: DatedSession, notes: Notes) -> str:
    from syncplan.fuel import MET, session_kcal

    s = d.session
    return notes.render(
        "note",
        "energy",
        kcal=session_kcal(s.kind.id, s.minutes, plan.weight_kg),
        met=f"{MET[s.kind.id]:g}",
        weight=f"{plan.weight_kg:g}",
        minutes=s.minutes,
    )


def _clock(instant, d: DatedSession, up: bool = False) -> str:
    """Wall-clock time in the plan's zone, from an instant; with the weekday when not ``d``'s date.

    Seconds are dropped, so a "by" time is never late; ``up`` rounds a "not
    before" time up to the next minute instead, so it is never early. A time
    that happens twice (clocks going back) carries its zone abbreviation.
    """
    if up and (instant.second or instant.microsecond):
        instant = instant + timedelta(minutes=1)
    local = instant.replace(second=0, microsecond=0).astimezone(d.start.tzinfo)
    text = clock_text(local)
    return text if local.date() == d.start.date() else f"{local:%a} {text}"


def _timing_notes(plan: Plan, week: DatedWeek, d: DatedSession, notes: Notes, checked: Checked) -> list[str]:
    """What is actually planned around this session, next to the advice it is measured against."""
    label = week.week.label
    out = []
    clashes = checked.overlaps_of(label, d.key)
    for other in clashes[:CLASH_NOTES]:
        out.append(notes.render("note", "overlap", other=title(other.d), other_time=_clock(other.d.utc_start, d)))
    if len(clashes) > CLASH_NOTES:
        out.append(notes.render("note", "overlap_more", count=len(clashes) - CLASH_NOTES))
    for link in checked.links_of(label, d.key):
        out.append(_link_note(plan, link, link.lift.ref == (label, d.key), notes))
    if d.dst_shift:
        values = {"planned": f"{d.session.start:%H:%M}", "date": f"{d.start:%a %d %b}", "start": f"{d.start:%H:%M %Z}"}
        out.append(notes.render("note", f"dst_{d.dst_shift}", **values))
    return out


def _day_of(other: DatedSession, me: DatedSession) -> str:
    days = (me.start.date() - other.start.date()).days
    return {0: "today's", 1: "yesterday's", -1: "tomorrow's"}.get(days, f"{other.start:%A}'s")


def _link_note(plan: Plan, link: Link, is_lift: bool, notes: Notes) -> str:
    lift, run = link.lift.d, link.run.d
    me = lift if is_lift else run
    values = {
        "gap": f"{plan.min_gap_hours:g}",
        "between": hours_text(link.between),
        "run": run.session.kind.title.lower(),
        "a_run": run_phrase(run.session.kind),
        "run_time": _clock(run.utc_start, me),
        "lift_time": _clock(lift.utc_start, me),
        "lift_end": _clock(lift.utc_end, lift),
        "earliest": _clock(lift.utc_end + timedelta(hours=plan.min_gap_hours), me, up=True),
        "lift_day": _day_of(lift, me),
    }
    key = {
        ("ok", True): "lift_then_run",
        ("ok", False): "run_after_lift",
        ("gap", True): "lift_then_run_soon",
        ("gap", False): "run_soon_after_lift",
        ("order", True): "lift_after_run",
        ("order", False): "run_before_lift",
        ("easy-jog", True): "lift_after_jog",
        ("easy-jog", False): "jog_before_lift",
    }[(link.verdict, is_lift)]
    return notes.render("note", key, **values)


def _week_note(plan: Plan, rule: str, week: DatedWeek, notes: Notes) -> str:
    lifts = [d for d in week.sessions if d.session.kind.id == "strength"]
    counted = sum(1 for d in lifts if d.session.focus in LOWER_BODY_FOCUS)
    if rule == "meals":
        few = plan.meals < MEALS[0]
        meal_low, meal_high = protein_per_meal(plan, MEALS[0] if few else None)
        key = "meals_few" if few else "meals_outside"
        values = {"count": counted, "meals": plan.meals, "meal_low": meal_low, "meal_high": meal_high}
        if few:
            values["meals_text"] = _meals_text(plan.meals)
        return notes.render("note", key, **values)
    return notes.render("note", WEEK_NOTES[rule], count=counted, meals=plan.meals)


def _phase_note(week: DatedWeek, d: DatedSession, notes: Notes) -> str:
    """Where this week stands in the block, the countdown to race day, and a lighter lift on easy weeks."""
    phase = week.phase
    lines = [notes.render("block", phase.name, number=phase.number, weeks=phase.weeks, percent=round(phase.factor * 100))]
    if phase.race is not None:
        days = (phase.race - d.start.date()).days
        when = f"{phase.race:%a %d %b %Y}"
        key = "race_past" if days < 0 else "race_today" if days == 0 else "countdown_tomorrow" if days == 1 else "countdown"
        lines[0] += " " + notes.render("block", key, date=when, days=days)
    if phase.lighter and d.session.kind.id == "strength":
        lines.append(notes.render("block", "lighter"))
    return "\n".join(lines)
