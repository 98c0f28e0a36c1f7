"""Training blocks as a user meets them: the plan file, the exported weeks, the findings."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import icalendar
import pytest

from conftest import FIXTURES
from syncplan.block import taper_factors
from syncplan.build import build
from syncplan.cli import main
from syncplan.ics import to_ical
from syncplan.plan import load_plan
from syncplan.week import resolve_weeks

TEMPLATES = Path(__file__).parent.parent / "templates" / "plans"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)

# Week 1 is 2026-W50 (7-13 Dec); the race (Sun 7 Mar 2027) is in week 13, 2027-W09.
ATHLETE = """
[athlete]
weight_kg = 68
timezone = "Europe/London"
goal = "both"
"""
BLOCK = """
[block]
start = "2026-12-09"
race = "2027-03-07"
race_start = "09:30"
"""
SESSIONS = """
[[session]]
id = "tue-lift"
day = "tue"
start = "07:00"
kind = "strength"
minutes = 45
focus = "lower"

[[session]]
id = "tue-hills"
day = "tue"
start = "18:00"
kind = "hills"
minutes = 40

[[session]]
id = "thu-tempo"
day = "thu"
start = "18:00"
kind = "tempo"
minutes = 40

[[session]]
id = "fri-lift"
day = "fri"
start = "07:00"
kind = "strength"
minutes = 45
focus = "full"

