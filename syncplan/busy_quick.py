"""The quick reader behind ``busy.py``: plain events read without icalendar.

icalendar and recurring-ical-events read any calendar, but a run that needs
them spends about 45 ms importing and parsing before it has one busy block,
which is most of what ``export`` costs. Most events in a work calendar are
plain: a one-off meeting, or a series with an RRULE and perhaps an EXDATE,
its times in UTC, floating, all-day or in an IANA zone. This module reads
those, expanding each RRULE with dateutil (the library recurring-ical-events
itself expands with). Every other event (RDATE, a moved or cancelled
instance, a Windows or custom zone name, a value it does not know) is handed
back as iCalendar text, with the calendar's own properties and zones, for
``busy.py`` to read with the libraries; the events of one UID always travel
together. A calendar whose lines or nesting are broken is handed back whole,
so its error message comes from the library. The tests hold this reader to
the libraries' answer on random calendars.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

Interval = tuple[datetime, datetime]

_NAME = re.compile(r"([A-Za-z0-9-]+)([;:])")
_PARAM = re.compile(r';([A-Za-z0-9-]+)=("[^"]*"|[^";:,]*)')
_DATETIME = re.compile(r"(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z?)")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DURATION = re.compile(r"\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_UNTIL = re.compile(r"(?:^|;)UNTIL=([^;]*)", re.IGNORECASE)
_FREQ = re.compile(r"(?:^|;)FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(?:;|$)", re.IGNORECASE)
_READ = frozenset({"UID", "DTSTART", "DTEND", "DURATION", "RRULE", "EXDATE", "TRANSP", "STATUS", "X-MICROSOFT-CDO-BUSYSTATUS"})
_LIBRARY_ONLY = frozenset({"RDATE", "RECURRENCE-ID"})
MAX_PER_DAY = 96  # instances a day (every 15 minutes): more is no meeting, and costs minutes to expand
_MARGIN = timedelta(days=2)  # floating and all-day times get their zone only after expansion


class _Unsure(Exception):
    """This event (or calendar) is not plain: the libraries read it."""


def read(data: bytes, start: datetime, end: datetime, tz: ZoneInfo) -> tuple[list[Interval], list[bytes]] | None:
    """Busy intervals of the plain events, and the calendars (as .ics bytes) left for the libraries.

    The intervals are not clipped or merged. None when the file is not one
    this reader can take apart; then the libraries read all of it.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text[:15].upper() == "BEGIN:VCALENDAR":
        return None
    try:
        calendars = _calendars(text)
    except _Unsure:
        return None
    found: list[Interval] = []
    left: list[bytes] = []
    for props, timezones, events in calendars:
        wr = _wr_zone(props)
        if wr is False:  # an X-WR-TIMEZONE no zone database knows: busy.py decides what it means
            left.append(_calendar_text(props, timezones, [line for _, lines in events for line in lines]))
            continue
        hard: set[str] = set()
        plain: list[tuple[dict, list]] = []
        for fields, lines in events:
            uid = _uid(fields)
            if uid in hard:
                continue
            try:
                plain.append((fields, _intervals(fields, wr, tz, start, end)))
            except Exception:  # noqa: BLE001 - anything this reader does not know goes to the library
                hard.add(uid)
        series = {_uid(fields) for fields, _ in plain if fields.get("RRULE")}
        uses = Counter(_uid(fields) for fields, _ in plain)
        hard.update(u for u in series if uses[u] > 1)  # a series and another event share a UID
        for fields, intervals in plain:
            if _uid(fields) not in hard:
                found += intervals
        if hard:
            left.append(_calendar_text(props, timezones, [line for fields, lines in events if _uid(fields) in hard for line in lines]))
    return found, left


def timed_events(data: bytes) -> list[tuple[str, datetime, datetime]] | None:
    """(UID, start, end) of each event of a plain calendar with zoned or UTC times; None when it is not plain.

    For reading back a feed syncplan wrote (``ics.placed_week``).
    """
    try:
        text = data.decode("utf-8")
        out = []
        for _, _, events in _calendars(text):
            for fields, _ in events:
                if not fields.get("UID") or not fields.get("DTSTART") or not fields.get("DTEND"):
                    continue
                start, end = _value(*fields["DTSTART"][0], None), _value(*fields["DTEND"][0], None)
                if isinstance(start, datetime) and start.tzinfo and isinstance(end, datetime) and end.tzinfo:
                    out.append((fields["UID"][0][1], start, end))
        return out
    except Exception:  # noqa: BLE001 - not a file this reader takes apart: nothing is read back
        return None


