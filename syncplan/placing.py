"""The placing step of the core: a plan's flexible sessions put into each week's free time.

Pure, like the rest of the core: busy time arrives as intervals (read at the
edge by ``availability.py``), the search itself is ``place.py``. A plan
without flexible sessions never comes here.

Stability without a state file: each session's "usual" time is where the
search puts it in the same week with no busy time at all (same windows,
same fixed sessions, same rules, starts on the quarter hour). The real placement then prefers that
time, so a session moves only when busy time takes its usual slot, and the
same inputs always give the same week.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from syncplan.place import GRID_MINUTES, Flexible, Placed, place
from syncplan.plan import Plan
from syncplan.rules import Finding
from syncplan.week import DatedWeek, date_week

Interval = tuple[datetime, datetime]
PLACED_RULES = frozenset({"overlap", "gap", "order"})
USUAL_GRID_MINUTES = 15  # the usual week is searched on quarter hours: a third of the work, and round usual times
_REACH = timedelta(days=2)  # busy time this far outside a week can still touch it (buffers, zones)


@dataclass(frozen=True)
class WeekPlacement:
    """Where one week's flexible sessions went, and why; ``placed`` is place.py's answer."""

    week: str  # ISO week label
    placed: Placed


def place_weeks(
    plan: Plan, dated: tuple[DatedWeek, ...], busy: tuple[Interval, ...] | list[Interval] = ()
) -> tuple[tuple[DatedWeek, ...], tuple[Finding, ...], tuple[WeekPlacement, ...]]:
    """Each week with its flexible sessions placed; an ``unplaced`` error for each one that fits nowhere."""
    weeks: list[DatedWeek] = []
    findings: list[Finding] = []
    placements: list[WeekPlacement] = []
    availability = dict(enumerate(plan.availability))
    enforce = PLACED_RULES - plan.disabled | {"overlap"}
    for i, week in enumerate(dated):
        flexible = _flexible_of(plan, week)
        if not flexible:
            weeks.append(week)
            continue
        before = weeks[-1] if weeks else date_week(plan, _previous(week))
        after = dated[i + 1] if i + 1 < len(dated) else date_week(plan, week.week.next())
        fixed = (*before.sessions, *week.sessions, *after.sessions)
        start, end = week.week.window(plan.zone)
        mine = [(a, b) for a, b in busy if a < end + _REACH and b > start - _REACH]

        def solve(busy_now, last=None, grid=GRID_MINUTES):
            return place(
                week.week,
                plan.zone,
                flexible,
                availability,
                fixed=fixed,
                busy=busy_now,
                buffer_minutes=plan.buffer_minutes,
                min_gap_hours=plan.min_gap_hours,
                last=last,
                enforce=frozenset(enforce),
                grid_minutes=grid,
            )

        usual = solve((), grid=USUAL_GRID_MINUTES)
        # The finer grid only when busy time or a tight week asks for it: it finds a place whenever one exists.
        if mine or usual.unplaced:
            monday = week.week.monday
            last = {p.key: ((p.dated.start.date() - monday).days, p.dated.start.time()) for p in usual.placements}
            placed = solve(mine, last)
        else:
            placed = usual
        sessions = sorted((*week.sessions, *(p.dated for p in placed.placements)), key=lambda d: (d.utc_start, d.key))
        weeks.append(replace(week, sessions=tuple(sessions)))
        placements.append(WeekPlacement(week.week.label, placed))
        if "unplaced" not in plan.disabled:
            findings += [Finding("unplaced", "error", u.message, week.week.label, (u.key,)) for u in placed.unplaced]
    return tuple(weeks), tuple(findings), tuple(placements)


def _flexible_of(plan: Plan, week: DatedWeek) -> tuple[Flexible, ...]:
    """The flexible sessions of this week as the training block has them (block.week_flexible), or as written."""
    if week.phase is None:
        return plan.flexible
    from syncplan.block import week_flexible

    return week_flexible(plan, week.phase)


def _previous(week: DatedWeek):
    from syncplan.week import IsoWeek

    return IsoWeek.containing(week.week.monday - timedelta(days=7))