[[session]]
id = "sun-long"
day = "sun"
start = "09:00"
kind = "long"
minutes = 80
progress = "+5"
max_minutes = 100
"""
PLAN = ATHLETE + BLOCK + SESSIONS


def export(runner, path, week: str, count: int = 1, *extra: str):
    out = path.parent / "out.ics"
    result = runner.invoke(main, ["export", str(path), "--week", week, "--weeks", str(count), "-o", str(out), *extra])
    events = []
    if out.exists():
        events = list(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    return result, events


def minutes(event) -> int:
    return int((event["DTEND"].dt - event["DTSTART"].dt).total_seconds() // 60)


def week_events(events, week_start: date) -> list:
    return [e for e in events if 0 <= (e["DTSTART"].dt.date() - week_start).days < 7]


def long_runs(events) -> list[int]:
    return [minutes(e) for e in sorted(events, key=lambda e: e["DTSTART"].dt) if str(e["SUMMARY"]).startswith("Long run")]


def check_json(runner, path, week: str, count: int) -> dict:
    result = runner.invoke(main, ["check", str(path), "--week", week, "--weeks", str(count), "--json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)


# A plan without [block] ------------------------------------------------------

GOLDEN = FIXTURES / "golden" / "before-blocks"
BEFORE = {
    "london-2026-W12-3w.ics": FIXTURES / "plans" / "london.toml",
    "new-york-2026-W43-3w.ics": FIXTURES / "plans" / "new-york.toml",
    "kolkata-2026-W49-3w.ics": FIXTURES / "plans" / "kolkata.toml",
    "race-first-2026-W52-3w.ics": TEMPLATES / "race-first.toml",
    "hybrid-2027-W01-3w.ics": TEMPLATES / "hybrid.toml",
}


@pytest.mark.parametrize("golden", sorted(BEFORE))
def test_a_plan_without_block_exports_the_same_bytes_as_before_blocks(golden):
    plan = load_plan(BEFORE[golden])
    week = golden.split("-3w")[0].rsplit("-", 2)
    weeks = resolve_weeks(f"{week[-2]}-{week[-1]}", 3, date(2026, 1, 1))
    data = to_ical(list(build(plan, weeks).events), plan.calendar_name, plan.timezone, NOW)
    assert data == (GOLDEN / golden).read_bytes()


# Phases, progression, taper -------------------------------------------------


def test_each_event_says_its_week_of_the_block_phase_and_the_countdown(runner, plan_file):
    result, events = export(runner, plan_file(PLAN), "2026-W50", 13)
    assert result.exit_code == 0, result.output
    first = {str(e["DESCRIPTION"]).split("\n")[0] for e in week_events(events, date(2026, 12, 7))}
    assert any(line.startswith("Week 1 of 13 · build.") for line in first)
    deload = str(week_events(events, date(2026, 12, 28))[0]["DESCRIPTION"])  # 2026-W53, week 4
    assert deload.startswith("Week 4 of 13 · deload: runs at 70% of the last build week")
    taper = str(week_events(events, date(2027, 2, 22))[0]["DESCRIPTION"])
    assert taper.startswith("Week 12 of 13 · taper: runs at 70%")
    race_week = week_events(events, date(2027, 3, 1))
    assert str(race_week[0]["DESCRIPTION"]).startswith("Week 13 of 13 · race week: runs at 50%")
    tuesday = [e for e in race_week if e["DTSTART"].dt.date() == date(2027, 3, 2)][0]
    assert "Race day: Sun 07 Mar 2027, in 5 days." in str(tuesday["DESCRIPTION"])


def test_the_race_is_its_own_event_and_replaces_that_days_sessions(runner, plan_file):
    result, events = export(runner, plan_file(PLAN), "2027-W09")
    assert result.exit_code == 0, result.output
    on_race_day = [e for e in events if e["DTSTART"].dt.date() == date(2027, 3, 7)]
    assert [str(e["SUMMARY"]) for e in on_race_day] == ["Race · 120 min"]
    race = on_race_day[0]
    assert race["DTSTART"].dt.hour == 9 and race["DTSTART"].dt.minute == 30
    assert "Race day: today." in str(race["DESCRIPTION"])

    without_start = plan_file(PLAN.replace('race_start = "09:30"\n', ""), "nostart.toml")
    result, events = export(runner, without_start, "2027-W09")
    assert result.exit_code == 0
    assert not [e for e in events if e["DTSTART"].dt.date() == date(2027, 3, 7)]


def test_progress_grows_on_build_weeks_pauses_on_deload_and_stops_at_max(runner, plan_file):
    plan = PLAN.replace('progress = "+5"', 'progress = "+10%"').replace("max_minutes = 100", "max_minutes = 110")
    result, events = export(runner, plan_file(plan), "2026-W50", 13)
    assert result.exit_code == 0, result.output
    # 80 min +10% a build week, compounded and rounded to 5: 80, 88->90, 96.8->95; deload 70% of
    # 96.8, rounded down: 67.8->65; then 106.5->105, 117->110 (the cap) ... taper 70% of the capped 110.
    assert long_runs(events) == [80, 90, 95, 65, 105, 110, 110, 75, 110, 110, 110, 75]
    # Week 13's long run is on race day, which the race replaces.


def test_deload_does_not_advance_progression_and_the_next_week_resumes(runner, plan_file):
    plan = PLAN.replace("max_minutes = 100", "max_minutes = 200").replace('race = "2027-03-07"\nrace_start = "09:30"', "weeks = 9")
    result, events = export(runner, plan_file(plan), "2026-W50", 9)
    assert result.exit_code == 0, result.output
    # Build weeks step +5; week 4 and 8 are deloads at 70% of the build week before them, rounded down.
    assert long_runs(events) == [80, 85, 90, 60, 95, 100, 105, 70, 110]


def test_strength_sessions_stay_every_week_and_are_marked_lighter_on_easy_weeks(runner, plan_file):
    result, events = export(runner, plan_file(PLAN), "2026-W50", 13)
    assert result.exit_code == 0
    lifts = [e for e in events if str(e["SUMMARY"]).startswith("Strength")]
    assert len(lifts) == 26 and {minutes(e) for e in lifts} == {45}
    lighter = {e["DTSTART"].dt.isocalendar()[1] for e in lifts if "Lighter week:" in str(e["DESCRIPTION"])}
    assert lighter == {53, 4, 8, 9}  # deloads (weeks 4, 8 of the block), taper and race week
    hard_runs = [e for e in week_events(events, date(2027, 2, 22)) if str(e["SUMMARY"]).startswith(("Hill", "Tempo"))]
    assert [minutes(e) for e in hard_runs] == [25, 25]  # intensity stays: 70% of 40, rounded down to 5


def test_taper_factors_fall_to_half_by_race_week():
    assert taper_factors(1) == (0.5,)
    assert taper_factors(2) == (0.7, 0.5)
    assert taper_factors(3) == (0.7, 0.6, 0.5)


# Week overrides ---------------------------------------------------------------

OVERRIDES = """
[[week]]
number = 2
skip = ["thu-tempo"]

