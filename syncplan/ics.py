"""Events -> iCalendar bytes, and the write that leaves unchanged files alone.

syncplan writes one fixed shape of calendar, so it writes the content lines
itself: building icalendar's component tree took most of a 52-week export's
time. The tests read every file back with icalendar, vobject and ical.js.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple

from syncplan import __version__
from syncplan.events import Event
from syncplan.errors import InvalidInput
from syncplan.files import read_existing, write_output
from syncplan.plan import MAX_SESSIONS
from syncplan.rfc5545 import escape_text, fold, local_stamp, utc_stamp
from syncplan.vtimezone import vtimezone

PRODID = f"-//syncplan//syncplan {__version__}//EN"
UID_DOMAIN = "@syncplan"
_END = b"END:VCALENDAR\r\n"


# --keep-past reads at most this much of the file it rewrites: a weekly feed
# with years of history stays well under it (about 1 kB an event).
KEEP_PAST_BYTES = 8_000_000
KEPT_PER_WEEK = MAX_SESSIONS + 7  # the plan's sessions, and a rest-day note a day


class KeptEvent(NamedTuple):
    """A past event carried over from the previous file (``--keep-past``), as syncplan would write it."""

    event: Event
    stamp: str  # its DTSTAMP as first written

    @property
    def start(self) -> datetime:
        return self.event.start


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
    years = [e.start.year for e in events] + [k.start.year for k in kept] or [now.year]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{escape_text(PRODID)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(calendar_name)}",
        f"X-WR-TIMEZONE:{escape_text(tz)}",
        *vtimezone(tz, min(years), max(years) + 1),
    ]
    for past in sorted(kept, key=lambda k: k.start):
        lines += _vevent(past.event, past.stamp, private)
    stamp = utc_stamp(now)
    for event in events:
        lines += _vevent(event, stamp, private)
    return b"".join(fold(line.encode()) + b"\r\n" for line in lines) + _END


def _vevent(event: Event, stamp: str, private: bool) -> list[str]:
    summary = escape_text(event.summary)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(event.uid)}",
        f"DTSTAMP:{stamp}",
        *_span(event),
        f"SUMMARY:{summary}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(escape_text(c) for c in event.categories))
    if private:
        lines.append("CLASS:PRIVATE")
    lines.append("TRANSP:TRANSPARENT" if event.transparent else "TRANSP:OPAQUE")
    for minutes in event.reminders:
        trigger = f"-PT{minutes}M" if minutes else "PT0S"
        lines += ["BEGIN:VALARM", "ACTION:DISPLAY", f"DESCRIPTION:{summary}", f"TRIGGER:{trigger}", "END:VALARM"]
    lines.append("END:VEVENT")
    return lines


def _span(event: Event) -> list[str]:
    if event.all_day:
        return [f"DTSTART;VALUE=DATE:{local_stamp(event.start)[:8]}", f"DTEND;VALUE=DATE:{local_stamp(event.end)[:8]}"]
    return [_when("DTSTART", event.start), _when("DTEND", event.end)]


def _when(name: str, moment: datetime) -> str:
    """A session time in its zone; in UTC when it falls in the repeated hour of a fall-back day.

    RFC 5545 says such a local time means its first occurrence, but readers
    differ (vobject takes the second), and a session ending in the second one
    would seem to end before it starts. UTC leaves nothing to interpret.
    """
    if moment.replace(fold=0).utcoffset() != moment.replace(fold=1).utcoffset():
        return f"{name}:{utc_stamp(moment)}"
    return f"{name};TZID={moment.tzinfo.key}:{local_stamp(moment)}"


def past_events(
    old: bytes | None, tz: str, before: datetime, weeks: int, private: bool, shown: Path | None = None
) -> list[KeptEvent]:
    """Our own events of the ``weeks`` weeks before ``before``, from the file being replaced.

    A feed that cron rewrites every week then keeps the athlete's history.
    Only events syncplan wrote (its UID domain), in the same zone, and of the
    same kind of feed (busy-only or full) are kept, so a busy-only feed never
    inherits the details of a full one. Each is rebuilt from the fields
    syncplan writes and nothing else: whatever else the file gained (X-
    properties, e-mail alarms, attendees) is not ours to publish again. The
    file read and the number kept are bounded; a file over the limit is exit 2.
    """
    if not old or weeks <= 0:
        return []
    if len(old) > KEEP_PAST_BYTES:
        raise InvalidInput(
            f"{shown or 'the output file'}: larger than the {KEEP_PAST_BYTES // 1_000_000} MB that --keep-past reads, "
            f"so it is not a feed syncplan wrote; export without --keep-past, or to another file. Nothing was written."
        )
    since = before - timedelta(weeks=weeks)
    from zoneinfo import ZoneInfo

    from icalendar import Event as VEvent

    zone = ZoneInfo(tz)
    kept: dict[str, KeptEvent] = {}
    for block in _vevent_blocks(old):
        if UID_DOMAIN.encode() not in block:
            continue  # not ours: skip the parse
        try:
            ve = VEvent.from_ical(block.decode("utf-8"))
            past = _rebuilt(ve, zone, private)
        except Exception:  # a file we cannot parse is not ours to carry over
            continue
        if past is not None and since <= past.start < before and past.event.uid not in kept:
            kept[past.event.uid] = past
    latest = sorted(kept.values(), key=lambda k: k.start)
    return latest[-weeks * KEPT_PER_WEEK :]


def placed_week(old: bytes | None, plan, week, busy_only: bool) -> tuple | None:
    """The sessions of ``week`` as the feed being rewritten holds them, when it holds that week.

    The weekly run places its first week next to the week before; reading
    that week back from last run's file (instead of placing it again) keeps
    the two as they are in the athlete's calendar. None when the file has
    none of that week's events.
    """
    from syncplan.busy_quick import timed_events
    from syncplan.events import feed_identity
    from syncplan.placing import held_week

    found = timed_events(old) if old else None
    if not found:
        return None
    return held_week(plan, week, found, feed_identity(plan.identity, busy_only))


def _rebuilt(ve, zone, private: bool) -> KeptEvent | None:
    """The event as syncplan writes it, from the parsed fields it writes; None when it is not one of ours."""
    uid = str(ve["UID"])
    if not uid.endswith(UID_DOMAIN) or ve["DTSTART"].params.get("TZID", zone.key) != zone.key:
        return None
    if (str(ve.get("CLASS", "")).upper() == "PRIVATE") != private:
        return None
    start, end = ve["DTSTART"].dt, ve["DTEND"].dt
    all_day = type(start) is date
    if all_day:  # a rest-day note: midnight in the plan's zone
        start, end = (datetime.combine(d, time(), zone) for d in (start, end))
    if not isinstance(start, datetime) or start.tzinfo is None or not isinstance(end, datetime) or end.tzinfo is None:
        return None
    categories = ve.get("CATEGORIES")
    categories = [categories] if categories is not None and not isinstance(categories, list) else categories or []
    event = Event(
        uid=uid,
        plan="",
        key="",
        start=start.astimezone(zone),
        end=end.astimezone(zone),
        summary=str(ve.get("SUMMARY", "")),
        # a busy-only feed never carries details or alarms, whatever the old file held
        description="" if private else str(ve.get("DESCRIPTION", "")),
        categories=() if private else tuple(str(c) for group in categories for c in group.cats),
        reminders=() if private else tuple(_reminders(ve)),
        all_day=all_day,
        transparent=str(ve.get("TRANSP", "")).upper() == "TRANSPARENT",
    )
    stamp = ve.get("DTSTAMP")
    when = stamp.dt if stamp is not None else None
    return KeptEvent(event, utc_stamp(when) if isinstance(when, datetime) and when.tzinfo else "19700101T000000Z")


def _reminders(ve) -> list[int]:
    """Minutes before the start of each display alarm; any other kind of alarm is dropped."""
    minutes = []
    for alarm in ve.walk("VALARM"):
        trigger = alarm.get("TRIGGER")
        delta = getattr(trigger, "dt", None)
        if str(alarm.get("ACTION", "")).upper() != "DISPLAY" or not isinstance(delta, timedelta):
            continue
        before = -delta.total_seconds() / 60
        if before >= 0 and before == int(before):
            minutes.append(int(before))
    return minutes


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
