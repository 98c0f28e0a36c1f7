"""The day's fuel: energy lines, the maintenance estimate and rest-day protein notes.

Everything is checked as a user meets it: the exported .ics read back with
icalendar and vobject, the exit code and message of a bad plan.
"""

from datetime import date

import icalendar
import pytest

from conftest import read_with_vobject
from syncplan.cli import main

ATHLETE = """
[athlete]
weight_kg = 70
timezone = "Europe/London"
"""
BODY = """height_cm = 178
age = 35
sex = "male"
"""
SESSIONS = """
[[session]]
id = "tue-lift"
day = "tue"
start = "07:00"
kind = "strength"
minutes = 60
focus = "lower"

[[session]]
id = "tue-run"
day = "tue"
start = "18:00"
kind = "hills"
minutes = 50

[[session]]
id = "sat-long"
day = "sat"
start = "08:00"
kind = "long"
minutes = 90

[[session]]
id = "thu-lift"
day = "thu"
start = "07:00"
kind = "strength"
minutes = 60
"""
WEEK = "2026-W49"  # Mon 30 Nov to Sun 6 Dec 2026


def export(runner, path, *extra):
    result = runner.invoke(main, ["export", str(path), "--week", WEEK, *extra])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def events(data: bytes) -> dict:
    return {str(ve["SUMMARY"]): ve for ve in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def description(data: bytes, summary: str) -> str:
    return str(events(data)[summary]["DESCRIPTION"])


# Energy -------------------------------------------------------------------------


def test_energy_lines_give_each_session_met_times_weight_times_time(runner, plan_file):
    path = plan_file(ATHLETE + "[calendar]\nenergy_notes = true\n" + SESSIONS)
    data = export(runner, path)
    # 9 MET x 70 kg x 50/60 h = 525 -> 530; 8.3 x 70 x 1.5 = 871.5 -> 870; 3.5 x 70 x 1 = 245 -> 250
    assert "Energy: about 530 kcal (9 MET × 70 kg × 50 min, resting energy included)" in description(data, "Hill repeats · 50 min")
    assert "Energy: about 870 kcal (8.3 MET × 70 kg × 90 min" in description(data, "Long run · 90 min")
    lift = description(data, "Strength (lower) · 60 min")
    assert "Energy: about 250 kcal (3.5 MET × 70 kg × 60 min" in lift
    assert "an estimate" in lift


def test_the_days_training_total_is_on_the_days_first_event_only(runner, plan_file):
    path = plan_file(ATHLETE + "[calendar]\nenergy_notes = true\n" + SESSIONS)
    data = export(runner, path)
    assert "All of today's training: about 780 kcal." in description(data, "Strength (lower) · 60 min")
    assert "All of today's training" not in description(data, "Hill repeats · 50 min")
    assert "All of today's training: about 870 kcal." in description(data, "Long run · 90 min")


def test_energy_scales_with_the_athletes_weight(runner, plan_file):
    path = plan_file(ATHLETE.replace("weight_kg = 70", "weight_kg = 90") + "[calendar]\nenergy_notes = true\n" + SESSIONS)
    # 8.3 x 90 x 1.5 = 1120.5 -> 1120
    assert "Energy: about 1120 kcal (8.3 MET × 90 kg × 90 min" in description(export(runner, path), "Long run · 90 min")


def test_energy_lines_are_off_by_default_without_a_block(runner, plan_file):
    data = export(runner, plan_file(ATHLETE + SESSIONS))
    for ve in events(data).values():
        assert "kcal" not in str(ve["DESCRIPTION"])
    assert "Calories: eat at or slightly above maintenance" in description(data, "Long run · 90 min")


def test_energy_notes_false_turns_the_energy_lines_off(runner, plan_file):
    data = export(runner, plan_file(ATHLETE + "[calendar]\nenergy_notes = false\n" + SESSIONS))
    for ve in events(data).values():
        assert "kcal" not in str(ve["DESCRIPTION"])
    assert "Calories: eat at or slightly above maintenance" in description(data, "Long run · 90 min")


def test_height_age_and_sex_give_the_days_maintenance_estimate(runner, plan_file):
    data = export(runner, plan_file(ATHLETE + BODY + SESSIONS))
    # Mifflin-St Jeor: 10*70 + 6.25*178 - 5*35 + 5 = 1642.5; x 1.2 = 1971;
    # long run net (8.3 - 1) * 70 * 1.5 = 766.5; 1971 + 766.5 = 2737.5 -> 2740.
    text = description(data, "Long run · 90 min")
    assert "Maintenance today, roughly: 2740 kcal (resting 1640 kcal × 1.2 for daily life = 1970, plus 770 kcal" in text
    assert "estimate" in text and "eat at or a little above it" in text
    assert "Energy: about 870 kcal" in text  # a body turns the energy lines on too
    assert "Calories: eat at or slightly above maintenance" not in text


def test_female_resting_energy_uses_the_female_constant(runner, plan_file):
    body = BODY.replace('"male"', '"female"').replace("178", "165")
    data = export(runner, plan_file(ATHLETE + body + SESSIONS))
    # 700 + 1031.25 - 175 - 161 = 1395.25 -> 1400 resting; x 1.2 = 1674.3 -> 1670
    assert "(resting 1400 kcal × 1.2 for daily life = 1670" in description(data, "Long run · 90 min")


@pytest.mark.parametrize(
    ("body", "where", "says"),
    [
        ("height_cm = 178\n", "[athlete]", "'age' and 'sex' missing"),
        ('height_cm = 178\nage = 35\nsex = "other"\n', "[athlete] field 'sex'", "is not one of female, male"),
        ('height_cm = 17.8\nage = 35\nsex = "male"\n', "[athlete] field 'height_cm'", "out of range"),
        ('height_cm = 178\nage = 12\nsex = "male"\n', "[athlete] field 'age'", "out of range"),
        ('height_cm = 178\nage = "35"\nsex = "male"\n', "[athlete] field 'age'", "not a whole number"),
    ],
)
def test_bad_body_fields_are_one_clear_error_with_exit_2(runner, plan_file, tmp_path, body, where, says):
    path = plan_file(ATHLETE + body + SESSIONS)
    out = tmp_path / "out.ics"
    result = runner.invoke(main, ["export", str(path), "--week", WEEK, "-o", str(out)])
    assert result.exit_code == 2
    assert f"{path}: {where}" in result.output and says in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize("field", ["rest_day_notes", "energy_notes"])
def test_a_switch_that_is_not_true_or_false_is_refused(runner, plan_file, field):
    path = plan_file(ATHLETE + f'[calendar]\n{field} = "yes"\n' + SESSIONS)
    result = runner.invoke(main, ["check", str(path), "--week", WEEK])
    assert result.exit_code == 2
    assert f"[calendar] field '{field}': 'yes' is not true or false." in result.output


# Rest days --------------------------------------------------------------------------


def rest_days(data: bytes) -> list:
    return [ve for ve in icalendar.Calendar.from_ical(data).walk("VEVENT") if "Rest day" in ve["CATEGORIES"].cats]


def test_rest_day_notes_are_all_day_free_events_on_days_without_sessions(runner, plan_file):
    data = export(runner, plan_file(ATHLETE + "[calendar]\nrest_day_notes = true\n" + SESSIONS))
    notes = rest_days(data)
    assert [ve["DTSTART"].dt for ve in notes] == [date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 4), date(2026, 12, 6)]
    for ve in notes:
        assert ve["DTEND"].dt == date.fromordinal(ve["DTSTART"].dt.toordinal() + 1)
        assert str(ve["TRANSP"]) == "TRANSPARENT"
        assert str(ve["SUMMARY"]) == "Rest day · protein 112-154 g"
        assert "about 28-39 g at each of 4 meals" in str(ve["DESCRIPTION"])
        assert not ve.walk("VALARM")
    # The training sessions stay busy.
    assert str(events(data)["Long run · 90 min"]["TRANSP"]) == "OPAQUE"


