"""Placing flexible sessions: the hard rules, the soft preferences in order, the messages.

Weeks here are 2026-W13 in London unless a test says otherwise: Monday 23
March to Sunday 29 March, when the clocks go forward.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from syncplan.kinds import KINDS
from syncplan.place import Flexible, Window, place
from syncplan.plan import Session
from syncplan.week import IsoWeek, date_session

LONDON = ZoneInfo("Europe/London")
W13 = IsoWeek(2026, 13)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
WEEKDAYS = (MON, TUE, WED, THU, FRI)


def flex(key, kind, minutes, focus=None, days=tuple(range(7)), prefer=None) -> Flexible:
    return Flexible(Session(key, 0, time(0), KINDS[kind], minutes, focus), tuple(days), prefer)


def fixed(key, kind, day, hhmm, minutes, focus=None, week=W13):
    h, m = map(int, hhmm.split(":"))
    return date_session(Session(key, day, time(h, m), KINDS[kind], minutes, focus), week, LONDON)


def windows(*texts, days=range(7)):
    return {d: tuple(Window.parse(t) for t in texts) for d in days}


def at(day, hhmm, tz=LONDON):
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 3, 23 + day, h, m, tzinfo=tz)


def where(result) -> dict[str, str]:
    return {p.key: p.dated.start.strftime("%a %H:%M") for p in result.placements}


def test_tight_week_that_a_first_fit_gets_wrong():
    """Two windows on one day, three sessions: only lift first, then the run, then the jog in the evening works."""
    sessions = [flex("tempo", "tempo", 45, days=[MON]), flex("mobility", "mobility", 20, days=[MON]),
                flex("lift", "strength", 60, "lower", days=[MON])]
    avail = {MON: (Window.parse("06:00-07:00"), Window.parse("17:00-19:00"))}
    # A first fit in the given order puts the tempo run at 06:00 and has nowhere legal for the lift.
    result = place(W13, LONDON, sessions, avail, buffer_minutes=15)
    assert not result.unplaced
    assert where(result) == {"lift": "Mon 06:00", "tempo": "Mon 17:00", "mobility": "Mon 18:00"}


def test_strength_before_running_with_the_gap_on_a_shared_day():
    result = place(W13, LONDON, [flex("run", "intervals", 50, days=[TUE]), flex("lift", "strength", 60, "full", days=[TUE])],
                   windows("06:00-21:00"), min_gap_hours=6)
    assert where(result) == {"lift": "Tue 06:00", "run": "Tue 13:00"}  # 07:00 + 6 h


def test_the_easy_morning_jog_may_come_before_afternoon_lifting():
    lift = fixed("lift", "strength", MON, "13:00", 60, "lower")
    jog = place(W13, LONDON, [flex("jog", "easy", 30, days=[MON])], windows("06:00-07:00"), fixed=[lift])
    assert where(jog) == {"jog": "Mon 06:00"}
    longer = place(W13, LONDON, [flex("run", "easy", 45, days=[MON])], windows("06:00-07:00"), fixed=[lift])
    assert not longer.placements
    (u,) = longer.unplaced
    assert u.constraint == "fixed" and "lift" in u.message and u.message.startswith("run: ")


def test_a_disabled_order_rule_is_not_enforced():
    lift = fixed("lift", "strength", MON, "13:00", 60, "lower")
    result = place(W13, LONDON, [flex("run", "easy", 45, days=[MON])], windows("06:00-07:00"), fixed=[lift],
                   enforce=frozenset({"overlap", "gap"}))
    assert where(result) == {"run": "Mon 06:00"}


def test_busy_time_is_kept_clear_with_buffers():
    busy = [(at(MON, "06:00"), at(MON, "07:10"))]
    result = place(W13, LONDON, [flex("lift", "strength", 60, "lower", days=[MON])], windows("06:00-09:00"), busy=busy,
                   buffer_minutes=15)
    assert where(result) == {"lift": "Mon 07:25"}
    reason = result.placements[0].reason
    assert reason.startswith("Mon 07:25: ") and "60 min + 15 min buffers" in reason


def test_sessions_are_kept_a_buffer_apart_from_fixed_sessions():
    mobility = fixed("mob", "mobility", MON, "06:00", 30)
    result = place(W13, LONDON, [flex("core", "mobility", 20, days=[MON])], windows("06:00-08:00"), fixed=[mobility],
                   buffer_minutes=10)
    assert where(result) == {"core": "Mon 06:40"}


def test_busy_time_in_other_zones_counts_by_its_instant():
    new_york = ZoneInfo("America/New_York")
    busy = [(datetime(2026, 3, 23, 2, 0, tzinfo=new_york), datetime(2026, 3, 23, 3, 0, tzinfo=new_york))]  # 06:00 London
    result = place(W13, LONDON, [flex("jog", "easy", 30, days=[MON])], windows("06:00-08:00"), busy=busy, buffer_minutes=0)
    assert where(result) == {"jog": "Mon 07:00"}


def test_placing_on_the_day_the_clocks_go_forward():
    """00:30-03:00 on that Sunday lasts 90 minutes: 01:00 GMT is 02:00 BST."""
    night = {SUN: (Window.parse("00:30-03:00"),)}
    result = place(W13, LONDON, [flex("jog", "easy", 60, days=[SUN])], night, buffer_minutes=0)
    (p,) = result.placements
    assert p.dated.start == datetime(2026, 3, 29, 0, 30, tzinfo=LONDON)
    assert p.dated.end.strftime("%H:%M %Z") == "02:30 BST"
    too_long = place(W13, LONDON, [flex("long", "long", 100, days=[SUN])], night, buffer_minutes=0)
    (u,) = too_long.unplaced
    assert u.constraint == "window" and "the longest is 90 min" in u.message


@pytest.mark.parametrize(
    "avail, busy, fixed_sessions, constraint, says",
    [
        ({SUN: (Window.parse("06:00-21:00"),)}, [], [], "days", "no availability window on mon, tue"),
        (windows("06:00-06:45"), [], [], "window", "is 60 min long (the longest is 45 min)"),
        (windows("06:00-08:00"), [(at(MON, "06:30"), at(MON, "07:30")), (at(TUE, "05:00"), at(TUE, "09:00"))], [],
         "busy", "no 60-min slot on mon, tue is outside busy time with 15-min buffers"),
        (windows("06:00-08:00"), [], [fixed("sat-long", "long", MON, "08:00", 100), fixed("tempo", "tempo", TUE, "07:00", 45)],
         "fixed", "clashes with fixed sessions (sat-long, tempo)"),
    ],
)
def test_unplaced_names_the_session_and_the_constraint(avail, busy, fixed_sessions, constraint, says):
    result = place(W13, LONDON, [flex("lift-a", "strength", 60, "lower", days=[MON, TUE])], avail, busy=busy,
                   fixed=fixed_sessions, buffer_minutes=15)
    assert not result.placements
    (u,) = result.unplaced
    assert (u.key, u.constraint) == ("lift-a", constraint)
    assert u.message.startswith("lift-a: ") and says in u.message, u.message


def test_when_not_all_fit_the_rest_are_still_placed_and_the_taker_is_named():
    sessions = [flex("lift-a", "strength", 60, "lower", days=[MON]), flex("lift-b", "strength", 60, "upper", days=[MON])]
    result = place(W13, LONDON, sessions, windows("06:00-07:30"), buffer_minutes=15)
    assert where(result) == {"lift-a": "Mon 06:00"}
    (u,) = result.unplaced
    assert u.key == "lift-b" and u.constraint == "together"
    assert "once lift-a (Mon 06:00) is placed; its free slots are taken by it," in u.message


def test_preferred_time_of_day_comes_first():
    result = place(W13, LONDON, [flex("run", "easy", 40, days=[MON], prefer="evening")], windows("06:00-21:00"))
    assert where(result) == {"run": "Mon 17:00"}
    assert "preferred evening" in result.placements[0].reason
    own = place(W13, LONDON, [flex("run", "easy", 40, days=[MON], prefer=Window.parse("12:15-13:00"))], windows("06:00-21:00"))
    assert where(own) == {"run": "Mon 12:15"}


def test_a_preference_that_cannot_be_met_still_places_the_session_and_says_so():
    result = place(W13, LONDON, [flex("run", "easy", 40, days=[MON], prefer="evening")], windows("06:00-09:00"))
    assert where(result) == {"run": "Mon 06:00"}
    assert "no preferred evening slot fits" in result.placements[0].reason


def test_lower_body_lifts_go_48_hours_apart_when_they_can():
    sessions = [flex("lift-a", "strength", 60, "lower", days=WEEKDAYS), flex("lift-b", "strength", 60, "full", days=WEEKDAYS)]
    result = place(W13, LONDON, sessions, windows("06:00-08:00"))
    assert where(result) == {"lift-a": "Mon 06:00", "lift-b": "Wed 06:00"}
    upper = [flex("lift-a", "strength", 60, "lower", days=WEEKDAYS), flex("lift-b", "strength", 60, "upper", days=WEEKDAYS)]
    # An upper-body lift may go on the next day, so earliest wins; the hard-days rule still keeps Tuesday free.
    assert where(place(W13, LONDON, upper, windows("06:00-08:00")))["lift-b"] != "Tue 06:00"


def test_hard_sessions_avoid_consecutive_days_where_the_week_allows():
    long_run = fixed("sat-long", "long", SAT, "08:00", 100)
    result = place(W13, LONDON, [flex("tempo", "tempo", 45, days=[THU, FRI])], windows("06:00-07:00"), fixed=[long_run])
    assert where(result) == {"tempo": "Thu 06:00"}
    only_friday = place(W13, LONDON, [flex("tempo", "tempo", 45, days=[FRI])], windows("06:00-07:00"), fixed=[long_run])
    assert where(only_friday) == {"tempo": "Fri 06:00"}


def test_the_same_time_as_last_week_beats_earliest():
    result = place(W13, LONDON, [flex("run", "easy", 40, days=WEEKDAYS)], windows("06:00-21:00"), last={"run": (TUE, time(18, 0))})
    assert where(result) == {"run": "Tue 18:00"}
    assert "at its usual time" in result.placements[0].reason


def test_last_weeks_time_taken_by_busy_time_moves_the_session_and_says_so():
    busy = [(at(TUE, "17:00"), at(TUE, "20:00"))]
    result = place(W13, LONDON, [flex("run", "easy", 40, days=WEEKDAYS)], windows("06:00-21:00"), busy=busy,
                   last={"run": (TUE, time(18, 0))})
    assert where(result) == {"run": "Mon 06:00"}
    assert "its usual time is not free this week" in result.placements[0].reason


def plan_week(busy):
    sessions = [
        flex("lift-a", "strength", 60, "lower", days=[MON, TUE, WED], prefer="morning"),
        flex("lift-b", "strength", 60, "lower", days=[WED, THU, FRI], prefer="morning"),
        flex("tempo", "tempo", 45, days=WEEKDAYS, prefer="evening"),
        flex("easy", "easy", 30, days=WEEKDAYS),
    ]
    avail = {**windows("06:00-08:30", "17:30-21:00", days=WEEKDAYS), SAT: (Window.parse("07:00-12:00"),)}
    return sessions, avail


def test_a_new_busy_block_away_from_the_sessions_moves_nothing_and_one_in_the_way_moves_one():
    sessions, avail = plan_week([])
    first = place(W13, LONDON, sessions, avail, fixed=[fixed("sat-long", "long", SAT, "08:00", 100)])
    assert not first.unplaced
    last = {p.key: (p.dated.session.day, p.dated.session.start) for p in first.placements}
    before = where(first)
    free_time = [(p.dated.start, p.dated.end) for p in first.placements]
    # A meeting in a gap between placed sessions, far from all of them.
    quiet = [(at(MON, "12:00"), at(MON, "13:00")), (at(THU, "10:00"), at(THU, "11:00"))]
    again = place(W13, LONDON, sessions, avail, fixed=[fixed("sat-long", "long", SAT, "08:00", 100)], busy=quiet, last=last)
    assert where(again) == before
    # A meeting on top of the easy run moves that one only.
    key = "easy"
    clash = [free_time[[p.key for p in first.placements].index(key)]]
    moved = place(W13, LONDON, sessions, avail, fixed=[fixed("sat-long", "long", SAT, "08:00", 100)], busy=clash, last=last)
    now = where(moved)
    assert not moved.unplaced
    assert now[key] != before[key]
    assert {k: v for k, v in now.items() if k != key} == {k: v for k, v in before.items() if k != key}


def test_same_inputs_give_the_same_placement():
    sessions, avail = plan_week([])
    runs = [place(W13, LONDON, sessions, avail, fixed=[fixed("sat-long", "long", SAT, "08:00", 100)]) for _ in range(3)]
    assert runs[0] == runs[1] == runs[2]


def test_reason_says_where_and_why():
    result = place(W13, LONDON, [flex("lift-a", "strength", 60, "lower", days=[MON, TUE, WED], prefer="morning")],
                   {TUE: (Window.parse("06:00-07:00"),)}, buffer_minutes=15)
    assert result.placements[0].reason == (
        "Tue 06:00: in its preferred morning time; the only slot on mon–wed free for 60 min + 15 min buffers"
    )


@pytest.mark.parametrize("text", ["06:00", "6-8", "08:00-06:00", "06:00-24:30", "25:00-26:00", "06:60-07:00"])
def test_a_window_that_is_not_one_is_refused(text):
    with pytest.raises(ValueError):
        Window.parse(text)


def test_a_window_may_end_at_midnight():
    assert Window.parse("21:00-24:00") == Window(21 * 60, 24 * 60)
    assert str(Window.parse("6:05-7:00")) == "06:05-07:00"


def test_a_week_with_more_sessions_than_room_settles_quickly_and_places_what_fits():
    """Ten sessions for seven one-hour windows: counting sessions per window proves it without trying every order."""
    sessions = [flex(f"s{n:02d}", "mobility" if n % 2 else "easy", 45) for n in range(10)]
    result = place(W13, LONDON, sessions, windows("06:00-07:00"), buffer_minutes=15)
    assert len(result.placements) == 7
    assert sorted(u.key for u in result.unplaced) == ["s07", "s08", "s09"]
    assert {u.constraint for u in result.unplaced} == {"together"}


def test_placing_around_a_real_calendar_export():
    """The Google fixture's week: stand-ups at 09:30, lunch on Tuesday, an all-day offsite on Saturday."""
    from pathlib import Path

    from syncplan.busy import read_busy

    start, end = datetime(2026, 3, 23, tzinfo=LONDON), datetime(2026, 3, 30, tzinfo=LONDON)
    data = (Path(__file__).parent / "fixtures" / "busy" / "google.ics").read_bytes()
    busy = read_busy(data, start, end, LONDON, "google.ics")
    sessions = [flex("lift-a", "strength", 60, "lower", days=[TUE], prefer=Window.parse("09:00-12:00")),
                flex("long", "long", 100, days=[SAT, SUN])]
    result = place(W13, LONDON, sessions, windows("06:00-21:00"), busy=busy, buffer_minutes=15)
    # 09:30-09:45 stand-up plus buffers leaves 10:00; the offsite fills Saturday, brunch is 10:00-11:30 on Sunday.
    assert where(result) == {"lift-a": "Tue 10:00", "long": "Sun 06:00"}


