"""The plan file: one typical week in TOML, loaded into typed, validated values.

Every problem becomes one ``InvalidInput`` that names the file, the session and
the field, so a user can fix the plan without reading a traceback.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncplan.errors import InvalidInput
from syncplan.kinds import KINDS, STRENGTH_FOCUS, Kind, find_kind

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
GOALS = ("muscle", "performance", "both")
RULE_IDS = ("overlap", "gap", "order", "hill-or-sprint", "strength-count", "dst", "meals", "empty")

MAX_REMINDERS = 5  # Google Calendar's limit per event

_SECTIONS = {"athlete", "calendar", "rules", "session"}
_ATHLETE = {"weight_kg", "timezone", "goal", "meals"}
_CALENDAR = {"name", "reminders"}
_RULES = {"min_gap_hours", "disable"}
_SESSION = {"id", "day", "start", "kind", "minutes", "focus", "details", "title", "notes"}
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Session:
    key: str  # stable identity within a week: the id, or "<day>-<kind>"
    day: int  # 0 = Monday
    start: time
    kind: Kind
    minutes: int
    focus: str | None = None
    details: tuple[str, ...] = ()
    title: str | None = None
    notes: str | None = None

    @property
    def day_name(self) -> str:
        return DAYS[self.day]


@dataclass(frozen=True)
class Plan:
    source: str  # how messages name the file
    timezone: str
    weight_kg: float
    goal: str
    sessions: tuple[Session, ...]
    meals: int = 4
    calendar_name: str = "Training"
    reminders: tuple[int, ...] = (30,)
    min_gap_hours: float = 6.0
    disabled: frozenset[str] = frozenset()

    @property
    def identity(self) -> str:
        """Ties events to this plan without tying them to the file's path."""
        slug = re.sub(r"[^a-z0-9]+", "-", self.calendar_name.lower()).strip("-")
        return slug or "training"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_plan(path: Path, label: str | None = None) -> Plan:
    """Read and validate a plan file; ``label`` replaces the path in messages."""
    source = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such plan file. Create one with `syncplan init {path}`.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{source}: cannot read the plan file ({exc}).") from None
    return parse_plan(text, source)


def parse_plan(text: str, source: str) -> Plan:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: this is not valid TOML: {exc}. Fix the file at that place.") from None
    return _Reader(source).plan(data)