def _calendar_text(props: list[str], timezones: list[str], events: list[str]) -> bytes:
    """A calendar of its own, with the properties and zones of the one the events came from."""
    return "\r\n".join(["BEGIN:VCALENDAR", *props, *timezones, *events, "END:VCALENDAR", ""]).encode()


def _calendars(text: str) -> list[tuple[list[str], list[str], list[tuple[dict, list[str]]]]]:
    """Each VCALENDAR's property lines, VTIMEZONE lines, and events (the fields read, and the event's lines)."""
    out = []
    stack: list[str] = []
    props: list[str] = []
    zones: list[str] = []
    events: list[tuple[dict, list[str]]] = []
    fields: dict = {}
    lines: list[str] = []
    for line in re.sub(r"\r?\n[ \t]", "", text).split("\n"):
        line = line[:-1] if line.endswith("\r") else line
        if not line:
            continue
        m = _NAME.match(line)
        if m is None:
            raise _Unsure
        name = m[1].upper()
        closing = None
        if name == "BEGIN" or name == "END":
            what = line[m.end() :].upper()
            if m[2] != ":" or name == "END" and (not stack or stack[-1] != what):
                raise _Unsure
            if name == "BEGIN":
                stack.append(what)
                if stack == ["VCALENDAR"]:
                    props, zones, events = [], [], []
                    continue
                if stack[0] != "VCALENDAR" or what == "VCALENDAR":
                    raise _Unsure
                if stack == ["VCALENDAR", "VEVENT"]:
                    fields, lines = {}, []
            elif len(stack) == 1:
                stack.pop()
                out.append((props, zones, events))
                continue
            else:
                closing = what
        if not stack:
            raise _Unsure  # a line outside any calendar
        if len(stack) == 1:
            props.append(line)
        elif stack[1] == "VTIMEZONE":
            zones.append(line)
        elif stack[1] == "VEVENT":
            lines.append(line)
            if len(stack) == 2 and (name in _READ or name in _LIBRARY_ONLY):
                parts = _parts(line, m)
                if parts is None or name in fields and name != "EXDATE":
                    fields[name] = None  # unreadable here, or twice: left to the library
                elif fields.get(name, ()) is not None:
                    fields.setdefault(name, []).append(parts)
        if closing is not None:
            stack.pop()
            if stack == ["VCALENDAR"] and closing == "VEVENT":
                events.append((fields, lines))
    if stack or not out:
        raise _Unsure
    return out


def _parts(line: str, m: re.Match) -> tuple[dict[str, str], str] | None:
    """A content line's parameters and value; None when a parameter is beyond this reader."""
    params: dict[str, str] = {}
    pos = m.end() - 1
    while line.startswith(";", pos):
        p = _PARAM.match(line, pos)
        if p is None:
            return None
        params[p[1].upper()] = p[2][1:-1] if p[2].startswith('"') else p[2]
        pos = p.end()
    if not line.startswith(":", pos):
        return None
    return params, line[pos + 1 :]


def _uid(fields: dict) -> str:
    uid = fields.get("UID")
    return uid[0][1] if uid else ""


def _wr_zone(props: list[str]) -> ZoneInfo | None | bool:
    """The calendar's X-WR-TIMEZONE: a zone, None when absent, False when no zone database knows it."""
    for line in props:
        m = _NAME.match(line)
        if m is None or m[1].upper() != "X-WR-TIMEZONE":
            continue
        parts = _parts(line, m)  # some apps write X-WR-TIMEZONE;VALUE=TEXT:...
        try:
            return ZoneInfo(parts[1]) if parts else False
        except Exception:  # noqa: BLE001 - ZoneInfo raises several kinds for a bad key
            return False
    return None


