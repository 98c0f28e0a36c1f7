"""Which week of a training block an ISO week is, and what it holds.

Pure: a plan and an ISO week in, the week's sessions and its phase out. The
plan's ``[[session]]`` tables describe week 1, fixed and flexible alike (the
flexible ones, sized here, are then placed by placing.py); from there:

- build weeks add each session's ``progress`` (minutes, or a percentage
  compounded), capped at ``max_minutes``;
- every ``deload_every``-th week runs ``deload`` times the last build week's
  run minutes, and does not count as a step of progression, so the next build
  week carries on one step above the build week before the deload;
- with a race, the last ``taper_weeks`` weeks (the race's week among them)
  cut run volume from the last build week by ``taper_factors``: 0.7, 0.6, 0.5
  for three weeks, 0.7 and 0.5 for two, 0.5 for one. Hard sessions stay, shorter;
- strength sessions keep their length every week (two a week keep the muscle);
  the notes ask for lighter loads on deload and taper weeks;
- a week off (``rest = true``) is no step of progression either;
- on race day the race replaces that day's sessions, and is an event of its
  own when ``race_start`` is set.

Computed minutes are rounded to a multiple of 5: to the nearest on build
weeks, down on deload and taper weeks (rounding up could make a lighter week
as long as the build week beside it); never below 5, never above the cap. A
session the block leaves unchanged keeps its minutes as written. ``[[week]]``
overrides come last: skips, a week off, and sessions added or replaced as written.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from syncplan.kinds import Kind
from syncplan.plan import RACE_KEY, Block, Plan, Progress, Session
from syncplan.week import IsoWeek

PHASES = ("build", "deload", "taper", "race")
TAPER_FIRST, TAPER_LAST = 0.7, 0.5  # run volume of the first and last taper week, against the last build week
ROUND_TO = 5
RACE = Kind("race", "Race", True, True, ("calves", "quads", "hamstrings", "glutes", "core"), (), "race effort")


class Phase(NamedTuple):
    """Where a week stands in its block."""

    number: int  # 1-based week of the block
    weeks: int
    name: str  # one of PHASES ("race" is the race's week)
    race: date | None = None
    rest: bool = False  # a [[week]] with rest = true
    factor: float = 1.0  # run volume against the last build week (deload and taper)

    def __str__(self) -> str:
        """The phase's name, as charts and JSON show it; "off" for a week off."""
        return "off" if self.rest else self.name

    @property
    def lighter(self) -> bool:
        return self.name in ("deload", "taper", "race")


def taper_factors(weeks: int) -> tuple[float, ...]:
    """Run volume of each taper week, falling evenly from 0.7 to 0.5 of the last build week."""
    if weeks <= 0:
        return ()
    if weeks == 1:
        return (TAPER_LAST,)
    step = (TAPER_FIRST - TAPER_LAST) / (weeks - 1)
    return tuple(round(TAPER_FIRST - i * step, 3) for i in range(weeks))


def block_number(block: Block, monday: date) -> int | None:
    """The week of the block starting on ``monday`` (1-based), or None outside it."""
    number = (monday - block.first_monday).days // 7 + 1
    return number if 1 <= number <= block.weeks else None


def phase_of(block: Block, number: int) -> Phase:
    taper = min(block.taper_weeks, block.weeks) if block.race else 0
    rest = any(o.number == number and o.rest for o in block.overrides)
    if block.race and number == block.weeks:
        factors = taper_factors(taper)
        return Phase(number, block.weeks, "race", block.race, rest, factors[-1] if factors else 1.0)
    if number > block.weeks - taper:
        index = number - (block.weeks - taper) - 1
        return Phase(number, block.weeks, "taper", block.race, rest, taper_factors(taper)[index])
    if block.deload_every and number % block.deload_every == 0:
        return Phase(number, block.weeks, "deload", block.race, rest, block.deload)
    return Phase(number, block.weeks, "build", block.race, rest)


def _steps(block: Block, number: int) -> int:
    """Steps of progression in week ``number``: build weeks before it, less one off a build week.

    A week off (``rest = true``) is no step either: a holiday builds nothing.
    """
    phases = [phase_of(block, n) for n in range(1, number)]
    builds = sum(1 for p in phases if p.name == "build" and not p.rest)
    return builds if phase_of(block, number).name == "build" else max(builds - 1, 0)


