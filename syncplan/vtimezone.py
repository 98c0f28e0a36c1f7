"""VTIMEZONE components in the usual RRULE form.

icalendar can derive a VTIMEZONE from zoneinfo, but as long RDATE lists that
vobject and ical.js (Thunderbird) misread: Europe/London events near the March
change come out an hour early. Calendar apps all read the classic form, one
STANDARD and one DAYLIGHT observance with a yearly RRULE, so that is what we
write, falling back to one observance per change where no yearly rule fits.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from syncplan.rfc5545 import escape_text, local_stamp, utc_offset, utc_stamp
from syncplan.week import offset_changes


def vtimezone(key: str, first_year: int, last_year: int) -> list[str]:
    """The content lines of a VTIMEZONE valid for local times from ``first_year`` to ``last_year``."""
    tz = ZoneInfo(key)
    span_start = datetime(first_year - 1, 1, 1, tzinfo=timezone.utc)
    span_end = datetime(last_year + 2, 1, 1, tzinfo=timezone.utc)
    changes = offset_changes(tz, span_start, span_end, step=timedelta(days=7))

    component = ["BEGIN:VTIMEZONE", f"TZID:{key}"]
    if not changes or changes[0][0] > datetime(first_year - 1, 12, 31, tzinfo=timezone.utc):
        # Nothing states the offset before the first change (Caracas before May
        # 2016, say); readers would guess, so say it.
        initial = span_start.astimezone(tz)
        offset = initial.utcoffset()
        start = initial.replace(tzinfo=None, month=1, day=1, hour=0, minute=0)
        component += _observance(bool(initial.dst()), start, offset, offset, initial.tzname())

    groups: dict[tuple, list[tuple[datetime, datetime]]] = {}
    for when, before, after in changes:
        local_after = when.astimezone(tz)
        group = (bool(local_after.dst()), before, after, local_after.tzname())
        onset = (when + before).replace(tzinfo=None)  # local time in the old offset
        groups.setdefault(group, []).append((onset, when))

    for (is_dst, before, after, name), pairs in groups.items():
        onsets = [onset for onset, _ in pairs]
        rule = _yearly_rule(onsets)
        if rule and onsets[-1].year < last_year + 1:
            # The zone dropped this rule inside the span. UNTIL sits a day past the
            # last onset: vobject compares it with the local onset as if both were
            # UTC, and would drop that last change in zones east of Greenwich.
            rule += f";UNTIL={utc_stamp(pairs[-1][1] + timedelta(days=1))}"
        if rule:
            component += _observance(is_dst, onsets[0], before, after, name, rule)
        else:
            for onset in onsets:
                component += _observance(is_dst, onset, before, after, name)
    return [*component, "END:VTIMEZONE"]


def _observance(is_dst, onset: datetime, before, after, name, rule=None) -> list[str]:
    kind = "DAYLIGHT" if is_dst else "STANDARD"
    lines = [f"BEGIN:{kind}", f"DTSTART:{local_stamp(onset)}", f"TZOFFSETFROM:{utc_offset(before)}", f"TZOFFSETTO:{utc_offset(after)}"]
    if name:
        lines.append(f"TZNAME:{escape_text(name)}")
    if rule:
        lines.append(f"RRULE:{rule}")
    return [*lines, f"END:{kind}"]


def _yearly_rule(onsets: list[datetime]) -> str | None:
    """FREQ=YEARLY;BYMONTH=m;BYDAY=nDD when every onset (two or more) follows it, once a year."""
    if len(onsets) < 2:
        return None
    first = onsets[0]
    years = [o.year for o in onsets]
    if years != list(range(first.year, first.year + len(onsets))):
        return None
    if any((o.month, o.weekday(), o.time()) != (first.month, first.weekday(), first.time()) for o in onsets):
        return None
    weekday = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")[first.weekday()]
    if all(o.day + 7 > calendar.monthrange(o.year, o.month)[1] for o in onsets):
        nth = -1
    else:
        ordinals = {(o.day - 1) // 7 + 1 for o in onsets}
        if len(ordinals) != 1:
            return None
        nth = ordinals.pop()
    return f"FREQ=YEARLY;BYMONTH={first.month};BYDAY={nth}{weekday}"