def _intervals(fields: dict, wr, tz: ZoneInfo, start: datetime, end: datetime) -> list[Interval]:
    """The event's busy intervals (none when it is free or cancelled); raises when it is not plain."""
    if any(name in fields for name in _LIBRARY_ONLY) or any(v is None for v in fields.values()):
        raise _Unsure
    if not _busy(fields):
        return []
    if "DTSTART" not in fields:
        raise _Unsure  # the library's message names the event
    if "RRULE" not in fields:
        if "EXDATE" in fields:
            raise _Unsure
        first, last = _span(fields, wr, series=False)
        return [(_instant(first, tz), _instant(last, tz))]
    return _series(fields, wr, tz, start, end)


def _busy(fields: dict) -> bool:
    for name, free in (("TRANSP", "TRANSPARENT"), ("STATUS", "CANCELLED"), ("X-MICROSOFT-CDO-BUSYSTATUS", "FREE")):
        if name in fields and fields[name][0][1].upper() == free:
            return False
    return True


def _span(fields: dict, wr: ZoneInfo | None, series: bool = True):
    """DTSTART and the end (DTEND, DURATION, or RFC 5545's default) as the event states them."""
    first = _value(*fields["DTSTART"][0], wr, series)
    if "DTEND" in fields:
        last = _value(*fields["DTEND"][0], wr, series)
        if isinstance(first, datetime) != isinstance(last, datetime):
            raise _Unsure
    elif "DURATION" in fields:
        params, text = fields["DURATION"][0]
        m = _DURATION.fullmatch(text)
        if params or m is None or not any(m.groups()):
            raise _Unsure
        w, d, h, mi, s = (int(g or 0) for g in m.groups())
        last = first + timedelta(weeks=w, days=d, hours=h, minutes=mi, seconds=s)
    else:
        last = first if isinstance(first, datetime) else first + timedelta(days=1)
    return first, last


def _value(params: dict[str, str], text: str, wr: ZoneInfo | None, series: bool = True) -> date | datetime:
    """A DATE or DATE-TIME value; a floating time is in X-WR-TIMEZONE when the calendar has one.

    A series' UTC times move into that zone too, so that it repeats on its
    wall-clock time, as recurring-ical-events (through x-wr-timezone) has it;
    a one-off event keeps its instant, and so its exact length.
    """
    kind = params.get("VALUE", "").upper()
    if set(params) - {"VALUE", "TZID"}:
        raise _Unsure
    if kind == "DATE" or (not kind and len(text) == 8):
        m = _DATE.fullmatch(text)
        if m is None or "TZID" in params:
            raise _Unsure
        return date(int(m[1]), int(m[2]), int(m[3]))
    m = _DATETIME.fullmatch(text)
    if kind not in ("", "DATE-TIME") or m is None:
        raise _Unsure
    naive = datetime(*(int(g) for g in m.groups()[:6]))
    if m[7] and "TZID" in params:
        raise _Unsure
    if not m[7] and "TZID" not in params:
        return naive.replace(tzinfo=wr) if wr else naive
    aware = naive.replace(tzinfo=timezone.utc if m[7] else _zone(params["TZID"]))
    # x-wr-timezone (for recurring-ical-events) moves every time whose zone is called UTC, TZID=UTC too.
    return aware.astimezone(wr) if series and wr and (aware.tzname() or "").upper() == "UTC" else aware


def _zone(tzid: str) -> ZoneInfo:
    """An IANA zone, as icalendar finds it first; any other name is for the library's mapping."""
    if not tzid or tzid != tzid.strip() or tzid.startswith("/"):
        raise _Unsure
    return ZoneInfo(tzid)


