"""The concurrent-training rules, one plan per situation."""

import pytest

from syncplan.build import build
from syncplan.cli import main
from syncplan.plan import parse_plan
from syncplan.rules import check
from syncplan.week import IsoWeek, date_week

HEAD = '[athlete]\ntimezone = "Europe/London"\ngoal = "{goal}"\n{rules}\n'


def session(day, start, kind, minutes, **extra):
    lines = [f'day = "{day}"', f'start = "{start}"', f'kind = "{kind}"', f"minutes = {minutes}"]
    lines += [f'{k} = "{v}"' for k, v in extra.items()]
    return "[[session]]\n" + "\n".join(lines) + "\n"


# Two lifts and a hill session keep the week-level rules quiet unless a test wants them.
BASE = session("mon", "18:00", "strength", 60) + session("fri", "18:00", "strength", 60) + session("sat", "10:00", "hills", 45)


def findings(*sessions, goal="muscle", rules="", base=BASE, weeks=1):
    plan = parse_plan(HEAD.format(goal=goal, rules=rules) + base + "".join(sessions), "rules.toml")
    if weeks == 1:
        return check(plan, date_week(plan, IsoWeek(2026, 49)))
    return list(build(plan, [IsoWeek(2026, 49), IsoWeek(2026, 50)][:weeks]).findings)


def rules_of(found):
    return sorted(f.rule for f in found)


def test_a_well_ordered_week_has_no_findings():
    assert findings(session("tue", "07:00", "strength", 60), session("tue", "14:00", "tempo", 45)) == []


def test_overlap_is_an_error_naming_both_sessions():
    found = findings(session("wed", "07:00", "strength", 60, id="lift"), session("wed", "07:30", "easy", 30, id="jog"))
    overlap = [f for f in found if f.rule == "overlap"]
    assert len(overlap) == 1
    assert overlap[0].severity == "error"
    assert set(overlap[0].sessions) == {"lift", "jog"}


def test_back_to_back_sessions_do_not_overlap():
    found = findings(session("wed", "07:00", "mobility", 30), session("wed", "07:30", "mobility", 30))
    assert "overlap" not in rules_of(found)


def test_gap_warns_when_the_run_comes_too_soon_after_lifting():
    found = findings(session("tue", "07:00", "strength", 60), session("tue", "13:00", "tempo", 45))
    gap = [f for f in found if f.rule == "gap"]
    assert [f.severity for f in gap] == ["warning"]
    assert "5 h after" in gap[0].message


def test_gap_threshold_comes_from_the_plan():
    found = findings(
        session("tue", "07:00", "strength", 60), session("tue", "13:00", "tempo", 45), rules="[rules]\nmin_gap_hours = 4"
    )
    assert "gap" not in rules_of(found)


def test_hard_run_before_lifting_is_an_order_warning():
    found = findings(session("tue", "07:00", "intervals", 45), session("tue", "18:00", "strength", 60))
    order = [f for f in found if f.rule == "order"]
    assert [f.severity for f in order] == ["warning"]
    assert "hard run" in order[0].message


def test_short_easy_morning_jog_before_afternoon_lifting_is_fine():
    assert findings(session("tue", "07:00", "easy", 30), session("tue", "17:00", "strength", 60)) == []


@pytest.mark.parametrize(
    ("jog_start", "jog_minutes", "lift_start"),
    [("07:00", 25, "12:00"), ("11:30", 30, "12:00"), ("09:00", 20, "13:30")],
)
def test_easy_morning_jog_needs_no_six_hour_gap_before_afternoon_lifting(jog_start, jog_minutes, lift_start):
    found = findings(session("tue", jog_start, "easy", jog_minutes), session("tue", lift_start, "strength", 60))
    assert found == []


@pytest.mark.parametrize(
    ("kind", "jog_start", "jog_minutes", "lift_start"),
    [
        ("easy", "07:00", 45, "17:00"),  # longer than 30 min
        ("easy", "11:45", 30, "17:00"),  # ends after noon: not a morning jog
        ("easy", "07:00", 30, "11:00"),  # the lift is not in the afternoon
        ("tempo", "07:00", 25, "17:00"),  # not an easy run
    ],
)
def test_runs_before_lifting_outside_the_allowance_warn(kind, jog_start, jog_minutes, lift_start):
    found = findings(session("tue", jog_start, kind, jog_minutes), session("tue", lift_start, "strength", 60))
    assert rules_of(found) == ["order"]


def test_gap_is_measured_across_midnight():
    found = findings(
        session("wed", "22:30", "strength", 89, id="late-lift"), session("thu", "01:00", "tempo", 30, id="night-run")
    )
    gap = [f for f in found if f.rule == "gap"]
    assert [f.sessions for f in gap] == [("late-lift", "night-run")]
    assert "1 h 01 min after" in gap[0].message


def test_a_run_at_midnight_is_not_before_a_lift_late_that_day():
    assert findings(session("wed", "00:00", "hills", 45), session("wed", "22:00", "strength", 45)) == []


@pytest.mark.parametrize(("lift_start", "fires"), [("18:00", False), ("17:59", True)])
def test_order_window_is_twelve_hours_from_the_end_of_the_run(lift_start, fires):
    found = findings(session("tue", "05:00", "tempo", 60), session("tue", lift_start, "strength", 60))
    assert ("order" in rules_of(found)) is fires


