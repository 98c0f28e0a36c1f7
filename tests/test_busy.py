"""Busy time read from .ics files as Google, Outlook and Apple write them.

Each fixture holds the cases a real calendar has: recurring meetings with
exceptions, a moved and a cancelled instance, other zones, all-day events,
free (transparent) events, floating times, and a week with a clock change.
The expected intervals are written out by hand in the plan's zone, and a
property test checks recurring meetings in one zone read in another, across
clock changes on either side.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncplan.busy import merge, read_busy
from syncplan.errors import InvalidInput

BUSY = Path(__file__).parent / "fixtures" / "busy"
LONDON = ZoneInfo("Europe/London")


def week(zone: ZoneInfo, monday: tuple[int, int, int]) -> tuple[datetime, datetime]:
    start = datetime(*monday, tzinfo=zone)
    return start, datetime.combine(start.date() + timedelta(days=7), start.time(), zone)


def read(name: str, monday=(2026, 3, 23), zone: ZoneInfo = LONDON) -> list[tuple[str, str]]:
    start, end = week(zone, monday)
    intervals = read_busy((BUSY / name).read_bytes(), start, end, zone, name)
    return [(a.strftime("%a %d %H:%M %Z"), b.strftime("%a %d %H:%M %Z")) for a, b in intervals]


def test_google_export_recurrence_exceptions_all_day_and_dst_week():
    assert read("google.ics") == [
        ("Mon 23 09:30 GMT", "Mon 23 09:45 GMT"),  # daily stand-up (the 13:00 focus time is marked free)
        ("Tue 24 09:30 GMT", "Tue 24 09:45 GMT"),
        ("Tue 24 12:00 GMT", "Tue 24 13:00 GMT"),  # lunch, written in UTC
        # Wed: the stand-up is an EXDATE
        ("Thu 26 14:00 GMT", "Thu 26 14:15 GMT"),  # Thursday's instance moved by RECURRENCE-ID
        # Fri: that instance is cancelled; the all-day birthday is transparent
        ("Sat 28 00:00 GMT", "Sun 29 00:00 GMT"),  # an all-day offsite
        ("Sun 29 10:00 BST", "Sun 29 11:30 BST"),  # after the clocks went forward
    ]


def test_outlook_windows_zone_names_free_status_and_all_day():
    assert read("outlook.ics") == [
        ("Mon 23 10:00 GMT", "Mon 23 11:00 GMT"),  # 11:00 in "W. Europe Standard Time"
        ("Wed 25 10:00 GMT", "Wed 25 11:00 GMT"),
        # Tue: TRANSP:TRANSPARENT; Thu: X-MICROSOFT-CDO-BUSYSTATUS:FREE alone
        ("Fri 27 00:00 GMT", "Sat 28 00:00 GMT"),  # out of office all day, in the plan's zone
        ("Sun 29 07:00 BST", "Sun 29 08:00 BST"),  # 08:00 CEST, both zones have just changed
    ]


def test_apple_rdate_floating_other_zones_and_cancelled():
    assert read("apple.ics", monday=(2026, 3, 16)) == [
        # New York has moved its clocks and London not yet: 10:00 EDT is 14:00 in London, not 15:00
        ("Mon 16 14:00 GMT", "Mon 16 14:30 GMT"),
        ("Thu 19 16:00 GMT", "Thu 19 16:30 GMT"),  # an RDATE of the physio series
        ("Fri 20 08:30 GMT", "Fri 20 09:30 GMT"),  # floating: wall-clock time in the plan's zone
        ("Sat 21 00:00 GMT", "Sat 21 01:00 GMT"),  # 09:00 in Tokyo
        # Wed: the yoga class is cancelled
    ]


def test_floating_and_all_day_times_follow_the_plans_zone():
    la = ZoneInfo("America/Los_Angeles")
    start, end = week(la, (2026, 3, 16))
    intervals = read_busy((BUSY / "apple.ics").read_bytes(), start, end, la, "apple.ics")
    dentist = [(a, b) for a, b in intervals if a.strftime("%a %H:%M") == "Fri 08:30"]
    assert dentist == [(datetime(2026, 3, 20, 8, 30, tzinfo=la), datetime(2026, 3, 20, 9, 30, tzinfo=la))]
    start, end = week(la, (2026, 3, 23))
    intervals = read_busy((BUSY / "outlook.ics").read_bytes(), start, end, la, "outlook.ics")
    assert (datetime(2026, 3, 27, tzinfo=la), datetime(2026, 3, 28, tzinfo=la)) in intervals  # the holiday


def test_events_are_clipped_to_the_window_and_merged():
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260322T220000Z\r\nDTEND:20260323T010000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260323T090000Z\r\nDURATION:PT1H\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:c\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260323T093000Z\r\nDTEND:20260323T110000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:d\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260323T110000Z\r\nDTEND:20260323T113000Z\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:e\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260324T080000Z\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    start, end = week(LONDON, (2026, 3, 23))
    got = read_busy(text.encode(), start, end, LONDON, "x.ics")
    assert got == [
        (datetime(2026, 3, 23, 0, 0, tzinfo=LONDON), datetime(2026, 3, 23, 1, 0, tzinfo=LONDON)),
        (datetime(2026, 3, 23, 9, 0, tzinfo=LONDON), datetime(2026, 3, 23, 11, 30, tzinfo=LONDON)),
    ]  # an event with only a DTSTART takes no time


def test_merge_joins_touching_intervals_across_zones():
    utc = timezone.utc
    a = (datetime(2026, 6, 1, 9, tzinfo=utc), datetime(2026, 6, 1, 10, tzinfo=utc))
    b = (datetime(2026, 6, 1, 11, tzinfo=LONDON), datetime(2026, 6, 1, 12, tzinfo=LONDON))  # 10:00 UTC
    assert merge([b, a]) == [(a[0], b[1])]


@pytest.mark.parametrize(
    "data, says",
    [
        (b"this is not a calendar", "not an iCalendar (.ics) file"),
        (b"", "not an iCalendar (.ics) file"),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Broken\r\n"
            b"DTSTART:20260323T090000Z\r\nRRULE:FREQ=SOMETIMES\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "cannot expand event 'Broken' (UID x)",
        ),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Cut\r\nDTSTART:20260323T090000Z\r\nEND:VEVENT\r\n",
            "ends before its END:VCALENDAR line",
        ),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Physio\r\n"
            b"RDATE:20260324T090000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "event 'Physio' (UID x) has no DTSTART",
        ),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Twice\r\nDTSTART:20260323T090000Z\r\n"
            b"DTSTART:20260323T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "event 'Twice' (UID x) has two DTSTART lines",
        ),
        (
            b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Spaced\r\nDTSTART:20260323T090000Z\r\n"
            b"RRULE:FREQ=DAILY; INTERVAL=2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "cannot expand event 'Spaced' (UID x)",
        ),
        (bytes(range(256)) * 8, "not an iCalendar (.ics) file"),
        # One-off events with values icalendar cannot parse (they used to end in a traceback).
        *[
            (
                b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Odd\r\n" + line + b"\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                "event 'Odd' (UID x) has a start, end or duration that cannot be read",
            )
            for line in (
                b"DTSTART:2026-05-11 09:00",
                b"DTSTART:20260511T090000Z\r\nDTEND:2026-05-11T10:00",
                b"DTSTART:20260511T090000Z\r\nDURATION:1 hour",
                b"DTSTART;VALUE=DATE:2026-05-11",
                b"DTSTART;TZID=Europe/Berlin:20260511 0900",
            )
        ],
    ],
)
def test_a_bad_calendar_is_one_paragraph_naming_the_file(data, says):
    start, end = week(LONDON, (2026, 3, 23))
    with pytest.raises(InvalidInput) as caught:
        read_busy(data, start, end, LONDON, "work.ics")
    message = str(caught.value)
    assert message.startswith("work.ics: ") and says in message and "\n" not in message
    assert len(message) < 400


def test_an_x_wr_timezone_with_a_windows_name_is_read_as_its_iana_zone():
    """x-wr-timezone refuses a name no zone database knows; a calendar app maps or ignores it."""
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-TIMEZONE:W. Europe Standard Time\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260323T090000\r\nDTEND:20260323T100000\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260324T120000Z\r\nDTEND:20260324T130000Z\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    ).encode()
    start, end = week(LONDON, (2026, 3, 23))
    got = read_busy(data, start, end, LONDON, "work.ics")
    berlin = ZoneInfo("Europe/Berlin")
    assert (datetime(2026, 3, 23, 9, tzinfo=berlin), datetime(2026, 3, 23, 10, tzinfo=berlin)) in [
        (a.astimezone(berlin), b.astimezone(berlin)) for a, b in got
    ]
    assert len(got) == 2


def test_reading_busy_time_imports_no_google_code():
    before = set(sys.modules)
    read("google.ics")
    assert not [m for m in set(sys.modules) - before if m.startswith(("googleapiclient", "google.auth", "google_auth"))]


ZONES = ["Europe/London", "America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo"]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    event_zone=st.sampled_from(ZONES),
    plan_zone=st.sampled_from(ZONES),
    first=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 1)),
    hour=st.integers(7, 21),
    minutes=st.sampled_from([15, 30, 60, 90]),
    daily=st.booleans(),
    skip=st.integers(0, 9),
    week_offset=st.integers(0, 3),
)
def test_a_recurring_meeting_lands_on_its_wall_clock_time_in_its_own_zone(
    event_zone, plan_zone, first, hour, minutes, daily, skip, week_offset
):
    """Every occurrence is at the same wall-clock time in the event's zone, whatever the plan's zone and the clocks do."""
    ez, pz = ZoneInfo(event_zone), ZoneInfo(plan_zone)
    step = timedelta(days=1 if daily else 7)
    walls = [datetime.combine(first + k * step, time(hour), ez) for k in range(40)]
    excluded = walls[skip]
    text = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT", "UID:meeting", "DTSTAMP:20260101T000000Z",
        f"DTSTART;TZID={event_zone}:{walls[0]:%Y%m%dT%H%M%S}",
        f"DURATION:PT{minutes}M",
        f"RRULE:FREQ={'DAILY' if daily else 'WEEKLY'};COUNT=40",
        f"EXDATE;TZID={event_zone}:{excluded:%Y%m%dT%H%M%S}",
        "SUMMARY:Meeting", "END:VEVENT", "END:VCALENDAR", "",
    ])
    monday = first - timedelta(days=first.weekday()) + timedelta(weeks=week_offset)
    start = datetime.combine(monday, time(0), pz)
    end = datetime.combine(monday + timedelta(days=7), time(0), pz)
    got = read_busy(text.encode(), start, end, pz, "meeting.ics")
    expected = merge([
        (max(w, start), min(w + timedelta(minutes=minutes), end))
        for w in walls
        if w != excluded and w < end and w + timedelta(minutes=minutes) > start
    ])
    assert [(a.astimezone(timezone.utc), b.astimezone(timezone.utc)) for a, b in got] == [
        (a.astimezone(timezone.utc), b.astimezone(timezone.utc)) for a, b in expected
    ]


def _library_only(data: bytes, start: datetime, end: datetime, tz: ZoneInfo) -> list:
    """What read_busy gives when every event goes through recurring-ical-events (the reference)."""
    import icalendar
    import recurring_ical_events

    from syncplan.busy import _busy, _interval

    found = []
    for calendar in icalendar.Calendar.from_ical(data, multiple=True):
        for event in recurring_ical_events.of(calendar).between(start - timedelta(days=2), end + timedelta(days=2)):
            if _busy(event):
                found.append(_interval(event, tz, "x"))
    clipped = [(max(a, start), min(b, end)) for a, b in found if a < b and a < end and b > start]
    return merge([(a.astimezone(tz), b.astimezone(tz)) for a, b in clipped])


@pytest.mark.parametrize("name", ["google.ics", "outlook.ics", "apple.ics"])
@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Asia/Kolkata"])
def test_one_off_events_read_directly_give_the_same_busy_time_as_the_library(name, zone):
    """read_busy hands only recurring series to the library; the answer must not change."""
    data = (Path(__file__).parent / "fixtures" / "busy" / name).read_bytes()
    tz = ZoneInfo(zone)
    for first in (date(2026, 3, 16), date(2026, 3, 23), date(2026, 10, 19), date(2026, 10, 26)):
        start = datetime.combine(first, time(0), tz)
        end = start + timedelta(days=7)
        assert read_busy(data, start, end, tz, name) == _library_only(data, start, end, tz)


SIXTY = ",".join(str(i) for i in range(60))


@pytest.mark.parametrize(
    "freq, extra",
    [
        ("SECONDLY", ""),
        ("MINUTELY", ""),
        # The same flood written with BY-lists: a daily or hourly rule that fires every second.
        (f"DAILY;BYHOUR={','.join(str(i) for i in range(24))};BYMINUTE={SIXTY};BYSECOND={SIXTY}", ""),
        (f"DAILY;BYHOUR={','.join(str(i) for i in range(24))};BYMINUTE={SIXTY};BYSECOND={SIXTY}", "RDATE:20260101T000000Z\r\n"),
        (f"HOURLY;BYMINUTE={SIXTY};BYSECOND={SIXTY}", ""),
        (f"HOURLY;BYMINUTE={SIXTY}", ""),
    ],
)
def test_a_series_repeating_every_second_or_minute_is_refused_at_once(freq, extra):
    """Expanding one from its first instance took 40 s of CPU (and 5 GB) for a single week; no calendar app writes them."""
    data = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:flood@example.com\r\n"
        f"DTSTART:20200101T000000Z\r\nDTEND:20200101T000001Z\r\nRRULE:FREQ={freq}\r\n{extra}SUMMARY:Flood\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    utc = ZoneInfo("UTC")
    with pytest.raises(InvalidInput) as caught:
        read_busy(data, datetime(2026, 5, 11, tzinfo=utc), datetime(2026, 5, 18, tzinfo=utc), utc, "feed.ics")
    message = str(caught.value)
    assert message.startswith("feed.ics: event 'Flood' (UID flood@example.com) repeats ")
    assert "every" in message and "\n" not in message
