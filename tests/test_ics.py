"""The .ics file, judged the way calendar apps judge it: parsed, not string-matched.

icalendar round-trips it; vobject, an independent parser, must read the same
UTC instants from our VTIMEZONE, DST weeks included.
"""

from datetime import datetime, timedelta, timezone

import icalendar
import pytest

from conftest import PLANS, read_with_vobject
from syncplan.build import build
from syncplan.ics import to_ical, write_ics
from syncplan.plan import load_plan
from syncplan.week import IsoWeek

UTC = timezone.utc
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def export(plan_name, weeks, **kw):
    plan = load_plan(PLANS / plan_name)
    built = build(plan, weeks, **kw)
    return plan, built, to_ical(list(built.events), plan.calendar_name, plan.timezone, NOW)


def vevents(data):
    return icalendar.Calendar.from_ical(data).walk("VEVENT")


def test_calendar_headers_and_one_vtimezone():
    _, _, data = export("london.toml", [IsoWeek(2026, 49)])
    cal = icalendar.Calendar.from_ical(data)
    assert cal["VERSION"] == "2.0"
    assert "syncplan" in str(cal["PRODID"])
    assert cal["X-WR-CALNAME"] == "Training"
    (tz,) = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Europe/London"
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert all("RRULE" in c and "RDATE" not in c for c in tz.subcomponents)
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_event_fields():
    _, built, data = export("london.toml", [IsoWeek(2026, 49)])
    events = {str(e["UID"]): e for e in vevents(data)}
    assert set(events) == {e.uid for e in built.events}
    lift = next(e for e in built.events if e.key == "2026-W49/tue-lift")
    ve = events[lift.uid]
    assert ve["SUMMARY"] == "Strength (lower) · 60 min"
    assert ve["DTSTART"].params["TZID"] == "Europe/London"
    assert ve["DTSTART"].dt == datetime(2026, 12, 1, 7, 0, tzinfo=ve["DTSTART"].dt.tzinfo)
    assert ve["DTEND"].dt - ve["DTSTART"].dt == timedelta(minutes=60)
    assert ve["DTSTAMP"].dt == NOW
    assert set(ve["CATEGORIES"].cats) == {"Training", "Strength", "Hard"}
    assert sorted(a["TRIGGER"].dt for a in ve.walk("VALARM")) == [timedelta(minutes=-30), timedelta(minutes=-10)]
    description = str(ve["DESCRIPTION"])
    assert "back squat 3x6" in description
    assert "strength first, run ≥6 h later (not before 14:00)" in description.lower()
    assert "20-40 g within 1-2 h" in description
    assert "112-154 g" in description  # 1.6-2.2 g/kg at 70 kg


def test_run_after_lifting_says_why_it_is_late():
    _, built, data = export("london.toml", [IsoWeek(2026, 49)])
    run = next(e for e in built.events if e.key == "2026-W49/tue-run")
    ve = next(e for e in vevents(data) if str(e["UID"]) == run.uid)
    assert ve["SUMMARY"] == "Hill repeats · 50 min"
    assert "≥6 h after today's lifting (07:00-08:00)" in str(ve["DESCRIPTION"])


@pytest.mark.parametrize(
    ("plan_name", "week"),
    [
        ("london.toml", IsoWeek(2026, 13)),  # spring forward, a session in the gap
        ("london.toml", IsoWeek(2026, 43)),  # fall back, a session in the repeated hour
        ("london.toml", IsoWeek(2026, 49)),
        ("new-york.toml", IsoWeek(2026, 10)),
        ("new-york.toml", IsoWeek(2026, 44)),
        ("kolkata.toml", IsoWeek(2026, 49)),
    ],
)
def test_independent_parser_reads_the_same_utc_times(plan_name, week):
    _, built, data = export(plan_name, [week])
    expected = {e.uid: (e.start.astimezone(UTC), e.end.astimezone(UTC)) for e in built.events}
    seen = {}
    for ve in read_with_vobject(data).vevent_list:
        seen[ve.uid.value] = (ve.dtstart.value.astimezone(UTC), ve.dtend.value.astimezone(UTC))
    assert seen == expected
    round_trip = {str(v["UID"]): (v["DTSTART"].dt.astimezone(UTC), v["DTEND"].dt.astimezone(UTC)) for v in vevents(data)}
    assert round_trip == expected