def _rounded(minutes: float, cap: int | None, down: bool = False) -> int:
    """To a multiple of 5: the nearest, or on a lighter week the one below, so that it stays lighter."""
    steps = int(minutes / ROUND_TO + 1e-9) if down else int(minutes / ROUND_TO + 0.5)
    value = max(ROUND_TO, steps * ROUND_TO)
    return min(value, cap) if cap is not None else value


def sized(session: Session, grow: Progress | None, phase: Phase, steps: int) -> Session:
    """``session`` as a week of the block runs it: the one place its minutes are worked out.

    ``steps`` of ``grow`` added (minutes, or a percentage compounded) and capped
    at ``max_minutes``; a run scaled by the phase's factor on a lighter week;
    then rounded as the module says. Fixed and flexible sessions both come here.
    """
    cap = grow.max_minutes if grow else None
    minutes: float = session.minutes
    if grow and steps:
        minutes = minutes * (1 + grow.amount / 100) ** steps if grow.percent else minutes + grow.amount * steps
        minutes = min(minutes, cap) if cap is not None else minutes
    scaled = session.kind.run and phase.factor != 1.0
    if scaled:
        minutes *= phase.factor
    if minutes == session.minutes:
        return session
    return session._replace(minutes=_rounded(minutes, cap, down=scaled))


def week_sessions(plan: Plan, week: IsoWeek) -> tuple[tuple[Session, ...], Phase] | None:
    """The fixed sessions of ``week`` and its phase; None outside the block (or without one)."""
    block = plan.block
    number = block_number(block, week.monday) if block else None
    if block is None or number is None:
        return None
    phase = phase_of(block, number)
    if phase.rest:
        return (), phase
    steps = _steps(block, number)
    progress = dict(block.progress)
    sessions = [sized(s, progress.get(s.key), phase, steps) for s in plan.sessions]
    race_day = _race_day(block, number)
    if race_day is not None:
        sessions = [s for s in sessions if s.day != race_day]
        if block.race_start is not None:
            sessions.append(Session(RACE_KEY, race_day, block.race_start, RACE, block.race_minutes))
    for override in block.overrides:
        if override.number == number:
            replaced = {s.key for s in override.sessions}
            sessions = [s for s in sessions if s.key not in override.skip and s.key not in replaced]
            sessions.extend(override.sessions)
    return tuple(sorted(sessions, key=lambda s: (s.day, s.start, s.key))), phase


def week_flexible(plan: Plan, phase: Phase) -> tuple:
    """The plan's flexible sessions (``place.Flexible``) as week ``phase.number`` of the block has them.

    As for fixed sessions: none in a week off; skipped or replaced by the week's
    ``[[week]]`` table; grown, capped and scaled by ``sized``; and none on race
    day, which the race has to itself (a session allowed only on that day drops out).
    """
    block = plan.block
    if block is None or phase.rest or not plan.flexible:
        return ()
    number = phase.number
    gone = {key for o in block.overrides if o.number == number for key in (*o.skip, *(s.key for s in o.sessions))}
    race_day = _race_day(block, number)
    steps = _steps(block, number)
    progress = dict(block.progress)
    out = []
    for f in plan.flexible:
        days = tuple(d for d in f.days if d != race_day)
        if f.key in gone or not days:
            continue
        out.append(f._replace(session=sized(f.session, progress.get(f.key), phase, steps), days=days))
    return tuple(out)


def _race_day(block: Block, number: int) -> int | None:
    """The race's weekday in week ``number``, if the race is in it."""
    return block.race.weekday() if block.race and number == block.weeks else None


def run_minutes(sessions) -> int:
    """Running minutes of a week, the race itself left out (it is not training volume)."""
    return sum(s.minutes for s in sessions if s.kind.run and s.key != RACE_KEY)


def block_totals(plan: Plan) -> list[tuple[Phase, int]]:
    """Each block week's phase and run minutes as planned, in order, for the ``ramp`` rule.

    Flexible sessions count as if each found its slot; where a week has been
    placed, the rule counts what was placed instead.
    """
    block = plan.block
    if block is None:
        return []
    out = []
    for number in range(1, block.weeks + 1):
        found = week_sessions(plan, IsoWeek.containing(block.first_monday + timedelta(weeks=number - 1)))
        assert found is not None
        sessions, phase = found
        out.append((phase, run_minutes((*sessions, *(f.session for f in week_flexible(plan, phase))))))
    return out