def _series(fields: dict, wr: ZoneInfo | None, tz: ZoneInfo, start: datetime, end: datetime) -> list[Interval]:
    """A plain RRULE series (with EXDATEs) expanded over [start, end), as recurring-ical-events would."""
    from dateutil.rrule import rrulestr

    params, rule = fields["RRULE"][0]
    if params or _FREQ.search(rule) is None or per_day(rule) > MAX_PER_DAY:
        raise _Unsure  # the library expands, or busy.py refuses, what is unusual
    form = _form(*fields["DTSTART"][0])
    if wr and form in ("utc", "floating") or any(_form(*ex) != form for ex in fields.get("EXDATE", [])):
        raise _Unsure  # X-WR-TIMEZONE moves these, and the library matches EXDATEs in its own way
    first, last = _span(fields, wr)
    length = last - first
    if length < timedelta(0):
        raise _Unsure  # an end before the start: what the library makes of it, it makes
    all_day = not isinstance(first, datetime)
    anchor = datetime.combine(first, datetime.min.time()) if all_day else first
    until = _until(rule, anchor, all_day)
    exdates = set()
    for ex_params, ex_text in fields.get("EXDATE", []):
        for one in ex_text.split(","):
            value = _value(ex_params, one, wr)
            if isinstance(value, datetime) != (not all_day) or isinstance(value, datetime) and (
                (value.tzinfo is None) != (anchor.tzinfo is None)
            ):
                raise _Unsure
            exdates.add(value)
    lo, hi = start - _MARGIN, end + _MARGIN
    if anchor.tzinfo is None:  # floating or all-day: the window as wall-clock time, wide enough for any zone
        lo, hi = lo.astimezone(tz).replace(tzinfo=None), hi.astimezone(tz).replace(tzinfo=None)
    lo -= length
    recurrence = rrulestr(rule, dtstart=anchor)
    starts = set(recurrence.between(lo, hi, inc=True))
    if lo <= anchor <= hi and (until is None or anchor <= until):
        starts.add(anchor)  # DTSTART is the first instance even when the rule does not match it
    near = {i for e in exdates for i in _ids(e)}
    out = []
    for s in sorted(starts):
        first_of = s.date() if all_day else s
        if first_of in exdates:
            continue
        if near.intersection(_ids(first_of)):
            raise _Unsure  # an EXDATE a UTC offset away from this instance: the library excludes it, RFC 5545 would not
        out.append((_instant(first_of, tz), _instant(first_of + length, tz)))
    return out


def _ids(value: date | datetime) -> tuple:
    """How recurring-ical-events recognises an instance: an aware time by its UTC and by its wall-clock reading."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None), value.replace(tzinfo=None)
    return (value,)


def per_day(rule: str) -> float:
    """How many instances an RRULE can make in a day, at most: its cost to expand, counted from DTSTART."""
    parts = dict(p.split("=", 1) for p in rule.upper().split(";") if "=" in p)
    try:
        interval = max(int(parts.get("INTERVAL", "1")), 1)
    except ValueError:
        interval = 1
    counts = {k: len(parts[k].split(",")) if k in parts else 1 for k in ("BYHOUR", "BYMINUTE", "BYSECOND")}
    per = {"SECONDLY": 86400, "MINUTELY": 1440 * counts["BYSECOND"], "HOURLY": 24 * counts["BYMINUTE"] * counts["BYSECOND"]}
    freq = parts.get("FREQ", "")
    return per[freq] / interval if freq in per else counts["BYHOUR"] * counts["BYMINUTE"] * counts["BYSECOND"]


def _form(params: dict[str, str], text: str) -> str:
    """How a time is written: date, utc, floating, or the TZID it names."""
    if params.get("VALUE", "").upper() == "DATE" or len(text) == 8:
        return "date"
    return "utc" if text.endswith("Z") else params.get("TZID", "floating")


def _until(rule: str, anchor: datetime, all_day: bool) -> datetime | None:
    """The rule's UNTIL, when it is written the way RFC 5545 asks for this DTSTART (else the library reads it)."""
    m = _UNTIL.search(rule)
    if m is None:
        return None
    stated = m[1]
    if all_day:
        day = _DATE.fullmatch(stated)
        if day is None:
            raise _Unsure
        return datetime(int(day[1]), int(day[2]), int(day[3]))
    moment = _DATETIME.fullmatch(stated)
    if moment is None or bool(moment[7]) != (anchor.tzinfo is not None):
        raise _Unsure
    naive = datetime(*(int(g) for g in moment.groups()[:6]))
    return naive.replace(tzinfo=timezone.utc) if moment[7] else naive


def _instant(value: date | datetime, tz: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, datetime.min.time(), tz)
    return value.replace(tzinfo=tz) if value.tzinfo is None else value
