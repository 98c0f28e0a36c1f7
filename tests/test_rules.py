"""The concurrent-training rules, one plan per situation."""

import pytest

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


def findings(*sessions, goal="muscle", rules="", base=BASE):
    plan = parse_plan(HEAD.format(goal=goal, rules=rules) + base + "".join(sessions), "rules.toml")
    return check(plan, date_week(plan, IsoWeek(2026, 49)))


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
    ("jog_start", "jog_minutes"),
    [("07:00", 45), ("11:00", 30)],  # too long; too close to the lift
)
def test_easy_run_before_lifting_outside_the_allowance_warns(jog_start, jog_minutes):
    found = findings(session("tue", jog_start, "easy", jog_minutes), session("tue", "17:00", "strength", 60))
    assert "order" in rules_of(found)


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