class _Reader:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InvalidInput:
        return InvalidInput(f"{self.source}: {where}: {message}")

    def table(self, data: object, where: str, allowed: set[str]) -> dict:
        if not isinstance(data, dict):
            raise self.fail(where, f"expected a table, found {_show(data)}.")
        for name in data:
            if name not in allowed:
                import difflib

                near = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f" Did you mean {near[0]!r}?" if near else ""
                known = ", ".join(sorted(allowed))
                raise self.fail(where, f"unknown field {name!r}.{hint} Known fields: {known}.")
        return data

    def number(self, value: object, where: str, low: float, high: float, unit: str = "") -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise self.fail(where, f"{_show(value)} is not a number.")
        if not low <= value <= high:
            raise self.fail(where, f"{value}{unit} is out of range; use a value from {low:g} to {high:g}{unit}.")
        return value

    def integer(self, value: object, where: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(where, f"{_show(value)} is not a whole number.")
        if not low <= value <= high:
            raise self.fail(where, f"{value} is out of range; use a whole number from {low} to {high}.")
        return value

    def text(self, value: object, where: str, max_len: int = 500) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{_show(value)} is not a non-empty string.")
        if len(value) > max_len:
            raise self.fail(where, f"the text is longer than {max_len} characters.")
        return value.strip()

    def choice(self, value: object, where: str, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            raise self.fail(where, f"{_show(value)} is not one of {', '.join(choices)}.")
        return value.strip().lower()

    def plan(self, data: dict) -> Plan:
        self.table(data, "top level", _SECTIONS)
        athlete = self.table(data.get("athlete", {}), "[athlete]", _ATHLETE)
        calendar = self.table(data.get("calendar", {}), "[calendar]", _CALENDAR)
        rules = self.table(data.get("rules", {}), "[rules]", _RULES)

        if "timezone" not in athlete:
            raise self.fail("[athlete]", 'field \'timezone\' is missing; add an IANA zone such as timezone = "Europe/London".')
        zone = self.zone(athlete["timezone"])
        weight = self.number(athlete.get("weight_kg", 70), "[athlete] field 'weight_kg'", 30, 250, " kg")
        goal = self.choice(athlete.get("goal", "both"), "[athlete] field 'goal'", GOALS)
        meals = self.integer(athlete.get("meals", 4), "[athlete] field 'meals'", 1, 8)

        name = self.text(calendar.get("name", "Training"), "[calendar] field 'name'", 100)
        reminders = calendar.get("reminders", [30])
        if not isinstance(reminders, list):
            raise self.fail("[calendar] field 'reminders'", f"{_show(reminders)} is not a list of minutes, e.g. [30].")
        if len(reminders) > MAX_REMINDERS:
            raise self.fail(
                "[calendar] field 'reminders'", f"{len(reminders)} reminders; calendars take at most {MAX_REMINDERS}."
            )
        reminders = tuple(
            self.integer(r, f"[calendar] field 'reminders' item {i + 1}", 0, 40320) for i, r in enumerate(reminders)
        )

        gap = self.number(rules.get("min_gap_hours", 6), "[rules] field 'min_gap_hours'", 0, 24, " h")
        disable = rules.get("disable", [])
        if not isinstance(disable, list):
            raise self.fail("[rules] field 'disable'", f"{_show(disable)} is not a list of rule ids.")
        disabled = frozenset(self.choice(r, "[rules] field 'disable'", RULE_IDS) for r in disable)

        raw = data.get("session", [])
        if not isinstance(raw, list):
            raise self.fail("'session'", "write each session as its own [[session]] table.")
        sessions = self.sessions(raw)
        return Plan(
            source=self.source,
            timezone=zone,
            weight_kg=float(weight),
            goal=goal,
            meals=meals,
            sessions=sessions,
            calendar_name=name,
            reminders=reminders,
            min_gap_hours=float(gap),
            disabled=disabled,
        )

    def zone(self, value: object) -> str:
        where = "[athlete] field 'timezone'"
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{_show(value)} is not a time zone name.")
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, or too long a name
            raise self.fail(
                where, f"{value!r} is not a known IANA time zone; use a name such as \"Europe/London\" or \"America/New_York\"."
            ) from None
        return value.strip()

    def sessions(self, raw: list) -> tuple[Session, ...]:
        parsed = [self.session(item, i + 1) for i, item in enumerate(raw)]
        given = [s["id"] for s in parsed if s["id"]]
        for key in given:
            if given.count(key) > 1:
                raise self.fail(f"session id {key!r}", "this id is used by more than one session; ids must be unique.")
        # Sessions without an id are keyed by day and kind; twins on one day are
        # numbered by start time (an explicit id keeps them apart for good).
        counts: dict[str, int] = {}
        result = []
        for s in sorted(parsed, key=lambda s: (s["day"], s["start"], s["position"])):
            key = s["id"]
            if not key:
                base = f"{DAYS[s['day']]}-{s['kind'].id}"
                counts[base] = counts.get(base, 0) + 1
                key = base if counts[base] == 1 else f"{base}-{counts[base]}"
                while key in given:
                    key += "-x"
            result.append(
                Session(
                    key=key,
                    day=s["day"],
                    start=s["start"],
                    kind=s["kind"],
                    minutes=s["minutes"],
                    focus=s["focus"],
                    details=s["details"],
                    title=s["title"],
                    notes=s["notes"],
                )
            )
        return tuple(result)

    def session(self, item: object, position: int) -> dict:
        where = f"session {position}"
        if isinstance(item, dict) and isinstance(item.get("id"), str) and _ID.fullmatch(item["id"]):
            where = f"session {position} ({item['id']})"
        item = self.table(item, where, _SESSION)
        for required in ("day", "start", "kind", "minutes"):
            if required not in item:
                raise self.fail(where, f"field {required!r} is missing.")

        sid = item.get("id")
        if sid is not None and (not isinstance(sid, str) or not _ID.fullmatch(sid)):
            raise self.fail(
                f"{where} field 'id'", f"{_show(sid)} is not a usable id; use letters, digits, '-', '_' or '.' (at most 64)."
            )

        day = parse_day(item["day"])
        if day is None:
            raise self.fail(f"{where} field 'day'", f"{_show(item['day'])} is not a day; use one of {', '.join(DAYS)}.")

        start = item["start"]
        parsed_start = start.replace(second=0, microsecond=0) if isinstance(start, time) else parse_clock(start)
        if parsed_start is None:
            raise self.fail(f"{where} field 'start'", f'{_show(start)} is not a time of day; write it as "HH:MM", e.g. "07:00".')

        kind = find_kind(item["kind"]) if isinstance(item["kind"], str) else None
        if kind is None:
            raise self.fail(f"{where} field 'kind'", f"{_show(item['kind'])} is not a session kind; use one of {', '.join(KINDS)}.")

        minutes = self.integer(item["minutes"], f"{where} field 'minutes'", 1, 720)

        focus = item.get("focus")
        if focus is not None:
            if kind.id != "strength":
                raise self.fail(f"{where} field 'focus'", f"only strength sessions have a focus, and this one is {kind.id!r}.")
            focus = self.choice(focus, f"{where} field 'focus'", tuple(STRENGTH_FOCUS))
        elif kind.id == "strength":
            focus = "full"

        details = item.get("details", [])
        if isinstance(details, str):
            details = [details]
        if not isinstance(details, list):
            raise self.fail(f"{where} field 'details'", f"{_show(details)} is not a list of strings.")
        details = tuple(self.text(d, f"{where} field 'details' item {i + 1}") for i, d in enumerate(details))

        title = self.text(item["title"], f"{where} field 'title'", 100) if "title" in item else None
        notes = self.text(item["notes"], f"{where} field 'notes'", 2000) if "notes" in item else None
        return {
            "position": position,
            "id": sid,
            "day": day,
            "start": parsed_start,
            "kind": kind,
            "minutes": minutes,
            "focus": focus,
            "details": details,
            "title": title,
            "notes": notes,
        }


def parse_day(value: object) -> int | None:
    """0 for Monday: "tue", "Tuesday" and the like; None if it is no day."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in DAY_NAMES:
        text = text[:3]
    return DAYS.index(text) if text in DAYS else None


def parse_clock(value: object) -> time | None:
    """"HH:MM" on a 24-hour clock; None if it is not one."""
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    return time(int(match[1]), int(match[2])) if match else None


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
