"""Events -> iCalendar bytes, and the write that leaves unchanged files alone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from icalendar import Alarm, Calendar
from icalendar import Event as VEvent
from icalendar import Parameters

from syncplan import __version__
from syncplan.events import Event
from syncplan.files import read_existing, write_output
from syncplan.vtimezone import vtimezone

PRODID = f"-//syncplan//syncplan {__version__}//EN"
UID_DOMAIN = "@syncplan"
_END = b"END:VCALENDAR\r\n"

# Characters that end a line in some reader (vobject splits on U+2028 too) or
# that TEXT does not allow; looked at only when a text is not plain printable.
_UNUSUAL = {**{c: "\ufffd" for c in (*range(0x09), *range(0x0B, 0x20), 0x7F)}, 0x85: r"\n", 0x2028: r"\n", 0x2029: r"\n"}


def escape_text(value: str) -> str:
    """RFC 5545 TEXT, escaped here rather than by icalendar.

    icalendar 7 writes a literal ``\\N`` as a line break and leaves CR/LF in
    X- properties such as X-WR-CALNAME, where they start new content lines.
    Any line break becomes ``\\n``; other control characters, which TEXT does
    not allow, become U+FFFD. Plain ``str.replace`` keeps a 52-week export fast.
    """
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    value = value.replace("\r\n", r"\n").replace("\r", r"\n").replace("\n", r"\n")
    return value if value.isprintable() else value.translate(_UNUSUAL)


class _Text:
    """A TEXT (or comma-separated TEXT list) value that serialises through ``escape_text``."""

    def __init__(self, *values: str) -> None:
        self.values = values
        self.params = Parameters()

    def to_ical(self) -> bytes:
        return ",".join(escape_text(v) for v in self.values).encode()


class KeptEvent:
    """A past event copied byte for byte from the previous file (``--keep-past``)."""

    __slots__ = ("start", "lines")

    def __init__(self, start: datetime, lines: bytes) -> None:
        self.start, self.lines = start, lines


def to_ical(
    events: list[Event],
    calendar_name: str,
    tz: str,
    now: datetime,
    *,
    private: bool = False,
    kept: tuple[KeptEvent, ...] | list[KeptEvent] = (),
) -> bytes:
    """``private`` marks every event CLASS:PRIVATE (busy-only feeds); ``kept`` are past events to carry over."""
    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal["X-WR-CALNAME"] = _Text(calendar_name)
    cal["X-WR-TIMEZONE"] = _Text(tz)
    years = [e.start.year for e in events] + [k.start.year for k in kept] or [now.year]
    cal.add_component(vtimezone(tz, min(years), max(years) + 1))
    stamp = now.astimezone(timezone.utc).replace(microsecond=0)
    for event in events:
        cal.add_component(_vevent(event, stamp, private))
    data = b"".join(_fold(line.encode()) + b"\r\n" for line in cal.content_lines() if line)
    if kept:
        data = data[: -len(_END)] + b"".join(k.lines for k in sorted(kept, key=lambda k: k.start)) + _END
    return data


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


def _vevent(event: Event, stamp: datetime, private: bool) -> VEvent:
    ve = VEvent()
    ve["UID"] = _Text(event.uid)
    ve.add("DTSTAMP", stamp)
    ve.add("DTSTART", _unambiguous(event.start))
    ve.add("DTEND", _unambiguous(event.end))
    ve["SUMMARY"] = _Text(event.summary)
    if event.description:
        ve["DESCRIPTION"] = _Text(event.description)
    if event.categories:
        ve["CATEGORIES"] = _Text(*event.categories)
    if private:
        ve.add("CLASS", "PRIVATE")
    ve.add("TRANSP", "OPAQUE")
    for minutes in event.reminders:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        alarm["DESCRIPTION"] = _Text(event.summary)
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


def past_events(old: bytes | None, tz: str, before: datetime, weeks: int, private: bool) -> list[KeptEvent]:
    """Our own events of the ``weeks`` weeks before ``before``, from the file being replaced.

    A feed that cron rewrites every week then keeps the athlete's history.
    Only events syncplan wrote (its UID domain), in the same zone, and of the
    same kind of feed (busy-only or full) are kept, so a busy-only feed never
    inherits the details of a full one.
    """
    if not old or weeks <= 0:
        return []
    since = before - timedelta(weeks=weeks)
    kept = []
    for block in _vevent_blocks(old):
        try:
            ve = VEvent.from_ical(block.decode("utf-8"))
            start = ve["DTSTART"].dt
            uid = str(ve["UID"])
        except Exception:  # a file we cannot parse is not ours to carry over
            continue
        if not uid.endswith(UID_DOMAIN) or not isinstance(start, datetime) or start.tzinfo is None:
            continue
        if ve["DTSTART"].params.get("TZID", tz) != tz:
            continue
        if (str(ve.get("CLASS", "")).upper() == "PRIVATE") != private:
            continue
        if since <= start < before:
            kept.append(KeptEvent(start, block))
    return kept


def _vevent_blocks(data: bytes) -> list[bytes]:
    """Each top-level VEVENT of a calendar file as its raw (folded) lines."""
    blocks, current, depth = [], [], 0
    for line in data.splitlines(keepends=True):
        bare = line.rstrip(b"\r\n").upper()
        if current or bare == b"BEGIN:VEVENT":
            current.append(line if line.endswith(b"\r\n") else line.rstrip(b"\r\n") + b"\r\n")
            if bare.startswith(b"BEGIN:"):
                depth += 1
            elif bare.startswith(b"END:"):
                depth -= 1
                if depth == 0:
                    blocks.append(b"".join(current))
                    current = []
    return blocks


def _without_stamps(data: bytes) -> list[bytes]:
    return [line for line in data.splitlines() if not line.startswith(b"DTSTAMP")]


def write_ics(path: Path, data: bytes, old: bytes | None = None) -> bool:
    """Write; return False when only DTSTAMP would change.

    Feed subscribers and file watchers then see no change at all. ``old`` is
    the file's current content when the caller has already read it.
    """
    path = Path(path)
    if old is None:
        old = read_existing(path)
    if old is not None and _without_stamps(old) == _without_stamps(data):
        return False
    write_output(path, data)
    return True
