"""The quick reader gives the libraries' busy time, on random calendars.

``busy_quick.py`` reads plain events itself and hands the rest to icalendar
and recurring-ical-events. The reference here is what ``read_busy`` gave
before it: the whole file read by the libraries (``_read_with_libraries``).
Calendars are drawn around
the 2026 clock changes (London, New York, Sydney), with times in UTC,
floating, all-day and in IANA zones, DTEND or DURATION or neither, daily and
weekly rules with COUNT, UNTIL, INTERVAL and BYDAY, EXDATEs, X-WR-TIMEZONE,
free and cancelled events, shared UIDs, and now and then what only the
libraries read (RDATE, a moved instance, a Windows zone name).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from syncplan import busy_quick
from syncplan.busy import _read_with_libraries, merge, read_busy
from tests.test_busy import _library_only

EXAMPLES = int(os.environ.get("SYNCPLAN_BUSY_EXAMPLES", "400"))
ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]
# Mondays of weeks with a clock change somewhere in ZONES, and a quiet one.
MONDAYS = [date(2026, 3, 23), date(2026, 3, 2), date(2026, 10, 19), date(2026, 10, 26), date(2026, 3, 30), date(2026, 6, 8)]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def moments(draw, monday: date):
    """A wall-clock moment near the week, often in the small hours when clocks change."""
    day = monday + timedelta(days=draw(st.integers(-20, 9)))
    hour = draw(st.sampled_from([0, 1, 2, 3, 9, 12, 17, 23]))
    return datetime.combine(day, time(hour, draw(st.sampled_from([0, 15, 30, 45]))))


def stamp(moment: datetime, form: str, zone: str) -> str:
    """A DTSTART-style property tail (";params:value") for a moment in one of the forms."""
    if form == "date":
        return f";VALUE=DATE:{moment:%Y%m%d}"
    if form == "utc":
        return f":{moment:%Y%m%dT%H%M%S}Z"
    if form == "floating":
        return f":{moment:%Y%m%dT%H%M%S}"
    if form == "windows":
        return f";TZID=W. Europe Standard Time:{moment:%Y%m%dT%H%M%S}"
    return f";TZID={zone}:{moment:%Y%m%dT%H%M%S}"


@st.composite
def events(draw, monday: date, uid: str):
    form = draw(st.sampled_from(["utc", "floating", "zone", "zone", "date", "windows"]))
    zone = draw(st.sampled_from(ZONES))
    first = draw(moments(monday))
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", f"DTSTART{stamp(first, form, zone)}"]
    end = draw(st.sampled_from(["dtend", "other-zone", "duration", "days", "none"]))
    if end == "dtend":
        lines.append(f"DTEND{stamp(first + timedelta(minutes=draw(st.sampled_from([15, 60, 150]))), form, zone)}")
    elif end == "other-zone" and form not in ("date", "floating"):
        lines.append(f"DTEND;TZID={draw(st.sampled_from(ZONES))}:{first + timedelta(hours=1):%Y%m%dT%H%M%S}")
    elif end == "duration":
        lines.append(f"DURATION:PT{draw(st.sampled_from([30, 90, 240]))}M" if form != "date" else "DURATION:P1D")
    elif end == "days":
        lines.append(f"DURATION:P{draw(st.integers(1, 2))}D")
    if draw(st.booleans()):
        rule = [f"FREQ={draw(st.sampled_from(['DAILY', 'WEEKLY']))}"]
        if draw(st.booleans()):
            rule.append(f"INTERVAL={draw(st.integers(2, 3))}")
        if draw(st.booleans()):
            rule.append("BYDAY=" + ",".join(draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))))
        limit = draw(st.sampled_from(["count", "until", "none"]))
        if limit == "count":
            rule.append(f"COUNT={draw(st.integers(1, 30))}")
        elif limit == "until":
            until = first + timedelta(days=draw(st.integers(0, 30)))
            rule.append(f"UNTIL={until:%Y%m%d}" if form == "date" else f"UNTIL={until:%Y%m%dT%H%M%S}" + ("" if form == "floating" else "Z"))
        lines.append("RRULE:" + ";".join(rule))
        for k in draw(st.lists(st.integers(0, 25), max_size=3, unique=True)):
            off = timedelta(hours=draw(st.sampled_from([0, 0, 1, -1])))  # an EXDATE an hour out, as after a clock change
            ex_form = draw(st.sampled_from([form, form, "utc", "zone"])) if form != "date" else form
            lines.append(f"EXDATE{stamp(first + timedelta(days=k) + off, ex_form, zone)}")
    extra = draw(st.sampled_from(["", "", "", "TRANSP:TRANSPARENT", "STATUS:CANCELLED", "X-MICROSOFT-CDO-BUSYSTATUS:FREE",
                                  "STATUS:CONFIRMED", "RDATE", "RECURRENCE-ID"]))
    if extra == "RDATE":
        lines.append(f"RDATE{stamp(first + timedelta(days=3), form, zone)}")
    elif extra == "RECURRENCE-ID":
        lines.append(f"RECURRENCE-ID{stamp(first, form, zone)}")
    elif extra:
        lines.append(extra)
    lines += ["SUMMARY:Busy", "END:VEVENT"]
    return lines


@st.composite
def calendars(draw):
    monday = draw(st.sampled_from(MONDAYS))
    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN"]
    wr = draw(st.sampled_from([None, None, "Europe/London", "America/New_York"]))
    if wr:
        head.append(f"X-WR-TIMEZONE{draw(st.sampled_from(['', ';VALUE=TEXT']))}:{wr}")
    body = []
    for _ in range(draw(st.integers(1, 6))):
        body += draw(events(monday, draw(st.sampled_from(["a", "b", "c", "d", "e", "f"]))))
    return monday, "\r\n".join([*head, *body, "END:VCALENDAR", ""]).encode()


def libraries(data: bytes, start: datetime, end: datetime, tz: ZoneInfo) -> list:
    found = _read_with_libraries(data, start, end, tz, "x.ics")
    clipped = [(max(a, start), min(b, end)) for a, b in found if a < b and a < end and b > start]
    return merge([(a.astimezone(tz), b.astimezone(tz)) for a, b in clipped])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(drawn=calendars(), plan_zone=st.sampled_from(ZONES))
def test_the_quick_reader_gives_the_libraries_answer(drawn, plan_zone):
    monday, data = drawn
    tz = ZoneInfo(plan_zone)
    start = datetime.combine(monday, time(0), tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tz)
    try:
        expected = libraries(data, start, end, tz)
    except Exception:  # noqa: BLE001 - a calendar the libraries cannot read is not a reference
        event("the libraries refuse it")
        return
    quick = busy_quick.read(data, start, end, tz)
    event("read whole" if quick is None else "all quick" if not quick[1] else "quick, some for the libraries")
    got = read_busy(data, start, end, tz, "x.ics")
    assert [(a.astimezone(timezone.utc), b.astimezone(timezone.utc)) for a, b in got] == [
        (a.astimezone(timezone.utc), b.astimezone(timezone.utc)) for a, b in expected
    ]


def plain_calendar() -> bytes:
    return "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "X-WR-TIMEZONE:Europe/London",
        "BEGIN:VEVENT", "UID:standup", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Europe/London:20260302T093000",
        "DTEND;TZID=Europe/London:20260302T094500", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "EXDATE;TZID=Europe/London:20260325T093000", "END:VEVENT",
        "BEGIN:VEVENT", "UID:lunch", "DTSTAMP:20260101T000000Z", "DTSTART:20260324T120000Z", "DTEND:20260324T130000Z",
        "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT10M", "DESCRIPTION:Lunch", "END:VALARM", "END:VEVENT",
        "BEGIN:VEVENT", "UID:offsite", "DTSTAMP:20260101T000000Z", "DTSTART;VALUE=DATE:20260328",
        "DTEND;VALUE=DATE:20260329", "END:VEVENT",
        "END:VCALENDAR", "",
    ]).encode()


def test_a_plain_calendar_is_read_without_the_libraries():
    london = ZoneInfo("Europe/London")
    start, end = datetime(2026, 3, 23, tzinfo=london), datetime(2026, 3, 30, tzinfo=london)
    found, left = busy_quick.read(plain_calendar(), start, end, london)
    assert left == []
    assert read_busy(plain_calendar(), start, end, london, "x.ics") == _library_only(plain_calendar(), start, end, london)
    assert len(found) >= 6  # four stand-ups (one is an EXDATE), the lunch, the offsite, and the margins' stand-ups


def test_only_the_events_the_libraries_must_read_are_handed_to_them():
    london = ZoneInfo("Europe/London")
    data = plain_calendar().replace(
        b"END:VCALENDAR",
        b"BEGIN:VEVENT\r\nUID:standup\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID;TZID=Europe/London:20260326T093000\r\n"
        b"DTSTART;TZID=Europe/London:20260326T140000\r\nDTEND;TZID=Europe/London:20260326T141500\r\nEND:VEVENT\r\n"
        b"END:VCALENDAR",
    )
    start, end = datetime(2026, 3, 23, tzinfo=london), datetime(2026, 3, 30, tzinfo=london)
    _, left = busy_quick.read(data, start, end, london)
    assert len(left) == 1 and left[0].count(b"BEGIN:VEVENT") == 2  # the series and its moved instance, together
    assert b"X-WR-TIMEZONE:Europe/London" in left[0]
    assert read_busy(data, start, end, london, "x.ics") == _library_only(data, start, end, london)


def test_an_export_against_a_plain_busy_calendar_never_imports_icalendar(tmp_path, isolated_user_dirs):
    """The point of the quick reader: a placing run's cost is not the library's import."""
    (tmp_path / "busy.ics").write_bytes(plain_calendar())
    (tmp_path / "plan.toml").write_text(
        '[athlete]\ntimezone = "Europe/London"\n[busy]\nics = ["busy.ics"]\n'
        '[[session]]\nid = "lift"\nkind = "strength"\nminutes = 45\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["SYNCPLAN_CONFIG_DIR"] = str(isolated_user_dirs / "config")
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "syncplan", "export", str(tmp_path / "plan.toml"), "--week", "2026-W13",
         "-o", str(tmp_path / "week.ics")],
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    modules = {line.rsplit("|", 1)[1].strip() for line in proc.stderr.splitlines() if line.startswith("import time:")}
    assert "syncplan.busy_quick" in modules
    assert not {m for m in modules if m.split(".")[0] in ("icalendar", "recurring_ical_events")}


def test_an_exdate_a_utc_offset_from_an_instance_reads_as_the_library_reads_it():
    """recurring-ical-events matches an EXDATE by its UTC and its wall-clock reading, either against either.

    So an EXDATE at 01:00 BST removes the 00:00 BST instance (00:00 UTC reads as the instance's wall clock).
    The quick reader hands such a series to the library rather than answer otherwise.
    """
    london = ZoneInfo("Europe/London")
    data = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN",
        "BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Europe/London:20261019T000000",
        "DTEND;TZID=Europe/London:20261019T001500", "RRULE:FREQ=DAILY;COUNT=2", "EXDATE;TZID=Europe/London:20261019T010000",
        "END:VEVENT", "END:VCALENDAR", "",
    ]).encode()
    start, end = datetime(2026, 10, 19, tzinfo=london), datetime(2026, 10, 26, tzinfo=london)
    assert read_busy(data, start, end, london, "x.ics") == libraries(data, start, end, london)
    assert [a.day for a, _ in read_busy(data, start, end, london, "x.ics")] == [20]
