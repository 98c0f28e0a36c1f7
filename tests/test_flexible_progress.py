"""A flexible session grows through a training block as a fixed one does: `progress` and `max_minutes`.

The block runs six weeks from 2026-W20 (Monday 11 May 2026, London), week 4 a
deload at 70%. The long run has no start: syncplan places it on Saturday or
Sunday each week.
"""

from __future__ import annotations

import json
from datetime import timedelta

import icalendar
import pytest

from syncplan.cli import main

HEAD = """[athlete]
timezone = "Europe/London"
weight_kg = 70

[calendar]
id = "flexprog-test"
"""

BLOCK = """
[block]
start = "2026-05-11"
weeks = 6
"""

LONG = """
[[session]]
id = "long"
kind = "long"
minutes = 60
days = ["sat", "sun"]
progress = "+10"
"""

WEEKS = ["2026-W20", "2026-W21", "2026-W22", "2026-W23", "2026-W24", "2026-W25"]


def check_json(runner, path, *extra):
    result = runner.invoke(main, ["check", str(path), "--week", WEEKS[0], "--weeks", "6", "--json", *extra])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def long_runs(runner, path, *extra) -> list[int]:
    """The long run's minutes in each week of the block, as `check --json` totals them."""
    return [t["long_run_minutes"] for t in check_json(runner, path, *extra)["week_totals"]]


def export_week(runner, path, week):
    result = runner.invoke(main, ["export", str(path), "--week", week, "-o", "-"])
    assert result.exit_code == 0, result.output
    return list(icalendar.Calendar.from_ical(result.stdout_bytes).walk("VEVENT"))


# Growing, scaling, capping ------------------------------------------------------------------


def test_show_gives_the_grown_minutes_of_a_flexible_long_run(runner, plan_file):
    path = plan_file(HEAD + BLOCK + LONG)
    result = runner.invoke(main, ["show", str(path), "--week", "2026-W22"])
    assert result.exit_code == 0, result.output
    assert "Long run · 80 min  [long]" in result.stdout  # week 3: two steps of +10 on 60


def test_the_ics_event_lasts_the_grown_minutes_and_its_description_says_so(runner, plan_file):
    (event,) = export_week(runner, plan_file(HEAD + BLOCK + LONG), "2026-W22")
    assert str(event["SUMMARY"]) == "Long run · 80 min"
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=80)
    description = str(event["DESCRIPTION"])
    assert description.startswith("Week 3 of 6 · build.")
    assert "× 80 min" in description  # the energy estimate is for the grown run


def test_show_block_charts_the_grown_and_deloaded_long_run(runner, plan_file):
    path = plan_file(HEAD + BLOCK + LONG)
    result = runner.invoke(main, ["show", str(path), "--week", WEEKS[0], "--weeks", "6", "--block"])
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line.split() for line in result.stdout.splitlines() if line.startswith("2026-W")}
    # week, phase, bar, run, lift, long: the bar is one word of cells here (no strength).
    assert [(rows[w][1], int(rows[w][3]), int(rows[w][5])) for w in WEEKS] == [
        ("build", 60, 60),
        ("build", 70, 70),
        ("build", 80, 80),
        ("deload", 55, 55),  # 70% of week 3's 80, rounded down to 5
        ("build", 90, 90),  # the deload is no step: one step above week 3
        ("build", 100, 100),
    ]


def test_taper_and_race_weeks_scale_the_grown_flexible_run(runner, plan_file):
    race = BLOCK.replace("weeks = 6", 'race = "2026-06-21"\ndeload_every = 0\ntaper_weeks = 2')
    # Builds 60, 70, 80, 90; the taper takes 70% then 50% of the last build week's 90.
    assert long_runs(runner, plan_file(HEAD + race + LONG)) == [60, 70, 80, 90, 60, 45]


def test_max_minutes_caps_the_flexible_run_and_its_deload(runner, plan_file):
    path = plan_file(HEAD + BLOCK + LONG + "max_minutes = 75\n")
    assert long_runs(runner, path) == [60, 70, 75, 50, 75, 75]


def test_percent_progress_compounds_on_a_flexible_run(runner, plan_file):
    path = plan_file(HEAD + BLOCK + LONG.replace('"+10"', '"+10%"'))
    # 60, 66, 72.6, deload 0.7 x 72.6, 79.86, 87.8: nearest 5 on build weeks, the one below on the deload.
    assert long_runs(runner, path) == [60, 65, 75, 50, 80, 90]


# Placing the grown session ---------------------------------------------------------------------

TIGHT = """
[availability]
default = []
sat = ["07:00-09:00"]
buffer_minutes = 15
"""

TIGHT_LONG = LONG.replace("minutes = 60", "minutes = 90").replace('["sat", "sun"]', '["sat"]')


