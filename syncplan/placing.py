"""The placing step of the core: a plan's flexible sessions put into each week's free time.

Pure, like the rest of the core: busy time arrives as intervals (read at the
edge by ``availability.py``), the search itself is ``place.py``. A plan
without flexible sessions never comes here.

Stability without a state file: each session's "usual" time is where the
search puts it in the same week with no busy time at all and only the plan's
fixed sessions around it (same windows, same rules, starts on the quarter
hour), so weeks alike share their usual times and are searched for them once.
When nothing is in the way of the usual week (busy time, buffers included, or
a session the week before placed near Monday), that is the week; otherwise
the week is searched again on the 5-minute grid, preferring the usual times,
so as few sessions move as the rules allow. The same inputs always give the
same week.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from syncplan.events import make_uid
from syncplan.place import GRID_MINUTES, Flexible, Placed, place
from syncplan.plan import Plan
from syncplan.rules import Finding
from syncplan.week import DatedSession, DatedWeek, date_week

Interval = tuple[datetime, datetime]
PLACED_RULES = frozenset({"overlap", "gap", "order"})
USUAL_GRID_MINUTES = 15  # the usual week is searched on quarter hours: a third of the work, and round usual times
_REACH = timedelta(days=2)  # busy time this far outside a week can still touch it (buffers, zones)


class WeekPlacement(NamedTuple):
    """Where one week's flexible sessions went, and why; ``placed`` is place.py's answer."""

    week: str  # ISO week label
    placed: Placed


def place_weeks(
    plan: Plan,
    dated: tuple[DatedWeek, ...],
    busy: tuple[Interval, ...] | list[Interval] = (),
    before: tuple[DatedSession, ...] | None = None,
) -> tuple[tuple[DatedWeek, ...], tuple[Finding, ...], tuple[WeekPlacement, ...], DatedWeek | None]:
    """Each week with its flexible sessions placed; an ``unplaced`` error for each one that fits nowhere.

    A late lift on Sunday and an early run on Monday are neighbours, so the
    first week is placed next to the week before it, which is returned last
    (``build`` checks the first week against it): ``before``, that week's
    sessions as the athlete's calendar already holds them, when the caller
    could read them back; otherwise that week placed here, as a run for it
    alone would place it. ``busy`` should cover that week as well
    (``availability.span``).
    """
    weeks: list[DatedWeek] = []
    findings: list[Finding] = []
    placements: list[WeekPlacement] = []
    usual_weeks: dict = {}
    lead_in = None
    if dated:
        previous = date_week(plan, _previous(dated[0]))
        if before is not None:
            lead_in = previous._replace(sessions=before)
        else:
            lead_in, _ = _place_week(plan, previous, date_week(plan, _previous(previous)), dated[0], busy, usual_weeks)
    for i, week in enumerate(dated):
        before = weeks[-1] if weeks else lead_in
        after = dated[i + 1] if i + 1 < len(dated) else date_week(plan, week.week.next())
        placed_week, placed = _place_week(plan, week, before, after, busy, usual_weeks)
        weeks.append(placed_week)
        if placed is None:
            continue
        placements.append(WeekPlacement(week.week.label, placed))
        if "unplaced" not in plan.disabled:
            findings += [Finding("unplaced", "error", u.message, week.week.label, (u.key,)) for u in placed.unplaced]
    return tuple(weeks), tuple(findings), tuple(placements), lead_in


def held_week(plan: Plan, week, found, identity: str) -> tuple[DatedSession, ...] | None:
    """``week``'s sessions as a calendar holds them, from its events ``(uid, start, end)``; None when it holds none.

    Events are matched to the plan's sessions by the UID syncplan gave them
    (``identity`` is the one the events were made under), so whatever else
    the calendar holds is left out, and a session moved by hand counts where
    it now is, as long as that is still in ``week`` (as a listing of the
    week's window would find it).
    """
    sessions = {*plan.sessions, *(f.session for f in plan.flexible)}
    by_uid = {make_uid(identity, f"{week.label}/{s.key}"): s for s in sessions}
    first, last = week.window(plan.zone)
    out = []
    for uid, start, end in found:
        session = by_uid.get(uid)
        if session is not None and first <= start < last and start < end:  # one moved out of its week is not in it
            local = start.astimezone(plan.zone)
            minutes = round((end - start).total_seconds() / 60)
            session = session._replace(day=local.weekday(), start=local.time().replace(tzinfo=None), minutes=max(minutes, 1))
            out.append(DatedSession(session, local, end.astimezone(plan.zone)))
    return tuple(sorted(out, key=lambda d: (d.utc_start, d.key))) or None


def _place_week(
    plan: Plan, week: DatedWeek, before: DatedWeek, after: DatedWeek, busy, usual_weeks: dict
) -> tuple[DatedWeek, Placed | None]:
    """One week with its flexible sessions placed, next to the sessions of the weeks either side.

    ``usual_weeks`` keeps the usual times of the weeks placed so far in this
    run, by what decides them, so that weeks alike (most weeks of a plan) are
    not searched twice for them.
    """
    flexible = _flexible_of(plan, week)
    if not flexible:
        return week, None
    start, end = week.week.window(plan.zone)
    mine = [(a, b) for a, b in busy if a < end + _REACH and b > start - _REACH]

    def solve(fixed, busy_now, last=None, grid=GRID_MINUTES):
        return place(
            week.week,
            plan.zone,
            flexible,
            dict(enumerate(plan.availability)),
            fixed=fixed,
            busy=busy_now,
            buffer_minutes=plan.buffer_minutes,
            min_gap_hours=plan.min_gap_hours,
            last=last,
            enforce=frozenset(PLACED_RULES - plan.disabled | {"overlap"}),
            grid_minutes=grid,
        )

    # The usual week: no busy time, and only the fixed sessions of the weeks either side.
    planned = (*_fixed_only(plan, before), *week.sessions, *_fixed_only(plan, after))
    key = _usual_key(plan, week, flexible, planned)
    usual = usual_weeks.get(key) if key is not None else None
    if usual is None:
        found = solve(planned, (), grid=USUAL_GRID_MINUTES)
        monday = week.week.monday
        last = {p.key: ((p.dated.start.date() - monday).days, p.dated.start.time()) for p in found.placements}
        usual = (week.week.label, found, last)
        if key is not None:
            usual_weeks[key] = usual
    label, found, last = usual
    fixed = (*before.sessions, *week.sessions, *after.sessions)
    # The usual week stands when it was searched for this week, is complete, and nothing placed next
    # door or busy is in its way; otherwise the week is searched on the finer grid, around the busy
    # time and the weeks either side as placed, preferring the usual times: it finds a place whenever one exists.
    if label == week.week.label and fixed == planned and not found.unplaced and _clear_of(found, mine, plan.buffer_minutes):
        placed = found
    else:
        placed = solve(fixed, mine, last)
    sessions = sorted((*week.sessions, *(p.dated for p in placed.placements)), key=lambda d: (d.utc_start, d.key))
    return week._replace(sessions=tuple(sessions)), placed


def _fixed_only(plan: Plan, week: DatedWeek) -> tuple:
    """The week's sessions without its placed ones: what the plan itself fixes."""
    flexible = {f.key for f in plan.flexible}
    return tuple(d for d in week.sessions if d.key not in flexible)


def _usual_key(plan: Plan, week: DatedWeek, flexible, planned) -> tuple | None:
    """What a week's usual times depend on, relative to its Monday; None for a week with a clock change near it."""
    monday = week.week.monday
    offsets = {datetime.combine(monday + timedelta(days=k), datetime.min.time(), plan.zone).utcoffset() for k in range(-1, 9)}
    if len(offsets) != 1:
        return None
    return flexible, offsets.pop(), tuple((d.session, (d.start.date() - monday).days) for d in planned)


def _clear_of(placed: Placed, busy: list[Interval], buffer_minutes: int) -> bool:
    """Whether every placed session keeps ``buffer_minutes`` away from all busy time."""
    pad = timedelta(minutes=buffer_minutes)
    return not any(p.dated.utc_start < b + pad and a - pad < p.dated.utc_end for p in placed.placements for a, b in busy)


def _flexible_of(plan: Plan, week: DatedWeek) -> tuple[Flexible, ...]:
    """The flexible sessions of this week as the training block has them (block.week_flexible), or as written."""
    if week.phase is None:
        return plan.flexible
    from syncplan.block import week_flexible

    return week_flexible(plan, week.phase)


def _previous(week: DatedWeek):
    from syncplan.week import IsoWeek

    return IsoWeek.containing(week.week.monday - timedelta(days=7))