def test_a_hard_evening_run_before_a_morning_lift_is_an_order_warning():
    found = findings(
        session("wed", "19:00", "intervals", 60, id="eve"), session("thu", "07:00", "strength", 60, id="am")
    )
    assert [(f.rule, f.sessions) for f in found] == [("order", ("eve", "am"))]


def test_overlap_across_the_boundary_of_two_exported_weeks_is_an_error():
    late, early = session("sun", "23:30", "long", 60, id="late"), session("mon", "00:00", "mobility", 20, id="early")
    found = findings(late, early, weeks=2)
    overlap = [f for f in found if f.rule == "overlap"]
    assert [(f.week, f.severity, f.sessions) for f in overlap] == [("2026-W49", "error", ("late", "2026-W50/early"))]


def test_short_gap_across_the_boundary_of_two_exported_weeks_warns():
    lift, jog = session("sun", "22:00", "strength", 60, id="sun-lift"), session("mon", "01:00", "easy", 30, id="mon-jog")
    found = findings(lift, jog, weeks=2)
    gap = [f for f in found if f.rule == "gap"]
    assert [(f.week, f.sessions) for f in gap] == [("2026-W49", ("sun-lift", "2026-W50/mon-jog"))]


def test_intervals_count_as_the_weekly_hill_or_sprint_session():
    base = session("mon", "18:00", "strength", 60) + session("fri", "18:00", "strength", 60)
    assert findings(session("sat", "10:00", "intervals", 45), base=base) == []
    assert rules_of(findings(session("sat", "10:00", "tempo", 45), base=base)) == ["hill-or-sprint"]


def test_hill_or_sprint_missing_for_muscle_goal():
    base = session("mon", "18:00", "strength", 60) + session("fri", "18:00", "strength", 60)
    found = findings(session("sat", "10:00", "easy", 45), base=base)
    assert rules_of(found) == ["hill-or-sprint"]
    assert findings(session("sat", "10:00", "easy", 45), base=base, goal="performance") == []
    assert findings(session("sat", "10:00", "sprints", 30), base=base) == []


@pytest.mark.parametrize(("lifts", "severity"), [(0, "warning"), (1, "info")])
def test_strength_count(lifts, severity):
    base = session("sat", "10:00", "hills", 45) + "".join(session(d, "18:00", "strength", 60) for d in ("mon", "fri")[:lifts])
    count = [f for f in findings(base=base) if f.rule == "strength-count"]
    assert [f.severity for f in count] == [severity]


def test_two_upper_body_sessions_do_not_satisfy_strength_count():
    base = session("sat", "10:00", "hills", 45) + "".join(
        session(d, "18:00", "strength", 60, focus="upper", id=f"{d}-up") for d in ("mon", "fri")
    )
    count = [f for f in findings(base=base) if f.rule == "strength-count"]
    assert [f.severity for f in count] == ["warning"]
    assert "0 lower-body strength sessions (focus lower or full)" in count[0].message
    assert "mon-up, fri-up" in count[0].message


def test_lower_and_full_body_sessions_satisfy_strength_count():
    base = (
        session("sat", "10:00", "hills", 45)
        + session("mon", "18:00", "strength", 60, focus="lower")
        + session("fri", "18:00", "strength", 60, focus="full")
    )
    assert findings(base=base) == []


@pytest.mark.parametrize(("meals", "noted"), [(2, True), (3, False), (5, False), (6, True)])
def test_meals_outside_three_to_five_get_an_info_finding(meals, noted):
    found = findings(rules=f"meals = {meals}")
    meal = [f for f in found if f.rule == "meals"]
    assert [f.severity for f in meal] == (["info"] if noted else [])
    if noted:
        assert "3-5 meals" in meal[0].message


def test_a_plan_without_sessions_gets_a_warning_that_says_so():
    found = findings(base="")
    assert [(f.rule, f.severity) for f in found] == [("empty", "warning")]
    assert "no sessions" in found[0].message


def test_exporting_a_plan_without_sessions_warns_on_stderr(runner, plan_file):
    path = plan_file('[athlete]\ntimezone = "Europe/London"\n')
    result = runner.invoke(main, ["export", str(path), "--week", "2026-W49"])
    assert result.exit_code == 0
    assert "warning  empty: the plan has no sessions" in result.stderr
    assert "BEGIN:VEVENT" not in result.stdout


def test_disabled_rules_are_silent():
    found = findings(
        session("tue", "07:00", "intervals", 45),
        session("tue", "08:00", "strength", 60),
        rules='[rules]\ndisable = ["order", "gap"]',
    )
    assert rules_of(found) == []


def test_dst_week_reports_the_change_and_the_moved_session():
    plan = parse_plan(HEAD.format(goal="both", rules="") + BASE + session("sun", "01:30", "long", 90), "dst.toml")
    found = check(plan, date_week(plan, IsoWeek(2026, 13)))
    dst = [f for f in found if f.rule == "dst"]
    assert all(f.severity == "info" for f in dst)
    assert any("clocks go forward" in f.message for f in dst)
    assert any(f.sessions == ("sun-long",) and "02:30" in f.message for f in dst)


def test_a_pile_up_of_overlapping_sessions_is_one_error_naming_each():
    pile = [session("wed", "07:00", "easy", 60, id=f"run{i}") for i in range(5)]
    found = [f for f in findings(*pile) if f.rule == "overlap"]
    assert len(found) == 1
    assert found[0].message.startswith("5 sessions overlap: ")
    assert found[0].sessions == tuple(f"run{i}" for i in range(5))