def test_many_weeks_spanning_both_changes_read_the_same_everywhere():
    _, built, data = export("london.toml", [IsoWeek(2026, 1)] + [IsoWeek(2026, w) for w in range(10, 46)])
    expected = {e.uid: e.start.astimezone(UTC) for e in built.events}
    seen = {ve.uid.value: ve.dtstart.value.astimezone(UTC) for ve in read_with_vobject(data).vevent_list}
    assert seen == expected


def test_busy_only_keeps_times_and_hides_everything_else():
    _, full, _ = export("london.toml", [IsoWeek(2026, 49)])
    _, busy, data = export("london.toml", [IsoWeek(2026, 49)], busy_only=True)
    parsed = vevents(data)
    assert {str(v["SUMMARY"]) for v in parsed} == {"Busy"}
    assert all("DESCRIPTION" not in v and "CATEGORIES" not in v for v in parsed)
    assert sorted(v["DTSTART"].dt.astimezone(UTC) for v in parsed) == sorted(e.start.astimezone(UTC) for e in full.events)
    assert not {e.uid for e in busy.events} & {e.uid for e in full.events}


def test_reexport_is_identical_but_for_dtstamp_and_leaves_the_file_untouched(tmp_path):
    plan = load_plan(PLANS / "london.toml")
    events = list(build(plan, [IsoWeek(2026, 49)]).events)
    out = tmp_path / "week.ics"
    assert write_ics(out, to_ical(events, "Training", plan.timezone, NOW)) is True
    first = out.stat()
    later = to_ical(events, "Training", plan.timezone, NOW + timedelta(days=7))
    assert write_ics(out, later) is False
    assert out.stat().st_mtime_ns == first.st_mtime_ns
    assert out.stat().st_ino == first.st_ino
    assert vevents(out.read_bytes())[0]["DTSTAMP"].dt == NOW


def test_changed_plan_rewrites_the_file_atomically(tmp_path):
    plan = load_plan(PLANS / "london.toml")
    out = tmp_path / "week.ics"
    write_ics(out, to_ical(list(build(plan, [IsoWeek(2026, 49)]).events), "Training", plan.timezone, NOW))
    data = to_ical(list(build(plan, [IsoWeek(2026, 50)]).events), "Training", plan.timezone, NOW)
    assert write_ics(out, data) is True
    assert out.read_bytes() == data
    assert [p.name for p in tmp_path.iterdir()] == ["week.ics"]


def test_session_ending_in_the_repeated_hour_ends_after_it_starts():
    plan = load_plan(PLANS / "london.toml")
    week = IsoWeek(2026, 43)
    built = build(plan, [week])
    long_run = next(e for e in built.events if e.key.endswith("sun-long"))
    data = to_ical([long_run], "Training", plan.timezone, NOW)
    (ve,) = read_with_vobject(data).vevent_list
    assert ve.dtend.value.astimezone(UTC) - ve.dtstart.value.astimezone(UTC) == timedelta(minutes=90)


def _icaljs_dir():
    import os
    import shutil
    from pathlib import Path

    folder = os.environ.get("SYNCPLAN_ICALJS_DIR")
    if not folder or not shutil.which("node") or not (Path(folder) / "node_modules" / "ical.js").is_dir():
        pytest.skip("ical.js not installed (set SYNCPLAN_ICALJS_DIR to a folder with node_modules/ical.js)")
    return folder


@pytest.mark.parametrize(
    ("plan_name", "week"),
    [("london.toml", IsoWeek(2026, 13)), ("london.toml", IsoWeek(2026, 43)), ("new-york.toml", IsoWeek(2026, 10))],
)
def test_thunderbirds_parser_reads_the_same_utc_times(plan_name, week):
    import json
    import os
    import subprocess
    from pathlib import Path

    folder = _icaljs_dir()
    _, built, data = export(plan_name, [week])
    script = Path(__file__).with_name("icaljs_times.mjs")
    result = subprocess.run(
        ["node", str(script)], input=data, capture_output=True, check=True,
        env={**os.environ, "ICALJS_DIR": str(Path(folder) / "node_modules")}, timeout=60,
    )
    seen = {uid: tuple(times) for uid, times in json.loads(result.stdout).items()}
    expected = {e.uid: (int(e.start.timestamp()), int(e.end.timestamp())) for e in built.events}
    assert seen == expected