def test_the_result_says_whether_the_search_proved_it_the_best():
    small = place(W13, LONDON, [flex("lift-a", "strength", 60, "lower"), flex("run", "tempo", 45)], windows("06:00-08:00"))
    assert small.optimal
    # Six lower-body lifts cannot all be 48 h apart in a week; proving the least-bad spacing takes longer than allowed.
    crowded = place(W13, LONDON, [flex(f"lift-{n}", "strength", 45, "lower") for n in range(6)], windows("06:00-21:00"))
    assert not crowded.unplaced and not crowded.optimal


def hard_days(result, fixed_sessions=()):
    """The local weekday of every hard session, placed or fixed, one entry per session."""
    dated = [p.dated for p in result.placements] + list(fixed_sessions)
    return sorted(d.session.day for d in dated if d.session.kind.hard)


def test_two_hard_sessions_go_on_different_days_even_when_that_makes_days_in_a_row():
    """The tester's plan: hills and tempo were stacked on Monday after the morning lift, with Tuesday and Wednesday empty."""
    weekdays = (MON, TUE, WED, THU, FRI, SAT)
    sessions = [
        flex("lift-a", "strength", 60, "lower", days=[MON, TUE, WED], prefer="morning"),
        flex("lift-b", "strength", 60, "lower", days=[THU, FRI], prefer="morning"),
        flex("tempo", "tempo", 45, prefer="evening"),
        flex("hills", "hills", 50),
    ]
    avail = {**windows("06:00-21:00", days=weekdays), MON: (Window.parse("06:00-08:30"), Window.parse("17:30-21:00"))}
    long_run = fixed("sat-long", "long", SAT, "08:00", 90)
    result = place(W13, LONDON, sessions, avail, fixed=[long_run], buffer_minutes=15)
    assert not result.unplaced
    days = hard_days(result, [long_run])
    assert len(days) == len(set(days)) == 5, where(result)
    # Five hard days out of six make three pairs in a row at least; counting by days alone shows this is the best.
    assert result.optimal