[[week]]
week = "2026-W52"
rest = true

[[week]]
number = 5
[[week.session]]
id = "sun-long"
day = "sat"
start = "08:00"
kind = "long"
minutes = 85
[[week.session]]
id = "wed-easy"
day = "wed"
start = "07:00"
kind = "easy"
minutes = 30
"""


def test_week_overrides_skip_rest_move_and_add_sessions(runner, plan_file):
    result, events = export(runner, plan_file(PLAN + OVERRIDES), "2026-W50", 5)
    assert result.exit_code == 0, result.output
    keys = lambda monday: sorted(str(e["SUMMARY"]).split(" ·")[0] for e in week_events(events, monday))  # noqa: E731
    assert "Tempo run" in keys(date(2026, 12, 7)) and "Tempo run" not in keys(date(2026, 12, 14))
    assert keys(date(2026, 12, 21)) == []  # the week off
    week5 = week_events(events, date(2027, 1, 4))
    moved = [e for e in week5 if str(e["SUMMARY"]).startswith("Long run")]
    assert [(e["DTSTART"].dt.date(), minutes(e)) for e in moved] == [(date(2027, 1, 9), 85)]
    assert any(str(e["SUMMARY"]) == "Easy run · 30 min" for e in week5)


def test_a_week_off_has_no_events_and_no_warnings_about_missing_sessions(runner, plan_file):
    plan = PLAN.replace('focus = "full"', 'focus = "upper"') + '\n[[week]]\nnumber = 2\nrest = true\n'
    data = check_json(runner, plan_file(plan), "2026-W50", 2)
    assert [s for s in data["sessions"] if s["week"] == "2026-W51"] == []
    assert [f["rule"] for f in data["findings"] if f["week"] == "2026-W51"] == []
    assert "strength-count" in [f["rule"] for f in data["findings"] if f["week"] == "2026-W50"]


def test_a_rest_week_is_no_step_of_progression(runner, plan_file):
    plan = PLAN.replace("max_minutes = 100", "max_minutes = 200") + '\n[[week]]\nnumber = 2\nrest = true\n'
    result, events = export(runner, plan_file(plan), "2026-W50", 3)
    assert long_runs(events) == [80, 85]


def test_a_moved_session_keeps_its_uid_and_a_skipped_one_comes_back_with_it(runner, plan_file):
    path = plan_file(PLAN)
    _, before = export(runner, path, "2026-W51")
    path.write_text(PLAN + '\n[[week]]\nnumber = 2\nskip = ["thu-tempo"]\n[[week.session]]\nid = "sun-long"\n'
                    'day = "sat"\nstart = "10:00"\nkind = "long"\nminutes = 70\n')
    _, changed = export(runner, path, "2026-W51")
    path.write_text(PLAN)
    _, restored = export(runner, path, "2026-W51")
    uids = lambda events: {str(e["UID"]): str(e["SUMMARY"]) for e in events}  # noqa: E731
    assert set(uids(changed)) == set(uids(before)) - {u for u, s in uids(before).items() if s.startswith("Tempo")}
    assert uids(changed)[[u for u, s in uids(before).items() if s.startswith("Long")][0]] == "Long run · 70 min"
    assert uids(restored) == uids(before)


def test_block_weeks_have_distinct_uids_and_the_same_ones_every_run(runner, plan_file):
    path = plan_file(PLAN)
    _, first = export(runner, path, "2026-W50", 13)
    _, second = export(runner, path, "2026-W50", 13)
    uids = [str(e["UID"]) for e in first]
    assert len(uids) == len(set(uids)) == 13 * 5  # race day: the race in place of the long run
    assert uids == [str(e["UID"]) for e in second]


# Findings -------------------------------------------------------------------


def test_ramp_warns_with_both_totals_when_a_week_override_jumps(runner, plan_file):
    plan = PLAN + '\n[[week]]\nnumber = 3\n[[week.session]]\nid = "sun-long"\nday = "sun"\nstart = "09:00"\nkind = "long"\nminutes = 130\n'
    data = check_json(runner, plan_file(plan), "2026-W50", 4)
    ramps = [f for f in data["findings"] if f["rule"] == "ramp"]
    assert [(f["week"], f["severity"]) for f in ramps] == [("2026-W52", "warning")]
    # week 2: 40 + 40 + 85; week 3: 40 + 40 + 130
    assert ramps[0]["message"] == (
        "week 3 of the block has 210 min of running, 27.3% more than the 165 min of week 2; grow a week's running "
        "by at most 10% over the last full week (lower the minutes of this week's [[week]] sessions)."
    )


def test_ramp_is_judged_over_the_block_even_when_one_week_is_checked(runner, plan_file):
    plan = PLAN + '\n[[week]]\nnumber = 3\n[[week.session]]\nid = "sun-long"\nday = "sun"\nstart = "09:00"\nkind = "long"\nminutes = 130\n'
    data = check_json(runner, plan_file(plan), "2026-W52", 1)
    assert [f["rule"] for f in data["findings"] if f["rule"] == "ramp"] == ["ramp"]


def test_steady_progression_and_the_week_after_a_deload_raise_no_ramp(runner, plan_file):
    data = check_json(runner, plan_file(PLAN), "2026-W50", 13)
    assert not [f for f in data["findings"] if f["rule"] == "ramp"]


def test_weeks_outside_the_block_use_the_plan_as_written_with_an_info(runner, plan_file):
    data = check_json(runner, plan_file(PLAN), "2026-W49", 2)
    outside = [f for f in data["findings"] if f["rule"] == "block"]
    assert [(f["week"], f["severity"]) for f in outside] == [("2026-W49", "info")]
    assert "outside the training block" in outside[0]["message"]
    result, events = export(runner, plan_file(PLAN, "again.toml"), "2026-W49")
    assert result.exit_code == 0
    assert not any("of 13" in str(e["DESCRIPTION"]) for e in events)
    assert long_runs(events) == [80]


def test_check_json_gives_per_week_totals_and_phases(runner, plan_file):
    data = check_json(runner, plan_file(PLAN + OVERRIDES), "2026-W49", 6)
    totals = {t["week"]: t for t in data["week_totals"]}
    assert totals["2026-W49"]["phase"] == "plan"  # outside the block
    assert totals["2026-W50"] | {"findings": None} == {
        "week": "2026-W50",
        "phase": "build",
        "run_minutes": 160,
        "strength_minutes": 90,
        "long_run_minutes": 80,
        "findings": None,
    }
    assert totals["2026-W51"]["run_minutes"] == 40 + 85  # tempo skipped
    assert totals["2026-W52"]["run_minutes"] == totals["2026-W52"]["strength_minutes"] == 0  # the week off
    # Week 3 was a week off, so the deload takes 70% of week 2's 85 min (59.5, rounded down).
    assert totals["2026-W53"]["phase"] == "deload" and totals["2026-W53"]["long_run_minutes"] == 55
    assert sum(totals["2026-W49"]["findings"].values()) == len([f for f in data["findings"] if f["week"] == "2026-W49"])


def test_check_json_of_a_plan_without_block_has_totals_too(runner):
    data = check_json(runner, FIXTURES / "plans" / "london.toml", "2026-W49", 1)
    assert data["week_totals"][0]["phase"] == "plan"
    assert data["week_totals"][0]["run_minutes"] == 50 + 25 + 90


# Bad block input ---------------------------------------------------------------

BAD = [
    (PLAN.replace('start = "2026-12-09"\n', ""), "[block]: field 'start' is missing"),
    (PLAN.replace('"2026-12-09"', '"9 Dec"'), "[block] field 'start': '9 Dec' is not a date"),
    (PLAN.replace('race_start = "09:30"', 'race_start = "09:30"\nweeks = 12'), "[block] field 'weeks': a 12-week block from 2026-12-09 ends in week 12, but the race on 2027-03-07 is in week 13"),
    (PLAN.replace('race = "2027-03-07"\nrace_start = "09:30"', ""), "[block]: say how long the block is"),
    (PLAN.replace('race = "2027-03-07"\n', "weeks = 8\n"), "[block] field 'race_start': a race start needs a race day"),
    (PLAN.replace('race_start = "09:30"', 'race_start = "9.30"'), "[block] field 'race_start': '9.30' is not a time"),
    (PLAN.replace('race = "2027-03-07"', 'race = "2026-11-01"'), "[block] field 'race': 2026-11-01 is before"),
    (PLAN.replace('race_start = "09:30"', "deload_every = 1"), "[block] field 'deload_every': 1 would make"),
    (PLAN.replace('race_start = "09:30"', "deload = 1.5"), "[block] field 'deload': 1.5 is out of range"),
    (PLAN.replace('race_start = "09:30"', "taper_weeks = 13"), "[block] field 'taper_weeks'"),
    (PLAN.replace('race = "2027-03-07"\nrace_start = "09:30"', "weeks = 8\ntaper_weeks = 2"), "a taper leads to a race"),
    (PLAN.replace('"+5"', '"five"'), "session 5 (sun-long) field 'progress': 'five' is not a progression"),
    (PLAN.replace('"+5"', '"+80%"'), "session 5 (sun-long) field 'progress': +80% is out of range"),
    (PLAN.replace("max_minutes = 100", "max_minutes = 60"), "field 'max_minutes': 60 is below the session's 80 minutes"),
    (ATHLETE + SESSIONS, "session 'sun-long': 'progress' and 'max_minutes' need a [block] table"),
    (ATHLETE + SESSIONS.replace('progress = "+5"\nmax_minutes = 100', "") + "[[week]]\nnumber = 1\n", "[[week]]: week overrides need a [block]"),
    (PLAN + '[[week]]\nnumber = 14\n', "[[week]] 1 field 'number': 14 is out of range"),
    (PLAN + '[[week]]\nweek = "2027-W20"\n', "[[week]] 1 field 'week': 2027-W20 is outside the block (2026-W50 to 2027-W09)"),
    (PLAN + '[[week]]\nweek = "next"\n', "[[week]] 1 field 'week': 'next' is not an ISO week"),
    (PLAN + "[[week]]\nskip = []\n", "[[week]] 1: say which week it is"),
    (PLAN + '[[week]]\nnumber = 2\nskip = ["thu-temp"]\n', "[[week]] 1 (week 2) field 'skip': 'thu-temp' is not a session of the plan. Did you mean 'thu-tempo'?"),
    (PLAN + "[[week]]\nnumber = 2\n[[week]]\nweek = \"2026-W51\"\n", "[[week]] 2: week 2 of the block already has an override ([[week]] 1)"),
    (PLAN + "[[week]]\nnumber = 13\nrest = true\n", "[[week]] 1 (week 13) field 'rest': this is race week"),
    (PLAN + "[[week]]\nnumber = 2\nrest = true\nskip = [\"thu-tempo\"]\n", "[[week]] 1 (week 2): a rest week has no sessions"),
    (PLAN + "[[week]]\nnumber = 2\n[[week.session]]\nid = \"x\"\nday = \"mon\"\nstart = \"07:00\"\nkind = \"jog\"\nminutes = 0\n",
     "[[week]] 1 (week 2) session 1 (x) field 'minutes': 0 is out of range"),
    (PLAN + "[[week]]\nnumber = 2\n[[week.session]]\nid = \"x\"\nday = \"mon\"\nstart = \"07:00\"\nkind = \"jog\"\nminutes = 20\nprogress = \"+5\"\n",
     "[[week]] 1 (week 2) session 1 (x): unknown field 'progress'"),
    (PLAN.replace('id = "sun-long"', 'id = "race"'), "session id 'race': this id is kept for the race event"),
    (PLAN.replace('start = "2026-12-09"\nrace = "2027-03-07"\nrace_start = "09:30"', 'start = "9995-11-01"\nweeks = 20'),
     "[block]: a block from 9995-11-01 for 20 weeks falls outside the years 4 to 9995"),
    (PLAN.replace('"2026-12-09"', "2026-12-09T10:00:00"), "[block] field 'start': 2026-12-09T10:00:00 is not a date"),
    (PLAN.replace("[block]", "[blok]"), "top level: unknown field 'blok'. Did you mean 'block'?"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m[:40] for _, m in BAD])
def test_a_bad_block_is_one_clear_error_naming_the_place_and_writes_nothing(runner, plan_file, text, message):
    path = plan_file(text)
    out = path.parent / "out.ics"
    result = runner.invoke(main, ["export", str(path), "--week", "2026-W50", "-o", str(out)])
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())
    assert said.startswith(f"Error: {path}: ") and message in said
    assert "Traceback" not in result.output and not out.exists()


def test_ramp_from_progression_names_progress_as_the_fix(runner, plan_file):
    plan = PLAN.replace('progress = "+5"', 'progress = "+25"').replace("max_minutes = 100", "max_minutes = 200")
    data = check_json(runner, plan_file(plan), "2026-W51", 1)
    ramps = [f["message"] for f in data["findings"] if f["rule"] == "ramp"]
    assert ramps == [
        "week 2 of the block has 185 min of running, 15.6% more than the 160 min of week 1; grow a week's running "
        "by at most 10% over the last full week (lower 'progress')."
    ]


def test_ramp_and_block_findings_can_be_switched_off(runner, plan_file):
    plan = PLAN.replace('progress = "+5"', 'progress = "+25"').replace("max_minutes = 100", "max_minutes = 200")
    plan = plan.replace('goal = "both"', 'goal = "both"\n\n[rules]\ndisable = ["ramp", "block"]')
    data = check_json(runner, plan_file(plan), "2026-W49", 3)
    assert not [f for f in data["findings"] if f["rule"] in ("ramp", "block")]


def test_the_block_texts_can_be_reworded_with_notes_dir(runner, plan_file, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "notes.toml").write_text('[block]\nbuild = "Semaine ${number}/${weeks} · construction."\n', encoding="utf-8")
    result, events = export(runner, plan_file(PLAN), "2026-W50", 1, "--notes", str(notes))
    assert result.exit_code == 0, result.output
    assert all(str(e["DESCRIPTION"]).startswith("Semaine 1/13 · construction. Race day: Sun 07 Mar 2027, in ") for e in events)


def test_the_race_gets_an_energy_line_when_energy_notes_are_on(runner, plan_file):
    plan = PLAN.replace("[block]", "[calendar]\nenergy_notes = true\n\n[block]", 1)
    result, events = export(runner, plan_file(plan), "2027-W09")
    assert result.exit_code == 0, result.output
    race = [e for e in events if str(e["SUMMARY"]).startswith("Race")][0]
    assert "kcal" in str(race["DESCRIPTION"])


def test_energy_lines_are_on_by_default_in_a_block_and_can_be_turned_off(runner, plan_file):
    result, events = export(runner, plan_file(PLAN), "2026-W50")
    assert result.exit_code == 0, result.output
    assert all("Energy: about" in str(e["DESCRIPTION"]) for e in events)
    off = PLAN.replace("[block]", "[calendar]\nenergy_notes = false\n\n[block]", 1)
    result, events = export(runner, plan_file(off, "off.toml"), "2026-W50")
    assert not any("kcal" in str(e["DESCRIPTION"]) for e in events)
