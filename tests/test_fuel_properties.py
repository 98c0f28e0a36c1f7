"""Properties of the fuel notes over random plans, read back from the exported .ics."""

import re
from datetime import date, datetime, timedelta

import icalendar
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncplan.build import build
from syncplan.ics import to_ical
from syncplan.kinds import KINDS
from syncplan.plan import DAYS, parse_plan
from syncplan.week import IsoWeek

NOW = datetime(2026, 11, 25, 12, 0)
sessions = st.lists(
    st.tuples(st.sampled_from(DAYS), st.integers(0, 23), st.sampled_from(sorted(KINDS)), st.integers(1, 240)),
    max_size=8,
)
zones = st.sampled_from(["UTC", "Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/Santiago"])
weeks = st.builds(IsoWeek, st.integers(2025, 2028), st.integers(1, 52))


def plan_text(zone, weight, items, body):
    lines = [f'[athlete]\nweight_kg = {weight}\ntimezone = "{zone}"']
    if body:
        lines.append('height_cm = 170\nage = 40\nsex = "female"')
    lines.append("[calendar]\nenergy_notes = true\nrest_day_notes = true")
    for day, hour, kind, minutes in items:
        lines.append(f'[[session]]\nday = "{day}"\nstart = "{hour:02d}:00"\nkind = "{kind}"\nminutes = {minutes}')
    return "\n".join(lines) + "\n"


def kcal(text: str, label: str) -> list[int]:
    return [int(n) for n in re.findall(label + r" about (\d+) kcal", text)]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(zones, st.integers(40, 120), sessions, st.booleans(), weeks, st.integers(1, 3))
def test_each_day_has_sessions_or_a_rest_note_and_the_day_total_adds_up(zone, weight, items, body, first, count):
    plan = parse_plan(plan_text(zone, weight, items, body), "plan.toml")
    span = [first]
    while len(span) < count:
        span.append(span[-1].next())
    built = build(plan, span)
    data = to_ical(list(built.calendar_events), plan.calendar_name, plan.timezone, NOW.astimezone())
    vevents = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert len({str(ve["UID"]) for ve in vevents}) == len(vevents)

    rest = {ve["DTSTART"].dt for ve in vevents if type(ve["DTSTART"].dt) is date}
    trained: dict[date, list] = {}
    for ve in vevents:
        if type(ve["DTSTART"].dt) is not date:
            trained.setdefault(ve["DTSTART"].dt.date(), []).append(ve)
    days = {span[0].monday + timedelta(days=i) for i in range(7 * count)}
    assert rest | set(trained) == days and not rest & set(trained)

    for todays in trained.values():
        texts = [str(ve["DESCRIPTION"]) for ve in todays]
        totals = [n for t in texts for n in kcal(t, "All of today's training:")]
        assert totals == [sum(n for t in texts for n in kcal(t, "Energy:"))]
        assert all(len(kcal(t, "Energy:")) == 1 for t in texts)
        if body:
            assert sum("Maintenance today, roughly:" in t for t in texts) == 1
