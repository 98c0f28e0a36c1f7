"""Busy time from .ics calendars, as merged intervals in the plan's zone.

An adapter at the edge: it reads bytes someone else fetched and returns
intervals for ``place.py``. Recurrence (RRULE, RDATE, EXDATE, instances
moved or cancelled with RECURRENCE-ID) is expanded by recurring-ical-events,
which also applies a calendar's X-WR-TIMEZONE as Google and Apple mean it.
What counts as busy is what calendar apps show as busy: an event marked
TRANSP:TRANSPARENT, Outlook's X-MICROSOFT-CDO-BUSYSTATUS:FREE or
STATUS:CANCELLED is not. Times with a zone (IANA, or Windows names such as
"W. Europe Standard Time") keep their instant; floating times and all-day
dates are read as wall-clock time in the plan's zone.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from syncplan.busy_quick import MAX_PER_DAY, per_day
from syncplan.errors import InvalidInput

Interval = tuple[datetime, datetime]
_GZIP_MAGIC = b"\x1f\x8b"
_ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")  # deflate, at each compression level
_MARGIN = timedelta(days=2)  # floating and all-day times are placed only after expansion


def read_busy(data: bytes, start: datetime, end: datetime, zone: ZoneInfo | str, source: str) -> list[Interval]:
    """Busy intervals overlapping [start, end), clipped to it, merged, in ``zone``.

    ``source`` names the file or URL in messages. Plain events are read by
    ``busy_quick.py``; the libraries read the rest (and any file it cannot
    take apart), so that most runs never import them.
    """
    from syncplan import busy_quick

    if data.startswith(_GZIP_MAGIC):
        raise InvalidInput(f"{source}: this is a gzip-compressed file, not an iCalendar (.ics) file; unpack it first (gunzip).")
    if data[:2] in _ZLIB_HEADERS:
        raise InvalidInput(f"{source}: this is zlib-compressed data, not an iCalendar (.ics) file; unpack it first.")
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    quick = busy_quick.read(data, start, end, tz)
    if quick is None:
        found = _read_with_libraries(data, start, end, tz, source)
    else:
        found, left = quick
        for rest in left:
            found += _read_with_libraries(rest, start, end, tz, source)
    clipped = [(max(a, start), min(b, end)) for a, b in found if a < b and a < end and b > start]
    return merge([(a.astimezone(tz), b.astimezone(tz)) for a, b in clipped])


def _read_with_libraries(data: bytes, start: datetime, end: datetime, tz: ZoneInfo, source: str) -> list[Interval]:
    """Every busy interval of the file, not clipped: icalendar parses, recurring-ical-events expands."""
    import icalendar
    import recurring_ical_events

    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{source}: this is not an iCalendar (.ics) file ({_one_line(exc)}).") from None
    if not calendars or not any(c.name == "VCALENDAR" for c in calendars):
        if b"BEGIN:VCALENDAR" in data.upper():
            raise InvalidInput(f"{source}: this iCalendar (.ics) file ends before its END:VCALENDAR line; is it cut short?")
        raise InvalidInput(f"{source}: this is not an iCalendar (.ics) file: it has no BEGIN:VCALENDAR.")
    found: list[Interval] = []
    for calendar in calendars:
        floating = _calendar_zone(calendar) or tz
        series, single = _split(calendar, source)
        window = (start - _MARGIN, end + _MARGIN)
        try:
            occurrences = recurring_ical_events.of(series).between(*window) if series else []
        except Exception as exc:  # the library's errors for a broken series have no common base
            raise InvalidInput(
                f"{source}: cannot expand {_culprit(series, window)} ({_one_line(exc)}); fix or remove that event."
            ) from None
        found += [_interval(event, tz, source) for event in occurrences if _busy(event)]
        found += [_interval(event, tz, source, floating) for event in single if _busy(event)]
    return found


def _culprit(series, window) -> str:
    """The first recurring event that the library cannot expand on its own, named; for the message."""
    import recurring_ical_events

    for event in (c for c in series.subcomponents if c.name == "VEVENT"):
        alone = series.copy()
        alone.subcomponents = [c for c in series.subcomponents if c.name != "VEVENT" or c is event]
        try:
            recurring_ical_events.of(alone).between(*window)
        except Exception:  # noqa: BLE001 - the same failure, now with a name
            return f"event {_name(event)}"
    return "the recurring events of this calendar"


def _calendar_zone(calendar) -> ZoneInfo | None:
    """The calendar's X-WR-TIMEZONE, made one x-wr-timezone can read; where its one-off floating times are.

    A Windows name becomes its IANA zone and anything else no zone database
    knows is dropped: a calendar app that cannot read the header ignores it,
    where x-wr-timezone would refuse the whole file.
    """
    named = calendar.get("X-WR-TIMEZONE")
    if named is None:
        return None
    try:
        return ZoneInfo(str(named))
    except Exception:  # noqa: BLE001 - ZoneInfo raises several kinds for a bad key
        pass
    from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

    del calendar["X-WR-TIMEZONE"]
    if str(named) not in WINDOWS_TO_OLSON:
        return None
    calendar.add("X-WR-TIMEZONE", WINDOWS_TO_OLSON[str(named)])
    return ZoneInfo(WINDOWS_TO_OLSON[str(named)])


_RECURRING = ("RRULE", "RDATE", "EXDATE", "RECURRENCE-ID")
_TOO_OFTEN = {"SECONDLY": "every second", "MINUTELY": "every minute"}


def _split(calendar, source: str):
    """The calendar's recurring series (with their moved instances), and its one-off events.

    Only the series go through recurring-ical-events: a one-off event is its
    own only occurrence, and its instant is the same whatever X-WR-TIMEZONE
    says, so reading it directly gives the same busy time for much less work.
    Returns None for the series when the calendar has none.
    """
    events = [c for c in calendar.subcomponents if c.name == "VEVENT"]
    for e in events:
        try:
            rules = e.get("RRULE") if isinstance(e.get("RRULE"), list) else [e.get("RRULE")] if "RRULE" in e else []
            frequencies = [(rule, str((rule.get("FREQ") or [""])[0]).upper()) for rule in rules]
        except Exception as exc:  # icalendar raises on first use of a property it could not parse
            raise InvalidInput(f"{source}: cannot expand event {_name(e)} ({_one_line(exc)}); fix or remove that event.") from None
        for rule, freq in frequencies:
            # Expanding one is counted from its first instance: minutes of CPU and gigabytes for nothing.
            often = _TOO_OFTEN.get(freq) or (
                "more often than every 15 minutes" if per_day(rule.to_ical().decode(errors="replace")) > MAX_PER_DAY else None
            )
            if often:
                raise InvalidInput(
                    f"{source}: event {_name(e)} repeats {often}, which no calendar app makes; remove that event or "
                    f"give it a daily or weekly rule."
                )
    for e in events:
        if isinstance(e.get("DTSTART"), list):
            raise InvalidInput(f"{source}: event {_name(e)} has two DTSTART lines; an event has one start.")
    recurring = {str(e.get("UID")) for e in events if any(name in e for name in _RECURRING)}
    for e in events:
        if str(e.get("UID")) in recurring and "DTSTART" not in e:
            raise InvalidInput(f"{source}: event {_name(e)} has no DTSTART; every event needs a start.")
    single = [e for e in events if str(e.get("UID")) not in recurring]
    if not recurring:
        return None, single
    if not single:
        return calendar, []
    series = calendar.copy()  # the properties (X-WR-TIMEZONE among them), without components
    keep = {id(e) for e in single}
    series.subcomponents = [c for c in calendar.subcomponents if id(c) not in keep]
    return series, single


def merge(intervals: list[Interval]) -> list[Interval]:
    """Sorted, with overlapping or touching intervals joined."""
    out: list[Interval] = []
    for a, b in sorted(intervals, key=lambda ab: (ab[0].timestamp(), ab[1].timestamp())):
        if out and a <= out[-1][1]:
            if b > out[-1][1]:
                out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _busy(event) -> bool:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return False
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return str(event.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper() != "FREE"


def _interval(event, tz: ZoneInfo, source: str, floating: ZoneInfo | None = None) -> Interval:
    """The event's start and end as instants: dates in ``tz``, floating times in ``floating`` (default ``tz``)."""
    if "DTSTART" not in event:
        raise InvalidInput(f"{source}: event {_name(event)} has no DTSTART; every event needs a start.")
    try:
        start = event["DTSTART"].dt
        if "DTEND" in event:
            end = event["DTEND"].dt
        elif "DURATION" in event:
            end = start + event["DURATION"].dt
        else:
            end = start + timedelta(days=1) if not isinstance(start, datetime) else start  # RFC 5545 3.6.1
        return _instant(start, tz, floating or tz), _instant(end, tz, floating or tz)
    except Exception as exc:  # icalendar raises on first use of a value it could not parse, or mixes date and time
        raise InvalidInput(
            f"{source}: event {_name(event)} has a start, end or duration that cannot be read ({_one_line(exc)}); "
            f"write it as 20260511T090000, 20260511 or PT1H."
        ) from None


def _instant(value: date | datetime, tz: ZoneInfo, floating: ZoneInfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tz)
    return value.replace(tzinfo=floating) if value.tzinfo is None else value


def _name(event) -> str:
    summary, uid = event.get("SUMMARY"), event.get("UID")
    if summary and uid:
        return f"{str(summary)!r} (UID {uid})"
    return repr(str(summary)) if summary else f"UID {uid}" if uid else "without a SUMMARY or UID"


def _one_line(exc: BaseException, limit: int = 160) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"
