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
    # The plan repeats: the week before and the week after are neighbours too.
    assert [(f.week, f.severity, f.sessions) for f in overlap] == [
        ("2026-W49", "error", ("2026-W48/late", "early")),
        ("2026-W49", "error", ("late", "2026-W50/early")),
        ("2026-W50", "error", ("late", "2026-W51/early")),
    ]


def test_short_gap_across_the_boundary_of_two_exported_weeks_warns():
    lift, jog = session("sun", "22:00", "strength", 60, id="sun-lift"), session("mon", "01:00", "easy", 30, id="mon-jog")
    found = findings(lift, jog, weeks=2)
    gap = [f for f in found if f.rule == "gap"]
    assert [(f.week, f.sessions) for f in gap] == [
        ("2026-W49", ("2026-W48/sun-lift", "mon-jog")),
        ("2026-W49", ("sun-lift", "2026-W50/mon-jog")),
        ("2026-W50", ("sun-lift", "2026-W51/mon-jog")),
    ]


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


# The plan repeats every week: the week before and after an export are neighbours.

SUNDAY_LIFT_MONDAY_RUN = (
    '[athlete]\ntimezone = "Europe/London"\n'
    '[[session]]\nid = "late-lift"\nday = "sun"\nstart = "22:30"\nkind = "strength"\nminutes = {minutes}\n'
    '[[session]]\nid = "night-run"\nday = "mon"\nstart = "01:00"\nkind = "tempo"\nminutes = 45\n'
)


def test_one_week_check_finds_the_gap_to_the_next_and_previous_week(runner, plan_file):
    path = plan_file(SUNDAY_LIFT_MONDAY_RUN.format(minutes=89))
    result = runner.invoke(main, ["check", str(path), "--week", "2026-W49"])
    assert result.exit_code == 0, result.output
    gaps = [line for line in result.output.splitlines() if " gap: " in line]
    assert len(gaps) == 2, result.output
    assert "night-run (Mon 01:00) starts 1 h 01 min after 2026-W48/late-lift ends" in gaps[0]
    assert "2026-W50/night-run (Mon 01:00) starts 1 h 01 min after late-lift ends" in gaps[1]


def test_one_week_check_finds_an_overlap_with_the_next_week(runner, plan_file):
    path = plan_file(SUNDAY_LIFT_MONDAY_RUN.format(minutes=180))
    result = runner.invoke(main, ["check", str(path), "--week", "2026-W49"])
    assert result.exit_code == 1, result.output
    assert "error    overlap: late-lift (Sun 22:30, 180 min) and 2026-W50/night-run (Mon 01:00) overlap" in result.output


def _descriptions(plan, first, count):
    weeks = [first]
    while len(weeks) < count:
        weeks.append(weeks[-1].next())
    return {e.uid: e.description for e in build(plan, weeks).events}


def test_an_events_text_does_not_depend_on_the_export_window():
    plan = parse_plan(SUNDAY_LIFT_MONDAY_RUN.format(minutes=89), "plan.toml")
    a = _descriptions(plan, IsoWeek(2026, 49), 2)
    b = _descriptions(plan, IsoWeek(2026, 50), 2)
    shared = set(a) & set(b)
    assert len(shared) == 2
    for uid in shared:
        assert a[uid] == b[uid]
    run = next(text for uid, text in a.items() if uid in shared and text.startswith("Tempo"))
    assert "Heads-up" in run


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_KINDS = ("strength", "easy", "tempo", "hills", "long", "mobility")


@st.composite
def _plans(draw):
    count = draw(st.integers(1, 6))
    text = '[athlete]\ntimezone = "{}"\n'.format(draw(st.sampled_from(["Europe/London", "America/New_York", "UTC"])))
    text += "[rules]\nmin_gap_hours = {}\n".format(draw(st.sampled_from([0, 4, 6, 12, 24])))
    for i in range(count):
        day = draw(st.sampled_from(["mon", "tue", "sat", "sun"]))
        hour, minute = draw(st.integers(0, 23)), draw(st.sampled_from([0, 30, 59]))
        text += (
            f'[[session]]\nid = "s{i}"\nday = "{day}"\nstart = "{hour:02d}:{minute:02d}"\n'
            f'kind = "{draw(st.sampled_from(_KINDS))}"\nminutes = {draw(st.integers(1, 720))}\n'
        )
    return parse_plan(text, "plan.toml")


@settings(max_examples=100, deadline=None)
@given(
    plan=_plans(),
    week=st.integers(1, 52),
    first=st.tuples(st.integers(0, 3), st.integers(1, 3)),
    second=st.tuples(st.integers(0, 3), st.integers(1, 3)),
)
def test_property_an_events_text_is_the_same_in_every_window_that_holds_it(plan, week, first, second):
    base = IsoWeek(2026, week)
    windows = []
    for offset, count in (first, second):
        start = base
        for _ in range(offset):
            start = start.next()
        windows.append(_descriptions(plan, start, count))
    a, b = windows
    for uid in set(a) & set(b):
        assert a[uid] == b[uid]


def test_check_lists_a_weeks_findings_in_time_order(runner, plan_file):
    text = HEAD.format(goal="muscle", rules="") + BASE
    text += session("thu", "19:00", "mobility", 20, id="thu-a") + session("thu", "19:10", "mobility", 20, id="thu-b")
    text += session("wed", "07:00", "strength", 60, id="wed-lift") + session("wed", "09:00", "tempo", 30, id="wed-run")
    text += session("tue", "08:00", "strength", 30, id="tue-lift", focus="upper")
    result = runner.invoke(main, ["check", str(plan_file(text)), "--week", "2026-W49"])
    lines = result.output.splitlines()[:-1]
    # Wednesday's gap (a warning) before Thursday's overlap (an error); the week as a whole comes last.
    assert [line.split()[2] for line in lines] == ["gap:", "overlap:"], result.output
    assert "wed-run" in lines[0] and "thu-a" in lines[1]


def test_show_marks_the_session_of_the_next_week_in_a_cross_week_finding(runner, plan_file):
    text = HEAD.format(goal="muscle", rules="") + session("sun", "22:30", "strength", 89, id="late-lift")
    text += session("mon", "01:00", "tempo", 45, id="night-run")
    result = runner.invoke(main, ["show", str(plan_file(text)), "--week", "2026-W49", "--weeks", "2"])
    second_week = result.output.split("2026-W50  ")[1]
    run_line = next(line for line in second_week.splitlines() if "[night-run]" in line)
    assert " ! 01:00" in run_line, result.output


def test_a_finding_names_the_zone_of_a_time_in_the_repeated_hour():
    pair = session("sun", "01:00", "hills", 40, id="hills") + session("sun", "01:30", "strength", 60, id="night")
    plan = parse_plan(HEAD.format(goal="muscle", rules="") + BASE + pair, "rules.toml")
    fall_back = next(f for f in check(plan, date_week(plan, IsoWeek(2026, 43))) if f.rule == "overlap")
    assert "hills (Sun 01:00 BST, 40 min) and night (Sun 01:30 BST) overlap" in fall_back.message
    ordinary = next(f for f in check(plan, date_week(plan, IsoWeek(2026, 49))) if f.rule == "overlap")
    assert "hills (Sun 01:00, 40 min) and night (Sun 01:30) overlap" in ordinary.message
