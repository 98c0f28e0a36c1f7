"""Dating a plan for ISO weeks: wall-clock times across DST in several zones."""

from datetime import date, datetime, timedelta, timezone

import pytest

from conftest import PLANS
from syncplan.errors import InvalidInput
from syncplan.plan import load_plan
from syncplan.week import IsoWeek, date_week, resolve_weeks

UTC = timezone.utc


def by_key(week):
    return {d.key: d for d in week.sessions}


def test_london_summer_and_winter_offsets():
    plan = load_plan(PLANS / "london.toml")
    winter = by_key(date_week(plan, IsoWeek(2026, 3)))["tue-lift"]
    summer = by_key(date_week(plan, IsoWeek(2026, 27)))["tue-lift"]
    assert winter.utc_start == datetime(2026, 1, 13, 7, 0, tzinfo=UTC)
    assert summer.utc_start == datetime(2026, 6, 30, 6, 0, tzinfo=UTC)


def test_london_spring_forward_gap_moves_later_and_is_flagged():
    plan = load_plan(PLANS / "london.toml")
    week = date_week(plan, IsoWeek(2026, 13))  # clocks go forward Sun 29 Mar 01:00 -> 02:00
    long_run = by_key(week)["sun-long"]
    assert long_run.dst_shift == "gap"
    assert (long_run.start.hour, long_run.start.minute) == (2, 30)
    assert long_run.utc_start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert long_run.utc_end - long_run.utc_start == timedelta(minutes=90)
    assert [(w, b, a) for w, b, a in week.transitions] == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), timedelta(0), timedelta(hours=1))
    ]


def test_london_fall_back_repeated_hour_takes_the_first():
    plan = load_plan(PLANS / "london.toml")
    long_run = by_key(date_week(plan, IsoWeek(2026, 43)))["sun-long"]  # Sun 25 Oct
    assert long_run.dst_shift == "fold"
    assert long_run.utc_start == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    assert long_run.utc_end == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)  # 90 real minutes later
    assert long_run.end.strftime("%H:%M") == "02:00"


def test_new_york_dst_weeks():
    plan = load_plan(PLANS / "new-york.toml")
    spring = by_key(date_week(plan, IsoWeek(2026, 10)))  # Sun 8 Mar 2026, 02:00 -> 03:00
    assert spring["sun-easy"].dst_shift == "gap"
    assert spring["sun-easy"].start.strftime("%H:%M") == "03:30"
    assert spring["mon-strength"].utc_start == datetime(2026, 3, 2, 11, 30, tzinfo=UTC)  # EST
    autumn = by_key(date_week(plan, IsoWeek(2026, 44)))  # Sun 1 Nov 2026, 02:00 -> 01:00
    assert autumn["sun-easy"].dst_shift is None  # 02:30 exists once
    assert autumn["sun-easy"].utc_start == datetime(2026, 11, 1, 7, 30, tzinfo=UTC)
    assert autumn["mon-strength"].utc_start == datetime(2026, 10, 26, 10, 30, tzinfo=UTC)  # EDT


def test_half_hour_zone_without_dst():
    plan = load_plan(PLANS / "kolkata.toml")
    week = date_week(plan, IsoWeek(2026, 49))
    assert week.transitions == ()
    assert by_key(week)["tue-intervals"].utc_start == datetime(2026, 12, 1, 0, 15, tzinfo=UTC)


def test_half_hour_dst_zone(plan_file):
    path = plan_file(
        '[athlete]\ntimezone = "Australia/Lord_Howe"\n'
        '[[session]]\nday = "sun"\nstart = "02:15"\nkind = "easy"\nminutes = 30\n'
    )
    week = date_week(load_plan(path), IsoWeek(2026, 40))  # Sun 4 Oct 2026, 02:00 -> 02:30
    session = week.sessions[0]
    assert session.dst_shift == "gap"
    assert session.start.strftime("%H:%M") == "02:45"
    assert [a - b for _, b, a in week.transitions] == [timedelta(minutes=30)]


@pytest.mark.parametrize(
    ("spec", "today", "first"),
    [
        ("next", date(2026, 11, 29), IsoWeek(2026, 49)),  # a Sunday cron run lays out tomorrow's week
        ("next", date(2026, 11, 30), IsoWeek(2026, 50)),  # on a Monday, "next" is the following week
        ("this", date(2026, 11, 29), IsoWeek(2026, 48)),
        ("2026-W53", date(2026, 1, 1), IsoWeek(2026, 53)),
        ("2026w01", date(2026, 1, 1), IsoWeek(2026, 1)),
        ("2027-01-01", date(2026, 1, 1), IsoWeek(2026, 53)),
    ],
)
def test_resolve_weeks(spec, today, first):
    assert resolve_weeks(spec, 1, today) == [first]


def test_resolve_consecutive_weeks_cross_the_year():
    weeks = resolve_weeks("2026-W52", 3, date(2026, 1, 1))
    assert [w.label for w in weeks] == ["2026-W52", "2026-W53", "2027-W01"]


@pytest.mark.parametrize("spec", ["2025-W53", "someday", "2026-13-01", ""])
def test_resolve_rejects_bad_weeks(spec):
    with pytest.raises(InvalidInput, match="--week"):
        resolve_weeks(spec, 1, date(2026, 1, 1))


def test_resolve_rejects_bad_counts():
    with pytest.raises(InvalidInput, match="--weeks 0"):
        resolve_weeks("next", 0, date(2026, 1, 1))


@pytest.mark.parametrize(
    ("spec", "count"),
    [("0001-W01", 1), ("9999-W52", 1), ("0001-01-01", 1), ("9999-12-31", 1), ("9996-W51", 2), ("0003-W01", 1)],
)
def test_resolve_refuses_weeks_dates_cannot_hold(spec, count):
    with pytest.raises(InvalidInput, match="from 0003-W02 to 9996-W51"):
        resolve_weeks(spec, count, date(2026, 1, 1))


def test_the_first_and_last_weeks_resolve_and_date():
    plan_first = resolve_weeks("0003-W02", 1, date(2026, 1, 1))
    assert [w.label for w in plan_first] == ["0003-W02"]
    assert [w.label for w in resolve_weeks("9996-W50", 2, date(2026, 1, 1))] == ["9996-W50", "9996-W51"]
