"""Events -> iCalendar bytes, and the atomic write that leaves unchanged files alone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from icalendar import Alarm, Calendar
from icalendar import Event as VEvent

from syncplan import __version__
from syncplan.files import atomic_write
from syncplan.events import Event
from syncplan.vtimezone import vtimezone

PRODID = f"-//syncplan//syncplan {__version__}//EN"


def to_ical(events: list[Event], calendar_name: str, tz: str, now: datetime) -> bytes:
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", calendar_name)
    cal.add("X-WR-TIMEZONE", tz)
    years = [e.start.year for e in events] or [now.year]
    cal.add_component(vtimezone(tz, min(years), max(years) + 1))
    stamp = now.astimezone(timezone.utc).replace(microsecond=0)
    for event in events:
        cal.add_component(_vevent(event, stamp))
    return b"".join(_fold(line.encode()) + b"\r\n" for line in cal.content_lines() if line)


def _fold(line: bytes, limit: int = 75) -> bytes:
    """RFC 5545 folding at 75 octets, on bytes.

    icalendar folds character by character, which dominated a 52-week export;
    this cuts by byte offsets, never inside a UTF-8 sequence and never right
    after a backslash (some readers mis-join a split escape).
    """
    parts, start, width = [], 0, limit
    while len(line) - start > width:
        cut = start + width
        while line[cut] & 0xC0 == 0x80:  # continuation byte: back up to the character's start
            cut -= 1
        if line[cut - 1] == 0x5C:  # backslash
            cut -= 1
        parts.append(line[start:cut])
        start, width = cut, limit - 1  # continuation lines begin with a space
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def _vevent(event: Event, stamp: datetime) -> VEvent:
    ve = VEvent()
    ve.add("UID", event.uid)
    ve.add("DTSTAMP", stamp)
    ve.add("DTSTART", _unambiguous(event.start))
    ve.add("DTEND", _unambiguous(event.end))
    ve.add("SUMMARY", event.summary)
    if event.description:
        ve.add("DESCRIPTION", event.description)
    if event.categories:
        ve.add("CATEGORIES", list(event.categories))
    ve.add("TRANSP", "OPAQUE")
    for minutes in event.reminders:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm.add("DESCRIPTION", event.summary)
        alarm.add("TRIGGER", timedelta(minutes=-minutes))
        ve.add_component(alarm)
    return ve


def _unambiguous(moment: datetime) -> datetime:
    """A local time in the repeated hour of a fall-back day is written in UTC.

    RFC 5545 says such a time means its first occurrence, but readers differ
    (vobject takes the second), and a session ending in the second one would
    seem to end before it starts. UTC leaves nothing to interpret.
    """
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        return moment.astimezone(timezone.utc)
    return moment


def _without_stamps(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(b"DTSTAMP")]


def write_ics(path: Path, data: bytes) -> bool:
    """Write atomically; return False when only DTSTAMP would change.

    Feed subscribers and file watchers then see no change at all.
    """
    path = Path(path)
    try:
        if _without_stamps(path.read_bytes()) == _without_stamps(data):
            return False
    except (FileNotFoundError, IsADirectoryError):
        pass
    atomic_write(path, data)
    return True
