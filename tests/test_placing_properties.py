"""The placing step as the commands run it, over random plans and busy weeks.

place.py is tested against brute force on its own; this checks the wiring:
the plan reader's windows and days, busy time with buffers, fixed sessions,
and the rules as `check` sees the finished week. Every placed session lies in
a window of an allowed day and clear of busy time; the week has no overlap,
gap or order finding that names a placed session; a session is either placed
or named by an `unplaced` error; and the same inputs give the same week.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncplan.build import build
from syncplan.plan import DAYS, parse_plan
from syncplan.week import IsoWeek

EXAMPLES = int(os.environ.get("SYNCPLAN_PLACING_EXAMPLES", "60"))
PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
WEEKS = [("Europe/London", IsoWeek(2026, 13)), ("Europe/London", IsoWeek(2026, 20)), ("America/New_York", IsoWeek(2026, 44))]  # W44 ends with the US fall-back Sunday (1 November)
KINDS = [("strength", "lower"), ("strength", "upper"), ("easy", None), ("tempo", None), ("intervals", None), ("mobility", None)]


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def cases(draw):
    zone, week = draw(st.sampled_from(WEEKS))
    lines = ["[athlete]", f'timezone = "{zone}"', "[availability]"]
    windows = {}
    for day in DAYS:
        start = draw(st.integers(5 * 4, 12 * 4)) * 15
        end = min(start + draw(st.integers(2, 40)) * 15, 24 * 60)
        windows[day] = (start, end)
        lines.append(f'{day} = ["{hhmm(start)}-{hhmm(end)}"]')
    buffer = draw(st.sampled_from([0, 10, 15]))
    lines.append(f"buffer_minutes = {buffer}")
    if draw(st.booleans()):
        lines += ["[[session]]", 'id = "fixed-run"', f'day = "{draw(st.sampled_from(DAYS))}"', 'start = "12:00"',
                  'kind = "easy"', "minutes = 40"]
    keys = []
    for i in range(draw(st.integers(1, 4))):
        kind, focus = draw(st.sampled_from(KINDS))
        key = f"flex-{i}"
        keys.append(key)
        days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
        lines += ["[[session]]", f'id = "{key}"', f'kind = "{kind}"', f"minutes = {draw(st.sampled_from([30, 45, 60]))}",
                  f"days = {days!r}".replace("'", '"')]
        if focus:
            lines.append(f'focus = "{focus}"')
        if draw(st.booleans()):
            lines.append(f'prefer = "{draw(st.sampled_from(["morning", "midday", "evening"]))}"')
    plan = parse_plan("\n".join(lines) + "\n", "random.toml")
    start = datetime.combine(week.monday, datetime.min.time(), plan.zone)
    busy = []
    for _ in range(draw(st.integers(0, 12))):
        a = start + timedelta(minutes=draw(st.integers(0, 7 * 24 * 4)) * 15)
        busy.append((a, a + timedelta(minutes=draw(st.integers(1, 12)) * 15)))
    return plan, week, sorted(busy), keys, windows, buffer


@PROPERTY
@given(cases())
def test_every_placed_session_keeps_the_hard_rules(case):
    plan, week, busy, keys, windows, buffer = case
    built = build(plan, [week], busy=tuple(busy))
    flexible = {f.key: f for f in plan.flexible}
    unplaced = {s for f in built.findings if f.rule == "unplaced" for s in f.sessions}
    placed = {d.key: d for d in built.weeks[0].sessions if d.key in flexible}
    assert set(placed) | unplaced == set(keys) and not set(placed) & unplaced
    for key, d in placed.items():
        day = (d.start.date() - week.monday).days
        assert day in flexible[key].days
        lo, hi = windows[DAYS[day]]
        start_local = d.start.hour * 60 + d.start.minute
        assert lo <= start_local and (d.end - d.start) == timedelta(minutes=d.session.minutes)
        assert d.end.date() == d.start.date() and d.end.hour * 60 + d.end.minute <= hi or hi == 24 * 60
        pad = timedelta(minutes=buffer)
        for a, b in busy:
            assert d.utc_end + pad <= a or d.utc_start >= b + pad, (key, d.start, a, b)
    for f in built.findings:
        if f.rule in ("overlap", "gap", "order"):
            assert not set(f.sessions) & set(placed), f.message
    again = build(plan, [week], busy=tuple(busy))
    assert [(e.uid, e.start) for e in again.events] == [(e.uid, e.start) for e in built.events]