def test_the_grown_session_is_placed_while_it_fits_and_is_unplaced_once_it_does_not(runner, plan_file, tmp_path):
    path = plan_file(HEAD + BLOCK.replace("weeks = 6", "weeks = 6\ndeload_every = 0") + TIGHT + TIGHT_LONG)
    # Week 4: 90 + 3 x 10 = 120 min, exactly the Saturday window.
    (event,) = export_week(runner, path, "2026-W23")
    start, end = event["DTSTART"].dt, event["DTEND"].dt
    assert (start.strftime("%a %H:%M"), end.strftime("%H:%M")) == ("Sat 07:00", "09:00")

    # Week 5: 130 min no longer fits the two-hour window.
    out = tmp_path / "w24.ics"
    result = runner.invoke(main, ["export", str(path), "--week", "2026-W24", "-o", str(out)])
    assert result.exit_code == 1
    assert "unplaced" in result.stderr and "long" in result.stderr
    assert not out.exists()
    unplaced = [f for f in check_json(runner, path)["findings"] if f["rule"] == "unplaced"]
    assert [(f["week"], f["sessions"]) for f in unplaced] == [("2026-W24", ["long"]), ("2026-W25", ["long"])]


# The ramp rule and the week's totals ---------------------------------------------------------------

RAMP_PLAN = HEAD + BLOCK + """
[availability]
default = ["06:00-21:00"]

[[session]]
id = "easy"
day = "tue"
start = "07:00"
kind = "easy"
minutes = 30

[[session]]
id = "long"
kind = "long"
minutes = 60
days = ["sat"]

[[week]]
number = 2
[[week.session]]
id = "extra"
day = "wed"
start = "07:00"
kind = "easy"
minutes = 20
"""


def test_ramp_counts_flexible_runs_as_placed(runner, plan_file, tmp_path):
    path = plan_file(RAMP_PLAN)
    ramps = [f for f in check_json(runner, path)["findings"] if f["rule"] == "ramp"]
    # Week 2: 30 + 20 + the placed 60 = 110 min against week 1's 90.
    assert [f["week"] for f in ramps] == ["2026-W21"]
    assert "110 min of running" in ramps[0]["message"] and "the 90 min of week 1" in ramps[0]["message"]

    # Saturday of week 2 fully busy: the long run is unplaced, and an unplaced session does not run.
    busy = tmp_path / "busy.ics"
    busy.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:away@example.com\r\n"
        "DTSTAMP:20260501T000000Z\r\nDTSTART;VALUE=DATE:20260523\r\nDTEND;VALUE=DATE:20260524\r\n"
        "SUMMARY:Away\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    data = check_json(runner, path, "--busy", str(busy))
    rules = [(f["week"], f["rule"]) for f in data["findings"] if f["rule"] in ("ramp", "unplaced")]
    assert ("2026-W21", "unplaced") in rules and ("2026-W21", "ramp") not in rules
    assert data["week_totals"][1]["run_minutes"] == 30 + 20


def test_a_ramp_after_a_week_that_ran_short_says_so_instead_of_blaming_progress(runner, plan_file, tmp_path):
    """Week 1's long run finds no slot, so week 2 is a jump over the 30 min week 1 ran; the fix is week 1's room."""
    busy = tmp_path / "busy.ics"
    busy.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:away@example.com\r\n"
        "DTSTAMP:20260501T000000Z\r\nDTSTART;VALUE=DATE:20260516\r\nDTEND;VALUE=DATE:20260517\r\n"
        "SUMMARY:Away\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    data = check_json(runner, plan_file(RAMP_PLAN), "--busy", str(busy))
    (ramp,) = [f for f in data["findings"] if f["rule"] == "ramp"]
    assert ramp["week"] == "2026-W21" and "110 min of running" in ramp["message"] and "the 30 min of week 1" in ramp["message"]
    assert "week 1 ran short: 60 of its 90 min found no slot" in ramp["message"]


def test_flexible_progress_is_judged_by_the_ramp_rule(runner, plan_file):
    ramps = [f for f in check_json(runner, plan_file(HEAD + BLOCK + LONG))["findings"] if f["rule"] == "ramp"]
    assert ramps[0]["week"] == "2026-W21"
    assert "70 min of running, 16.7% more than the 60 min of week 1" in ramps[0]["message"]


# The same checks and messages as on a fixed session -------------------------------------------------

FIXED = LONG.replace('days = ["sat", "sun"]', 'day = "sat"\nstart = "07:00"')


@pytest.mark.parametrize(
    ("field", "fragment"),
    [
        ('progress = "ten"', "is not a progression"),
        ('progress = "+200"', "out of range"),
        ('progress = "+60%"', "out of range"),
        ("max_minutes = 30", "below the session's 60 minutes"),
        ('max_minutes = "90"', "is not a whole number"),
    ],
)
def test_bad_progress_on_a_flexible_session_reads_as_on_a_fixed_one(runner, plan_file, field, fragment):
    messages = []
    for name, session in (("flexible", LONG), ("fixed", FIXED)):
        text = session.replace('progress = "+10"', field)
        path = plan_file(HEAD + BLOCK + text, "plan.toml")
        result = runner.invoke(main, ["check", str(path), "--week", WEEKS[0]])
        assert result.exit_code == 2, (name, result.output)
        assert "Traceback" not in result.output and "\n" not in result.stderr.strip()
        messages.append(result.stderr.strip())
    assert messages[0] == messages[1]
    assert messages[0].startswith("Error: ") and "session 1 (long) field" in messages[0] and fragment in messages[0]


def test_progress_on_a_flexible_session_needs_a_block(runner, plan_file):
    path = plan_file(HEAD + LONG)
    result = runner.invoke(main, ["check", str(path), "--week", WEEKS[0]])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"Error: {path}: session 'long': 'progress' and 'max_minutes' need a [block] table "
        f"(they say how a session grows week by week)."
    )