def test_rest_day_notes_read_the_same_with_vobject(runner, plan_file):
    data = export(runner, plan_file(ATHLETE + "[calendar]\nrest_day_notes = true\n" + SESSIONS))
    parsed = read_with_vobject(data).vevent_list
    notes = [ve for ve in parsed if ve.summary.value.startswith("Rest day")]
    assert [ve.dtstart.value for ve in notes] == [date(2026, 11, 30), date(2026, 12, 2), date(2026, 12, 4), date(2026, 12, 6)]
    assert all(ve.transp.value == "TRANSPARENT" for ve in notes)
    assert len({ve.uid.value for ve in parsed}) == len(parsed)  # no UID shared with a session


def test_rest_day_notes_with_a_body_carry_the_rest_days_maintenance(runner, plan_file):
    data = export(runner, plan_file(ATHLETE + BODY + "[calendar]\nrest_day_notes = true\n" + SESSIONS))
    (monday, *_) = rest_days(data)
    assert "Maintenance today, roughly: 1970 kcal" in str(monday["DESCRIPTION"])  # no training: daily life only
    assert "no training today" in str(monday["DESCRIPTION"]) and "0 kcal of training" not in str(monday["DESCRIPTION"])


def test_rest_day_notes_keep_their_uids_across_runs_and_weeks(runner, plan_file):
    path = plan_file(ATHLETE + "[calendar]\nrest_day_notes = true\n" + SESSIONS)
    first = [str(ve["UID"]) for ve in rest_days(export(runner, path))]
    again = [str(ve["UID"]) for ve in rest_days(export(runner, path))]
    two = [str(ve["UID"]) for ve in rest_days(export(runner, path, "--weeks", "2"))]
    assert first == again and two[:4] == first and len(set(two)) == 8