def test_a_hard_run_goes_the_day_before_a_long_run_rather_than_the_same_morning():
    long_run = fixed("sat-long", "long", SAT, "08:00", 100)
    result = place(W13, LONDON, [flex("tempo", "tempo", 45, days=[FRI, SAT])], windows("06:00-21:00"), fixed=[long_run])
    assert where(result) == {"tempo": "Fri 06:00"}
    # On Saturday only, the same day it is: the preference gives way, the session is still placed.
    only_saturday = place(W13, LONDON, [flex("tempo", "tempo", 45, days=[SAT])], windows("06:00-21:00"), fixed=[long_run])
    assert where(only_saturday) == {"tempo": "Sat 06:00"}


def test_a_week_that_cannot_hold_everything_leaves_out_as_few_sessions_as_it_can():
    """The lift needs six hours before a run; the window is three hours. Both runs fit without the lift."""
    sessions = [flex("lift", "strength", 60, "lower"), flex("run1", "tempo", 60), flex("run2", "intervals", 60)]
    result = place(W13, LONDON, sessions, {MON: (Window.parse("06:00-09:00"),)}, buffer_minutes=0)
    assert where(result) == {"run1": "Mon 06:00", "run2": "Mon 07:00"}
    (u,) = result.unplaced
    assert u.key == "lift" and u.constraint == "together"
    assert u.message.startswith("lift: ") and "once run1 (Mon 06:00), run2 (Mon 07:00) are placed" in u.message


def test_among_ways_to_leave_out_equally_many_the_hard_runs_are_kept():
    """Two hours: any two of the three runs fit, the lift fits with none of them. The two hard runs stay."""
    sessions = [flex("lift", "strength", 60, "lower"), flex("run1", "tempo", 60), flex("run2", "intervals", 60),
                flex("run3", "easy", 60)]
    result = place(W13, LONDON, sessions, {MON: (Window.parse("06:00-08:00"),)}, buffer_minutes=0)
    assert sorted(where(result)) == ["run1", "run2"]
    assert sorted((u.key, u.constraint) for u in result.unplaced) == [("lift", "together"), ("run3", "together")]
