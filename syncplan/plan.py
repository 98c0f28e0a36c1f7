"""The plan file: one typical week in TOML, loaded into typed, validated values.

Every problem becomes one ``InvalidInput`` that names the file, the session and
the field, so a user can fix the plan without reading a traceback.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncplan.errors import InvalidInput
from syncplan.fuel import SEXES, Body
from syncplan.kinds import KINDS, STRENGTH_FOCUS, Kind, find_kind

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
GOALS = ("muscle", "performance", "both")
RULE_IDS = ("overlap", "gap", "order", "hill-or-sprint", "strength-count", "dst", "meals", "empty", "ramp", "block", "unplaced")

MAX_REMINDERS = 5  # Google Calendar's limit per event
# Limits no real week reaches; they keep a hostile or broken file from costing
# minutes of CPU or gigabytes of memory.
MAX_PLAN_BYTES = 1_000_000
MAX_SESSIONS = 100
MAX_DETAILS = 50

_SECTIONS = {"athlete", "calendar", "rules", "session"}
_ATHLETE = {"weight_kg", "timezone", "goal", "meals", "height_cm", "age", "sex"}
_CALENDAR = {"id", "name", "reminders", "rest_day_notes", "energy_notes"}
_RULES = {"min_gap_hours", "disable"}
_SESSION = {"id", "day", "start", "kind", "minutes", "focus", "details", "title", "notes"}
# Training blocks ([block], [[week]], and the progression fields of a session).
_BLOCK_SECTIONS = {"block", "week"}
_BLOCK = {"start", "weeks", "race", "race_start", "race_minutes", "deload_every", "deload", "taper_weeks"}
_WEEK = {"number", "week", "skip", "rest", "session"}
_SESSION_PROGRESS = {"progress", "max_minutes"}
# Placing flexible sessions ([availability], [busy], [[session]] without a start).
_PLACE_SECTIONS = {"availability", "busy"}
_AVAILABILITY = {"default", "buffer_minutes", *DAYS}
_BUSY = {"ics", "google"}
_FLEXIBLE = (_SESSION - {"start"}) | _SESSION_PROGRESS | {"days", "prefer"}
DEFAULT_WINDOWS = ("06:00-21:00",)
MAX_WINDOWS = 12  # per day
MAX_BUSY_SOURCES = 20
_PROGRESS = re.compile(r"\+?(\d{1,3}(?:\.\d+)?)(%?)")
MAX_BLOCK_WEEKS = 104
_BLOCK_FIRST, _BLOCK_LAST = date(4, 1, 1), date(9995, 12, 31)  # inside the weeks week.py can date
RACE_KEY = "race"  # the race's session key; no plan session may use it
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_LEGACY_NAME = re.compile(r"[A-Za-z0-9]+(?:[ _-]+[A-Za-z0-9]+)*")
# A [[session]] header (spaces allowed inside the brackets, the name bare or
# quoted), or a string or a comment, matched whole so that a header-like line
# inside a multi-line string is not taken for a header.
_SESSION_HEADER = re.compile(
    r"""(?P<header>^[ \t]*\[\[[ \t]*(?:session|"session"|'session')[ \t]*\]\])"""
    r'|"""(?:[^"\\]|\\[\s\S]|"(?!""))*"""{0,2}'
    r"|'''[\s\S]*?'''{0,2}"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*",
    re.MULTILINE,
)
# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: none
# of them shows as itself in a calendar, and some let text break out of its
# line in the .ics file or a terminal. Notes keep tabs and line breaks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


class Session(NamedTuple):
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


class Progress(NamedTuple):
    """How a session grows each build week of a block: minutes, or a percentage compounded."""

    amount: float
    percent: bool = False
    max_minutes: int | None = None


class WeekOverride(NamedTuple):
    """One ``[[week]]`` table, resolved to its week of the block."""

    number: int
    skip: tuple[str, ...] = ()
    rest: bool = False
    sessions: tuple[Session, ...] = ()


class Block(NamedTuple):
    """A training block: weeks that build, deload and taper to a race (see block.py)."""

    first_monday: date
    weeks: int
    race: date | None = None
    race_start: time | None = None
    race_minutes: int = 120
    deload_every: int = 4
    deload: float = 0.7
    taper_weeks: int = 2
    progress: tuple[tuple[str, Progress], ...] = ()  # (session key, how it grows)
    overrides: tuple[WeekOverride, ...] = ()


class Plan(NamedTuple):
    source: str  # how messages name the file
    timezone: str
    weight_kg: float
    goal: str
    sessions: tuple[Session, ...]
    meals: int = 4
    body: Body | None = None  # [athlete] height_cm, age, sex: the day's maintenance estimate
    energy_notes: bool = False  # energy lines in the notes (default: on in a training block)
    rest_day_notes: bool = False  # an all-day protein note on each day without sessions
    calendar_name: str = "Training"  # the display name; see ``identity``
    calendar_id: str | None = None
    reminders: tuple[int, ...] = (30,)
    min_gap_hours: float = 6.0
    disabled: frozenset[str] = frozenset()
    block: Block | None = None
    # Flexible sessions and where they may go (placing.py). Without flexible
    # sessions these stay empty and nothing is placed.
    flexible: tuple = ()  # place.Flexible, in the file's order
    availability: tuple = ()  # seven tuples of place.Window, Monday first
    buffer_minutes: int = 15
    busy_ics: tuple[str, ...] = ()  # paths (relative to the plan file) or http(s) URLs
    busy_google: tuple[str, ...] = ()  # Google calendar ids, read with freeBusy
    path: str | None = None  # the file it was read from (absolute); None for a plan built in code

    @property
    def identity(self) -> str:
        """Ties events to this plan without tying them to the file's path.

        An explicit ``[calendar] id`` survives renaming the calendar. Without
        one, a plain ASCII name keeps the slug earlier versions used (so its
        UIDs stay put); any other name is used whole, so that names in other
        scripts or with punctuation never collapse into the same identity.
        """
        if self.calendar_id:
            return self.calendar_id
        name = self.calendar_name.strip()
        if _LEGACY_NAME.fullmatch(name):
            return re.sub(r"[^a-z0-9]+", "-", name.lower())
        import unicodedata

        # No "/" in an identity: a busy-only copy's identity is this one plus
        # "/busy", and no other plan's may equal it.
        whole = unicodedata.normalize("NFC", name).replace("%", "%25").replace("/", "%2F")
        return "name:" + whole

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def load_plan(path: Path, label: str | None = None) -> Plan:
    """Read and validate a plan file; ``label`` replaces the path in messages."""
    source = label or str(path)
    try:
        with open(path, "rb") as file:
            # Read one byte past the limit instead of trusting the size a
            # device or a growing file reports.
            raw = file.read(MAX_PLAN_BYTES + 1)
    except FileNotFoundError:
        raise InvalidInput(f"{source}: no such plan file. Create one with `syncplan init {path}`.") from None
    except OSError as exc:
        raise InvalidInput(f"{source}: cannot read the plan file ({exc.strerror or exc}).") from None
    if len(raw) > MAX_PLAN_BYTES:
        raise _too_big(source)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{source}: the plan file is not UTF-8 text (byte {exc.start + 1} cannot be read); save it as UTF-8.") from None
    plan = parse_plan(text, source)
    return plan._replace(path=str(Path(path).absolute()))


def parse_plan(text: str, source: str) -> Plan:
    if len(text) > MAX_PLAN_BYTES:
        raise _too_big(source)
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows editors write
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{source}: this is not valid TOML: {exc}. Fix the file at that place.") from None
    except RecursionError:
        raise InvalidInput(
            f"{source}: the TOML is nested too deeply to read; a plan needs only [athlete], [calendar], "
            f"[rules] and [[session]] tables."
        ) from None
    return _Reader(source, text).plan(data)


def _too_big(source: str) -> InvalidInput:
    return InvalidInput(
        f"{source}: the plan file is larger than the limit of {MAX_PLAN_BYTES // 1_000_000} MB; "
        f"a week's plan takes a few kB, so this is not a plan file."
    )


class _Reader:
    def __init__(self, source: str, text: str = "", progressions: list[tuple[str, Progress]] | None = None) -> None:
        self.source = source
        self.document = text
        # (session key, how it grows), gathered from fixed and flexible sessions for the [block].
        self.progressions: list[tuple[str, Progress]] = [] if progressions is None else progressions

    def fail(self, where: str, message: str) -> InvalidInput:
        return InvalidInput(f"{self.source}: {where}: {message}")

    def table(self, data: object, where: str, allowed: set[str]) -> dict:
        if not isinstance(data, dict):
            raise self.fail(where, f"expected a table, found {_show(data)}.")
        for name in data:
            if name not in allowed:
                import difflib

                near = difflib.get_close_matches(name[:40], sorted(allowed), n=1)
                hint = f" Did you mean {near[0]!r}?" if near else ""
                known = ", ".join(sorted(allowed))
                raise self.fail(where, f"unknown field {_show(name)}.{hint} Known fields: {known}.")
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

    def text(self, value: object, where: str, max_len: int = 500, multiline: bool = False) -> str:
        problem = text_problem(value, max_len, multiline)
        if problem:
            raise self.fail(where, problem)
        return value.strip()

    def listed(self, value: object, where: str, what: str) -> list:
        """A list field, where one item may also be written on its own ("mon" for ["mon"])."""
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list):
            raise self.fail(where, f"{_show(value)} is not a list of {what}.")
        return value

    def choice(self, value: object, where: str, choices: tuple[str, ...]) -> str:
        if not isinstance(value, str) or value.strip().lower() not in choices:
            raise self.fail(where, f"{_show(value)} is not one of {', '.join(choices)}.{_did_you_mean(value, choices)}")
        return value.strip().lower()

    def plan(self, data: dict) -> Plan:
        self.table(data, "top level", _SECTIONS | _BLOCK_SECTIONS | _PLACE_SECTIONS)
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
        calendar_id = calendar.get("id")
        if calendar_id is not None:
            self.text(calendar_id, "[calendar] field 'id'", 64)
            if not _ID.fullmatch(calendar_id):
                raise self.fail(
                    "[calendar] field 'id'",
                    f"{_show(calendar_id)} is not a usable id; use letters, digits, '-', '_' or '.' (at most 64), "
                    f"starting with a letter or digit.",
                )
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
        if len(raw) > MAX_SESSIONS:
            raise self.fail(
                "[[session]]", f"{len(raw)} sessions; a plan holds at most {MAX_SESSIONS} (the limit keeps checks fast)."
            )
        raw, flexible = _split_flexible(raw)
        sessions = self.sessions(raw)
        places = (
            _PlaceReader(self.source, progressions=self.progressions).places(data, flexible, sessions)
            if flexible or _PLACE_SECTIONS & data.keys()
            else {}
        )
        block = None
        if "block" in data or "week" in data:
            # Skips and replacements may name flexible sessions too.
            named = sessions + tuple(f.session for f in places.get("flexible", ()))
            block = _BlockReader(self.source, progressions=self.progressions).block(data, named)
        if block is None:
            self.refuse_progress()
        return Plan(
            source=self.source,
            timezone=zone,
            weight_kg=float(weight),
            goal=goal,
            meals=meals,
            **self.fuel(athlete, calendar, in_block=block is not None),
            sessions=sessions,
            calendar_name=name,
            calendar_id=calendar_id,
            reminders=reminders,
            min_gap_hours=float(gap),
            disabled=disabled,
            block=block,
            **places,
        )

    def fuel(self, athlete: dict, calendar: dict, in_block: bool = False) -> dict:
        """The optional fuel fields; height, age and sex come together or not at all.

        Energy lines are on by default in a training block, which is where the
        day's fuel belongs; a plan without one keeps the texts it always had
        unless it asks (`energy_notes = true`).
        """
        given = [name for name in ("height_cm", "age", "sex") if name in athlete]
        body = None
        if given:
            missing = [name for name in ("height_cm", "age", "sex") if name not in athlete]
            if missing:
                raise self.fail(
                    "[athlete]",
                    f"{' and '.join(repr(m) for m in missing)} missing: the maintenance estimate needs height_cm, "
                    f"age and sex together; add {'them' if len(missing) > 1 else 'it'}, or remove "
                    f"{', '.join(repr(g) for g in given)}.",
                )
            body = Body(
                height_cm=float(self.number(athlete["height_cm"], "[athlete] field 'height_cm'", 100, 250, " cm")),
                # The resting-energy equation was fitted on adults.
                age=self.integer(athlete["age"], "[athlete] field 'age'", 18, 100),
                sex=self.choice(athlete["sex"], "[athlete] field 'sex'", SEXES),
            )
        return {
            "body": body,
            "energy_notes": self.flag(calendar.get("energy_notes", in_block), "[calendar] field 'energy_notes'"),
            "rest_day_notes": self.flag(calendar.get("rest_day_notes", False), "[calendar] field 'rest_day_notes'"),
        }

    def flag(self, value: object, where: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(where, f"{_show(value)} is not true or false.")
        return value

    def zone(self, value: object) -> str:
        where = "[athlete] field 'timezone'"
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{_show(value)} is not a time zone name.")
        problem = zone_problem(value.strip())
        if problem:
            raise self.fail(where, problem)
        return value.strip()

    def sessions(self, raw: list, prefix: str = "") -> tuple[Session, ...]:
        lines = None if prefix else self.header_lines(len(raw))
        parsed = [self.session(item, i + 1, lines[i] if lines else None, prefix) for i, item in enumerate(raw)]
        given: set[str] = set()
        for s in parsed:
            if s["id"] in given:
                raise self.fail(f"{prefix}session id {s['id']!r}", "this id is used by more than one session; ids must be unique.")
            if s["id"]:
                given.add(s["id"])
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
            if s["progress"] is not None:
                self.progressions.append((key, s["progress"]))
            result.append(_session(key, s["day"], s["start"], s))
        return tuple(result)

    def progress(self, item: dict, where: str, minutes: int) -> Progress | None:
        if "progress" not in item and "max_minutes" not in item:
            return None
        amount, percent = 0.0, False
        if "progress" in item:
            value = item["progress"]
            text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
            match = _PROGRESS.fullmatch(text.strip()) if isinstance(text, str) else None
            if match is None:
                raise self.fail(
                    f"{where} field 'progress'", f'{_show(value)} is not a progression; write "+10" (minutes) or "+10%" each build week.'
                )
            amount, percent = float(match[1]), bool(match[2])
            limit = 50 if percent else 120
            if not 0 < amount <= limit:
                unit = "%" if percent else " min"
                raise self.fail(f"{where} field 'progress'", f"{value} is out of range; use more than 0 and at most {limit}{unit} a week.")
        cap = None
        if "max_minutes" in item:
            cap = self.integer(item["max_minutes"], f"{where} field 'max_minutes'", 1, 720)
            if cap < minutes:
                raise self.fail(f"{where} field 'max_minutes'", f"{cap} is below the session's {minutes} minutes; the cap must be at least that.")
        return Progress(amount, percent, cap)

    def refuse_progress(self) -> None:
        if self.progressions:
            key = self.progressions[0][0]
            raise self.fail(
                f"session {key!r}", "'progress' and 'max_minutes' need a [block] table (they say how a session grows week by week)."
            )

    def header_lines(self, count: int) -> list[int] | None:
        """Line numbers of the ``[[session]]`` headers (tomllib keeps no positions)."""
        starts = [m.start() for m in _SESSION_HEADER.finditer(self.document) if m["header"]]
        if len(starts) != count:
            return None  # sessions written another way, e.g. an inline array
        lines, line, pos = [], 1, 0
        for start in starts:
            line += self.document.count("\n", pos, start)
            pos = start
            lines.append(line)
        return lines

    def session(self, item: object, position: int, line: int | None = None, prefix: str = "") -> dict:
        where = f"{prefix}session {position}"
        if isinstance(item, dict) and isinstance(item.get("id"), str) and _ID.fullmatch(item["id"]):
            where = f"{prefix}session {position} ({item['id']})"
        else:
            # Without an id, say which session it is in the user's terms.
            said = [item.get(f) for f in ("day", "kind")] if isinstance(item, dict) else []
            words = " ".join(v.strip() for v in said if isinstance(v, str) and _PLAIN_WORD.fullmatch(v.strip()))
            extra = [part for part in (words, f"line {line}" if line else "") if part]
            if extra:
                where = f"{prefix}session {position} ({', '.join(extra)})"
        item = self.table(item, where, _SESSION if prefix else _SESSION | _SESSION_PROGRESS)
        for required in ("day", "start", "kind", "minutes"):
            if required not in item:
                hint = (
                    " A session without a start is placed by syncplan if it has an id (see [availability])."
                    if required == "start" and not prefix
                    else ""
                )
                raise self.fail(where, f"field {required!r} is missing.{hint}")

        sid = item.get("id")
        if sid is not None and (not isinstance(sid, str) or not _ID.fullmatch(sid)):
            raise self.fail(
                f"{where} field 'id'", f"{_show(sid)} is not a usable id; use letters, digits, '-', '_' or '.' (at most 64)."
            )

        day = parse_day(item["day"])
        if day is None:
            hint = _did_you_mean(item["day"], DAYS + DAY_NAMES)
            raise self.fail(f"{where} field 'day'", f"{_show(item['day'])} is not a day.{hint} Use one of {', '.join(DAYS)}.")

        start = item["start"]
        parsed_start = parse_clock(start)
        if parsed_start is None:
            raise self.fail(f"{where} field 'start'", f'{_show(start)} is not a time of day; write it as "HH:MM", e.g. "07:00".')

        kind = find_kind(item["kind"]) if isinstance(item["kind"], str) else None
        if kind is None:
            hint = _did_you_mean(item["kind"], _KIND_NAMES)
            raise self.fail(
                f"{where} field 'kind'", f"{_show(item['kind'])} is not a session kind.{hint} Use one of {', '.join(KINDS)}."
            )

        minutes = self.integer(item["minutes"], f"{where} field 'minutes'", 1, 720)

        focus = item.get("focus")
        if focus is not None:
            if kind.id != "strength":
                raise self.fail(f"{where} field 'focus'", f"only strength sessions have a focus, and this one is {kind.id!r}.")
            focus = self.choice(focus, f"{where} field 'focus'", tuple(STRENGTH_FOCUS))
        elif kind.id == "strength":
            focus = "full"

        details = self.listed(item.get("details", []), f"{where} field 'details'", "strings")
        if len(details) > MAX_DETAILS:
            raise self.fail(f"{where} field 'details'", f"{len(details)} items; a session takes at most {MAX_DETAILS}.")
        details = tuple(self.text(d, f"{where} field 'details' item {i + 1}") for i, d in enumerate(details))

        title = self.text(item["title"], f"{where} field 'title'", 100) if "title" in item else None
        notes = self.text(item["notes"], f"{where} field 'notes'", 2000, multiline=True) if "notes" in item else None
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
            "progress": self.progress(item, where, minutes),
        }


class _BlockReader(_Reader):
    """``[block]`` and ``[[week]]``: the weeks of a training block (computed in block.py)."""

    def block(self, data: dict, sessions: tuple[Session, ...]) -> Block:
        """``sessions`` are the plan's, already read: skips and the race's key are checked against them."""
        if "block" not in data:
            raise self.fail("[[week]]", "week overrides need a [block] table that says when the block starts.")
        raw = self.table(data["block"], "[block]", _BLOCK)
        where = "[block]"
        if "start" not in raw:
            raise self.fail(where, 'field \'start\' is missing; give a date in the first week, e.g. start = "2026-12-07".')
        start = self.date(raw["start"], f"{where} field 'start'")
        first = start - _days(start.weekday())
        race = self.date(raw["race"], f"{where} field 'race'") if "race" in raw else None
        if race is not None and race < first:
            raise self.fail(f"{where} field 'race'", f"{race} is before the block starts ({start}); the race ends the block.")
        race_weeks = (race - first).days // 7 + 1 if race else None
        if "weeks" in raw:
            weeks = self.integer(raw["weeks"], f"{where} field 'weeks'", 1, MAX_BLOCK_WEEKS)
            if race_weeks is not None and race_weeks != weeks:
                raise self.fail(
                    f"{where} field 'weeks'",
                    f"a {weeks}-week block from {start} ends in week {weeks}, but the race on {race} is in week "
                    f"{race_weeks}; remove 'weeks' (the race's week is then the last) or make them agree.",
                )
        elif race_weeks is not None:
            if race_weeks > MAX_BLOCK_WEEKS:
                raise self.fail(f"{where} field 'race'", f"the race is {race_weeks} weeks after the start; a block lasts at most {MAX_BLOCK_WEEKS}.")
            weeks = race_weeks
        else:
            raise self.fail(where, "say how long the block is: weeks = 12, or race = \"YYYY-MM-DD\" (the race's week is the last).")
        if first < _BLOCK_FIRST or (_BLOCK_LAST - first).days < 7 * weeks:
            raise self.fail(where, f"a block from {start} for {weeks} weeks falls outside the years {_BLOCK_FIRST.year} to {_BLOCK_LAST.year}, which syncplan can lay out.")
        race_start = None
        if "race_start" in raw:
            if race is None:
                raise self.fail(f"{where} field 'race_start'", "a race start needs a race day; add race = \"YYYY-MM-DD\".")
            value = raw["race_start"]
            race_start = parse_clock(value)
            if race_start is None:
                raise self.fail(f"{where} field 'race_start'", f'{_show(value)} is not a time of day; write it as "HH:MM", e.g. "09:00".')
            if any(s.key == RACE_KEY for s in sessions):
                raise self.fail(f"session id {RACE_KEY!r}", "this id is kept for the race event of the block; rename the session.")
        race_minutes = self.integer(raw.get("race_minutes", 120), f"{where} field 'race_minutes'", 1, 720)
        deload_every = self.integer(raw.get("deload_every", 4), f"{where} field 'deload_every'", 0, MAX_BLOCK_WEEKS)
        if deload_every == 1:
            raise self.fail(f"{where} field 'deload_every'", "1 would make every week a deload week; use 2 or more, or 0 for none.")
        deload = self.number(raw.get("deload", 0.7), f"{where} field 'deload'", 0.1, 1.0)
        taper = self.integer(raw.get("taper_weeks", 2), f"{where} field 'taper_weeks'", 0, 8)
        if taper and race is None and "taper_weeks" in raw:
            raise self.fail(f"{where} field 'taper_weeks'", "a taper leads to a race; add race = \"YYYY-MM-DD\" or remove taper_weeks.")
        if race is not None and taper >= weeks > 1:
            raise self.fail(
                f"{where} field 'taper_weeks'", f"{taper} taper weeks leave no build week in a {weeks}-week block; use at most {weeks - 1}."
            )
        block = Block(first, weeks, race, race_start, race_minutes, deload_every, float(deload), taper, tuple(self.progressions))
        overrides = data.get("week", [])
        if not isinstance(overrides, list):
            raise self.fail("'week'", "write each week override as its own [[week]] table.")
        if len(overrides) > MAX_BLOCK_WEEKS:
            raise self.fail("[[week]]", f"{len(overrides)} week overrides; a block has at most {MAX_BLOCK_WEEKS} weeks.")
        parsed = [self.week_override(item, i + 1, block, sessions) for i, item in enumerate(overrides)]
        seen: dict[int, int] = {}
        for i, w in enumerate(parsed):
            if w.number in seen:
                raise self.fail(f"[[week]] {i + 1}", f"week {w.number} of the block already has an override ([[week]] {seen[w.number]}); merge them.")
            seen[w.number] = i + 1
        return block._replace(overrides=tuple(sorted(parsed, key=lambda w: w.number)))

    def week_override(self, item: object, position: int, block: Block, sessions: tuple[Session, ...]) -> WeekOverride:
        where = f"[[week]] {position}"
        item = self.table(item, where, _WEEK)
        if ("number" in item) == ("week" in item):
            raise self.fail(where, 'say which week it is with number = 6 (week of the block) or week = "2027-W02", not both.')
        if "number" in item:
            number = self.integer(item["number"], f"{where} field 'number'", 1, block.weeks)
        else:
            number = self.iso_week_number(item["week"], f"{where} field 'week'", block)
        where = f"[[week]] {position} (week {number})"
        skip = self.listed(item.get("skip", []), f"{where} field 'skip'", "session ids")
        keys = [s.key for s in sessions]
        for name in skip:
            if not isinstance(name, str) or name not in keys:
                hint = _did_you_mean(name, tuple(keys))
                raise self.fail(
                    f"{where} field 'skip'",
                    f"{_show(name)} is not a session of the plan.{hint} Sessions: {', '.join(keys) or '(none)'}.",
                )
        rest = item.get("rest", False)
        if not isinstance(rest, bool):
            raise self.fail(f"{where} field 'rest'", f"{_show(rest)} is not true or false.")
        if rest and block.race is not None and number == block.weeks:
            raise self.fail(f"{where} field 'rest'", "this is race week; it cannot be a week off.")
        raw = item.get("session", [])
        if not isinstance(raw, list):
            raise self.fail(f"{where} field 'session'", "write each of the week's sessions as its own [[week.session]] table.")
        if len(raw) > MAX_SESSIONS:
            raise self.fail(f"{where} [[week.session]]", f"{len(raw)} sessions; a week holds at most {MAX_SESSIONS}.")
        added = self.sessions(raw, f"{where} ")
        if rest and (added or skip):
            raise self.fail(where, "a rest week has no sessions; remove 'skip' and [[week.session]], or set rest = false.")
        return WeekOverride(number, tuple(skip), rest, added)

    def iso_week_number(self, value: object, where: str, block: Block) -> int:
        match = _ISO_WEEK.fullmatch(value.strip()) if isinstance(value, str) else None
        try:
            monday = date.fromisocalendar(int(match[1]), int(match[2]), 1) if match else None
        except ValueError:
            monday = None
        if monday is None:
            raise self.fail(where, f'{_show(value)} is not an ISO week; write it like "2027-W02".')
        number = (monday - block.first_monday).days // 7 + 1
        if not 1 <= number <= block.weeks:
            last = block.first_monday + _days(7 * (block.weeks - 1))
            raise self.fail(
                where,
                f"{value.strip()} is outside the block ({_iso(block.first_monday)} to {_iso(last)}); "
                f"overrides apply to weeks of the block only.",
            )
        return number

    def date(self, value: object, where: str) -> date:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise self.fail(where, f'{_show(value)} is not a date; write it as "YYYY-MM-DD", e.g. "2026-12-07".')


def _split_flexible(raw: list) -> tuple[list, list[tuple[int, dict]]]:
    """Fixed sessions (with a start) and flexible ones (without), the latter with their place in the file.

    A session with a day but neither a start nor an id reads as a fixed one
    that lacks its start, which is the likelier slip.
    """

    def flexible(item: object) -> bool:
        return isinstance(item, dict) and "start" not in item and ("id" in item or "day" not in item)

    if not any(flexible(item) for item in raw):
        return raw, []
    return [item for item in raw if not flexible(item)], [(i + 1, item) for i, item in enumerate(raw) if flexible(item)]


class _PlaceReader(_Reader):
    """``[availability]``, ``[busy]`` and the flexible ``[[session]]`` tables (placed by placing.py)."""

    def places(self, data: dict, flexible: list[tuple[int, dict]], sessions: tuple[Session, ...]) -> dict:
        from syncplan.place import Flexible

        given = {s.key for s in sessions}
        found = []
        for position, item in flexible:
            session, days, prefer = self.flexible(item, position)
            if session.key in given:
                raise self.fail(f"session id {session.key!r}", "this id is used by more than one session; ids must be unique.")
            given.add(session.key)
            found.append(Flexible(session, days, prefer))
        availability, buffer = self.availability(data.get("availability", {}))
        ics, google = self.busy(data.get("busy", {}))
        return {
            "flexible": tuple(found),
            "availability": availability,
            "buffer_minutes": buffer,
            "busy_ics": ics,
            "busy_google": google,
        }

    def flexible(self, item: dict, position: int) -> tuple[Session, tuple[int, ...], object]:
        sid = item.get("id")
        if not isinstance(sid, str) or not _ID.fullmatch(sid):
            raise self.fail(
                f"session {position}",
                "a session without a start is placed by syncplan each week; give it an id (e.g. id = \"lift-a\", "
                "letters, digits, '-', '_' or '.') so that it keeps its calendar event wherever it lands, "
                "or give it a day and a start.",
            )
        where = f"session {position} ({sid})"
        self.table(item, where, _FLEXIBLE)
        if "day" in item and "days" in item:
            raise self.fail(where, "give 'day' (one day) or 'days' (a list), not both.")
        if "day" in item:
            days = (self.day(item["day"], f"{where} field 'day'"),)
        elif "days" in item:
            value = self.listed(item["days"], f"{where} field 'days'", 'days, e.g. ["mon", "wed"]')
            if not value:
                raise self.fail(f"{where} field 'days'", 'the list is empty; name at least one day, e.g. ["mon", "wed"].')
            days = tuple(sorted({self.day(d, f"{where} field 'days'") for d in value}))
        else:
            days = tuple(range(7))
        prefer = self.prefer(item["prefer"], f"{where} field 'prefer'") if "prefer" in item else None
        # The shared session reader checks the other fields; day and start are the search's to choose.
        rest = {k: v for k, v in item.items() if k not in ("day", "days", "prefer")}
        parsed = self.session({**rest, "day": "mon", "start": "00:00"}, position)
        if parsed["progress"] is not None:
            self.progressions.append((sid, parsed["progress"]))
        return _session(sid, days[0], time(0), parsed), days, prefer

    def day(self, value: object, where: str) -> int:
        day = parse_day(value)
        if day is None:
            hint = _did_you_mean(value, DAYS + DAY_NAMES)
            raise self.fail(where, f"{_show(value)} is not a day.{hint} Use one of {', '.join(DAYS)}.")
        return day

    def prefer(self, value: object, where: str):
        from syncplan.place import PREFERENCES, Window

        if isinstance(value, str) and value.strip().lower() in PREFERENCES:
            return value.strip().lower()
        if isinstance(value, str) and "-" in value:
            try:
                return Window.parse(value)
            except ValueError as exc:
                raise self.fail(where, f"{exc}.") from None
        raise self.fail(
            where, f'{_show(value)} is not a part of the day; use morning, midday, evening or a window like "06:00-08:30".'
        )

    def windows(self, value: object, where: str) -> tuple:
        from syncplan.place import Window

        value = self.listed(value, where, 'windows, e.g. ["06:00-08:30", "17:30-21:00"]')
        if len(value) > MAX_WINDOWS:
            raise self.fail(where, f"{len(value)} windows; a day takes at most {MAX_WINDOWS}.")
        found = []
        for i, text in enumerate(value):
            if not isinstance(text, str):
                raise self.fail(f"{where} item {i + 1}", f'{_show(text)} is not a window like "06:00-08:30".')
            try:
                found.append(Window.parse(text))
            except ValueError as exc:
                raise self.fail(f"{where} item {i + 1}", f"{exc}.") from None
        found.sort(key=lambda w: (w.start, w.end))
        for a, b in zip(found, found[1:]):
            if b.start < a.end:
                raise self.fail(where, f"the windows {a} and {b} overlap; join them into one.")
        return tuple(found)

    def availability(self, raw: object) -> tuple[tuple, int]:
        raw = self.table(raw, "[availability]", _AVAILABILITY)
        if "default" in raw:
            default = self.windows(raw["default"], "[availability] field 'default'")
        else:
            default = self.windows(list(DEFAULT_WINDOWS), "[availability] field 'default'")
        days = tuple(
            self.windows(raw[name], f"[availability] field {name!r}") if name in raw else default for name in DAYS
        )
        buffer = self.integer(raw.get("buffer_minutes", 15), "[availability] field 'buffer_minutes'", 0, 240)
        return days, buffer

    def busy(self, raw: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
        raw = self.table(raw, "[busy]", _BUSY)
        out = []
        for name in ("ics", "google"):
            value = self.listed(raw.get(name, []), f"[busy] field {name!r}", "strings")
            if len(value) > MAX_BUSY_SOURCES:
                raise self.fail(f"[busy] field {name!r}", f"{len(value)} sources; give at most {MAX_BUSY_SOURCES}.")
            out.append(tuple(self.text(v, f"[busy] field {name!r} item {i + 1}", 2000) for i, v in enumerate(value)))
        return out[0], out[1]


_PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z _-]{0,19}")
_KIND_NAMES = tuple(name for k in KINDS.values() for name in (k.id, *k.aliases))


_ISO_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


def _days(n: int):
    from datetime import timedelta

    return timedelta(days=n)


def _iso(monday: date) -> str:
    iso = monday.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def _did_you_mean(value: object, names: tuple[str, ...]) -> str:
    if not isinstance(value, str):
        return ""
    import difflib

    near = difflib.get_close_matches(value.strip().lower()[:40], names, n=1, cutoff=0.7)
    return f" Did you mean {near[0]!r}?" if near else ""


# Time zones --------------------------------------------------------------------
# A plan must mean the same week on every machine that reads it, so its zone is
# a tz database name for a place ("Europe/London") or UTC. Refused:
# - "localtime", "posixrules", "Factory", "posix/...", "right/...": they name
#   whatever the machine is set to, a build detail, or a leap-second variant;
# - legacy and fixed-offset aliases (EST, MST, HST, EST5EDT, CET, GB, US/...,
#   Etc/GMT+3): tzdata has changed what several of them mean (in 2024 EST, MST
#   and HST became links to Panama, Phoenix and Honolulu), and the Etc/GMT
#   signs are the reverse of what they look like (Etc/GMT+3 is three hours
#   behind UTC). A place-based name says what people mean and stays right.
_ZONE_AREAS = ("Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific")
_PLACE_ZONE = re.compile(rf"(?:{'|'.join(_ZONE_AREAS)})(?:/[A-Z][A-Za-z0-9_+-]*){{1,2}}")
_UTC_NAMES = ("UTC", "Etc/UTC")
_UTC_ALIASES = {"gmt", "gmt0", "gmt+0", "gmt-0", "greenwich", "uct", "universal", "zulu", "utc"}
_ALIAS_HINTS = {
    "est": "America/New_York", "edt": "America/New_York", "est5edt": "America/New_York",
    "cst": "America/Chicago", "cdt": "America/Chicago", "cst6cdt": "America/Chicago",
    "mst": "America/Denver", "mdt": "America/Denver", "mst7mdt": "America/Denver",
    "pst": "America/Los_Angeles", "pdt": "America/Los_Angeles", "pst8pdt": "America/Los_Angeles",
    "hst": "Pacific/Honolulu", "bst": "Europe/London", "gb": "Europe/London", "gb-eire": "Europe/London",
    "cet": "Europe/Paris", "cest": "Europe/Paris", "met": "Europe/Paris", "eet": "Europe/Athens",
    "wet": "Europe/Lisbon", "eire": "Europe/Dublin", "ist": "Asia/Kolkata", "jst": "Asia/Tokyo",
    "japan": "Asia/Tokyo", "prc": "Asia/Shanghai", "rok": "Asia/Seoul", "nz": "Pacific/Auckland",
}


def is_portable_zone(name: str) -> bool:
    """A zone name that means the same on every machine (see the comment above)."""
    if name not in _UTC_NAMES and not _PLACE_ZONE.fullmatch(name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder, or too long a name
        return False
    return True


def zone_problem(name: str) -> str | None:
    """Why ``name`` cannot be a plan's zone, with a suggestion; None when it can."""
    if is_portable_zone(name):
        return None
    suggestion = suggest_zone(name)
    hint = f' Did you mean "{suggestion}"?' if suggestion else ""
    advice = 'Use the tz database name of a place, such as "Europe/London" or "America/New_York", or "UTC".'
    try:
        ZoneInfo(name)
        known = True
    except (ZoneInfoNotFoundError, ValueError, OSError):
        known = False
    if not known:
        return f"{_show(name)} is not a known IANA time zone.{hint} {advice}"
    return (
        f"{_show(name)} is a machine-specific, legacy or fixed-offset zone name whose meaning can differ from one "
        f"computer to another.{hint} {advice}"
    )


def suggest_zone(name: str) -> str | None:
    """The place-based zone most likely meant: "london" -> "Europe/London"."""
    text = name.strip()
    for prefix in ("posix/", "right/"):
        if text.startswith(prefix) and is_portable_zone(text[len(prefix):]):
            return text[len(prefix):]
    key = text.lower().replace(" ", "_")
    if key in _UTC_ALIASES or key.startswith("etc/") and key[4:] in _UTC_ALIASES:
        return "UTC"
    if key in _ALIAS_HINTS:
        return _ALIAS_HINTS[key]
    import zoneinfo

    zones = sorted(z for z in zoneinfo.available_timezones() if is_portable_zone(z))
    by_lower = {z.lower(): z for z in zones}
    if key in by_lower:
        return by_lower[key]
    city = key.rsplit("/", 1)[-1]
    by_city: dict[str, str] = {}
    for z in zones:
        by_city.setdefault(z.rsplit("/", 1)[-1].lower(), z)
    if city in by_city:
        return by_city[city]
    same = _same_rules(text, zones)
    if same:
        return same
    import difflib

    near = difflib.get_close_matches(key, list(by_lower), n=1, cutoff=0.8)
    if near:
        return by_lower[near[0]]
    near = difflib.get_close_matches(city, list(by_city), n=1, cutoff=0.8)
    return by_city[near[0]] if near else None


def _same_rules(name: str, zones: list[str]) -> str | None:
    """A place-based zone whose tz file is identical to ``name``'s (US/Eastern -> America/New_York)."""
    import zoneinfo

    for folder in zoneinfo.TZPATH:
        path = Path(folder) / name
        try:
            if not path.resolve().is_relative_to(Path(folder).resolve()) or not path.is_file():
                continue
            data = path.read_bytes()
        except (OSError, ValueError):
            continue
        for zone in zones:
            try:
                if (Path(folder) / zone).read_bytes() == data:
                    return zone
            except OSError:
                continue
    return None


def system_timezone(environ: dict | None = None, localtime: Path = Path("/etc/localtime")) -> tuple[str | None, str]:
    """The user's zone as (name, where it came from), or (None, why not).

    ``TZ`` wins when set, as it does for every program; otherwise the target
    of the /etc/localtime link. Only a portable name is returned.
    """
    import os

    environ = os.environ if environ is None else environ
    tz = environ.get("TZ", "")
    if tz:
        name = tz.removeprefix(":")
        if "zoneinfo/" in name:
            name = name.rsplit("zoneinfo/", 1)[1]
        if is_portable_zone(name):
            return name, "from TZ"
        return None, f"TZ={tz!r} is not a portable IANA zone name"
    try:
        target = os.readlink(localtime)
    except OSError:
        return None, f"{localtime} is not a link to a zone"
    name = target.rsplit("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    if is_portable_zone(name):
        return name, f"from {localtime}"
    return None, f"{localtime} does not name a portable IANA zone"


def _session(key: str, day: int, start: time, fields: dict) -> Session:
    """A Session from the checked fields of one [[session]] table."""
    return Session(
        key=key,
        day=day,
        start=start,
        kind=fields["kind"],
        minutes=fields["minutes"],
        focus=fields["focus"],
        details=fields["details"],
        title=fields["title"],
        notes=fields["notes"],
    )


def parse_day(value: object) -> int | None:
    """0 for Monday: "tue", "Tuesday" and the like; None if it is no day."""
    text = value.strip().lower() if isinstance(value, str) else ""
    if text in DAY_NAMES:
        text = text[:3]
    return DAYS.index(text) if text in DAYS else None


def text_problem(value: object, max_len: int = 500, multiline: bool = False) -> str | None:
    """Why a text cannot go into a calendar as written (empty, too long, a control character); None when it can.

    The plan's fields are held to it, and so are texts given on the command
    line for the same place (``sync --calendar NAME``).
    """
    if not isinstance(value, str) or not value.strip():
        return f"{_show(value)} is not a non-empty string."
    if len(value) > max_len:
        return f"the text is longer than the limit of {max_len} characters."
    bad = (_CONTROL_MULTILINE if multiline else _CONTROL).search(value)
    if bad:
        allowed = "only tabs and line breaks are allowed" if multiline else "write it on one line, as plain text"
        return f"the text contains the control character U+{ord(bad[0]):04X} at character {bad.start() + 1}; remove it ({allowed})."
    return None


def parse_clock(value: object) -> time | None:
    """"HH:MM" on a 24-hour clock, or a TOML time on the minute (07:00:00); None if it is neither.

    A time with seconds is refused rather than cut to the minute without a word.
    """
    if isinstance(value, time):
        return value if not (value.second or value.microsecond or value.tzinfo) else None
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    return time(int(match[1]), int(match[2])) if match else None


def _show(value: object) -> str:
    """A value as the plan file spells it: TOML's true, 07:00:30, ["easy"] and {a = 1}, not Python's."""
    text = _toml(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _toml(value: object, depth: int = 0) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (list, dict)) and depth >= 3:
        return "[...]" if isinstance(value, list) else "{...}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v, depth + 1) for v in value[:20]) + (", ...]" if len(value) > 20 else "]")
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v, depth + 1)}" for k, v in list(value.items())[:20]) + "}"
    return repr(value)