def test_rest_day_notes_stay_out_of_a_busy_only_feed(runner, plan_file):
    path = plan_file(ATHLETE + "[calendar]\nrest_day_notes = true\n" + SESSIONS)
    busy = icalendar.Calendar.from_ical(export(runner, path, "--busy-only")).walk("VEVENT")
    assert len(busy) == 4 and all(str(ve["TRANSP"]) == "OPAQUE" for ve in busy)


def test_a_week_without_any_session_gets_seven_rest_day_notes(runner, plan_file):
    data = export(runner, plan_file(ATHLETE + "[calendar]\nrest_day_notes = true\n"))
    assert len(rest_days(data)) == 7


def test_rest_day_notes_are_sent_to_google_as_all_day_free_events(runner, plan_file, fake_google, google_token):
    """`sync` carries them like the sessions: whole days (dates, no times), free, no reminders."""
    result = runner.invoke(main, ["sync", str(plan_file(ATHLETE + "[calendar]\nrest_day_notes = true\n" + SESSIONS)), "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "created 8, updated 0, deleted 0, unchanged 0, conflicts 0"
    live = fake_google.live(fake_google.calendar_named("Training").id).values()
    notes = sorted((e for e in live if "date" in e["start"]), key=lambda e: e["start"]["date"])
    assert [e["start"] for e in notes] == [{"date": d} for d in ("2026-11-30", "2026-12-02", "2026-12-04", "2026-12-06")]
    assert [e["end"] for e in notes] == [{"date": d} for d in ("2026-12-01", "2026-12-03", "2026-12-05", "2026-12-07")]
    for note in notes:
        assert note["transparency"] == "transparent"
        assert note["reminders"] == {"useDefault": False, "overrides": []}
        assert note["summary"] == "Rest day · protein 112-154 g"
        assert "about 28-39 g at each of 4 meals" in note["description"]
    sessions = [e for e in live if "dateTime" in e["start"]]
    assert len(sessions) == 4 and not any("transparency" in e for e in sessions)  # the sessions stay busy


def test_keep_past_carries_last_weeks_rest_day_notes_too(runner, plan_file, tmp_path):
    path = plan_file(ATHLETE + "[calendar]\nrest_day_notes = true\n" + SESSIONS)
    out = tmp_path / "feed.ics"
    assert runner.invoke(main, ["export", str(path), "-o", str(out), "--week", "2026-W48"]).exit_code == 0
    result = runner.invoke(main, ["export", str(path), "-o", str(out), "--week", WEEK, "--keep-past", "1"])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    starts = sorted(ve["DTSTART"].dt for ve in rest_days(data))
    assert starts[:4] == [date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 27), date(2026, 11, 29)]
    assert len(starts) == 8
    assert len(read_with_vobject(data).vevent_list) == 16
