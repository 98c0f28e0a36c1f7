"""Placing flexible sessions into the free time of one week.

Pure: sessions, availability windows, busy intervals (aware datetimes) and
last week's placement go in; a placement with a reason for each flexible
session, or the constraint that blocked it, comes out. No clock, no files.

Hard constraints (the issue's 1-3): a placed session lies inside an
availability window of one of its days; it keeps ``buffer_minutes`` clear of
every busy block, fixed session and other placed session; and it makes no
``overlap``, ``gap`` or ``order`` finding with any other session, by the same
elapsed-time semantics as ``rules.py`` (its ``ORDER_WINDOW``, ``NOON`` and
``EASY_JOG_MINUTES``: strength first with ``min_gap_hours`` between, except
the easy morning jog before afternoon lifting).

Starts lie on a 5-minute wall-clock grid (06:00, 06:05, ...): fine enough to
use the time after a meeting that ends at :50 plus a buffer, coarse enough to
search quickly. The search is complete over that grid: lifts and hard runs
go first, then the most constrained sessions; every candidate start is tried with backtracking, and
forward checking drops a branch as soon as another session has no start left.
A count of how many sessions each window's free stretches can hold (a
matching of sessions to windows) cuts weeks with more sessions than room
short. So if any placement on the grid satisfies 1-3, one is found, unless a
week is so overfull that ``FIRST_BUDGET`` steps pass first: then the sessions
not settled are reported unplaced (constraint "search"), never dropped
silently.

Soft preferences, in this order, compared as a whole (lexicographic):
1. each session in its preferred part of the day;
2. lower-body lifts at least 48 h apart (pairs closer count against);
3. no two hard sessions on the same day (each pair counts against): the seed
   article's "cleanest separation" is different days, the same day only "if
   necessary", and its model week puts running and lifting on days in a row;
4. no two hard sessions on consecutive days;
5. each session at the same weekday and time as last week (stability);
6. earliest: candidates are tried earliest first, and among placements equal
   on 1-5 the first one found is kept.
Finding a first placement is complete; improving on it is branch and bound
over 1-5 with a lower bound per preference (lifts and hard runs are placed
first, so the costs between sessions are known early). The improvement is
exact for ``EXACT_BUDGET`` steps, which settles small weeks; past that it
starts again from the best placement so far and tries, for each session, only
the earliest free start per day and (preference, stability) class, for up to
``SEARCH_BUDGET`` steps, unless it reaches the floor: the least cost any
placement could have. The floor's hard-day pairs are the fewest any choice of
days makes (``_hard_days_floor``), so a week with a hard session on most days
is still proven best when it is. These limits only ever cut the search for a
better placement, never the search for a first one, and they count steps, not
time: same inputs, same placement.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from datetime import datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import accumulate, chain, groupby
from operator import add, sub
from typing import NamedTuple
from zoneinfo import ZoneInfo

from syncplan.kinds import KINDS, LOWER_BODY_FOCUS
from syncplan.plan import DAYS, Session
from syncplan.rules import EASY_JOG_MINUTES, NOON, ORDER_WINDOW
from syncplan.week import DatedSession, IsoWeek, date_session

GRID_MINUTES = 5
LOWER_BODY_SPACING = timedelta(hours=48)
PREFERENCES = {"morning": (0, 12 * 60), "midday": (12 * 60, 17 * 60), "evening": (17 * 60, 24 * 60)}
SEARCH_BUDGET = 20000  # search steps spent improving on the first placement found
FIRST_BUDGET = 300000  # search steps for a first placement before giving up on a week too full to settle
COUNT_AFTER = 300  # search steps before the counting check runs at every step (easy weeks never need it)
DROP_SETS = 10000  # when not all fit: sets of sessions tried, past the greedy one, for a larger set that fits
DROP_SEARCHES = 200  # the searches among them
DROP_BUDGET = 100000  # and their steps, all together
EXACT_BUDGET = 500  # search steps for an exact search before falling back to PER_DAY
PER_DAY = 1  # then, the starts tried per session, day and preference class
DAYS_BUDGET = 2000  # steps for the least hard-day pairs by days alone, a floor that proves a placement the best
_NOON = NOON.hour * 60 + NOON.minute
_DAY = 24 * 60
_PACK = 1 << 32  # (same-day, next-day) pairs as one number: next-day pairs stay far below it
_LOWER_SPACING_MINUTES = int(LOWER_BODY_SPACING.total_seconds() // 60)
# A placement's cost, compared as a whole (lexicographic): sessions outside their preferred time, lower-body
# lifts under 48 h apart, pairs of hard sessions on one day, pairs on consecutive days, sessions off their usual time.
_Cost = tuple[int, int, int, int, int]


class Window(NamedTuple):
    """Local wall-clock minutes from midnight, start inclusive, end exclusive; 1440 is midnight at the end."""

    start: int
    end: int

    @classmethod
    def parse(cls, text: str) -> Window:
        """``"06:00-08:30"``; the end may be ``24:00``. Raises ValueError."""
        first, sep, second = text.strip().partition("-")
        if not sep:
            raise ValueError(f"{text!r} is not a window like 06:00-08:30")
        start, end = _minutes(first), _minutes(second)
        if not 0 <= start < end <= _DAY:
            raise ValueError(f"{text!r}: the window must end after it starts, by 24:00")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _minutes(text: str) -> int:
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"{text!r} is not a time like 06:00")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > _DAY:
        raise ValueError(f"{text!r} is not a time of day")
    return value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class Flexible(NamedTuple):
    """A session without a day and start: ``session.day`` and ``session.start`` are ignored.

    A session is in its preferred part of the day when it lies wholly inside
    it: morning ends by 12:00, midday is 12:00-17:00, evening starts from 17:00.
    """

    session: Session
    days: tuple[int, ...] = tuple(range(7))
    prefer: str | Window | None = None  # morning | midday | evening | a Window

    @property
    def key(self) -> str:
        return self.session.key

    @property
    def preferred(self) -> tuple[int, int] | None:
        if self.prefer is None:
            return None
        if isinstance(self.prefer, Window):
            return (self.prefer.start, self.prefer.end)
        return PREFERENCES[self.prefer]


class Placement(NamedTuple):
    key: str
    dated: DatedSession  # dated as ``week.date_week`` dates a fixed session at that day and start
    reason: str


class Unplaced(NamedTuple):
    key: str
    constraint: str  # days | window | busy | fixed | together | search (gave up on a week too full to settle)
    message: str


class Placed(NamedTuple):
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    optimal: bool = True  # False when the search limits cut short the search for a better placement

    def at(self, key: str) -> Placement | None:
        return next((p for p in self.placements if p.key == key), None)


class _Slot(NamedTuple):
    """A session at one start, in whole minutes from the week's Monday 00:00 read as UTC."""

    start: int
    end: int
    day: int  # local date, days from Monday
    local: int  # local start, minutes from midnight
    end_day: int
    end_local: int


class _Who(NamedTuple):
    key: str
    kind_id: str
    run: bool
    hard: bool
    lower: bool
    minutes: int

    @property
    def jog(self) -> bool:
        return self.kind_id == "easy" and self.minutes <= EASY_JOG_MINUTES


def _who(s: Session) -> _Who:
    lower = s.kind.id == "strength" and (s.focus or "full") in LOWER_BODY_FOCUS
    return _Who(s.key, s.kind.id, s.kind.run, s.kind.hard, lower, s.minutes)


class _Week:
    """Minute arithmetic for one ISO week in one zone; DST days go through ``week.date_session``."""

    _PROBE = Session("probe", 0, time(0), KINDS["easy"], 1)

    def __init__(self, week: IsoWeek, tz: ZoneInfo) -> None:
        self.week, self.tz = week, tz
        self.epoch = datetime.combine(week.monday, time(0), timezone.utc)
        self.offsets: dict[int, int | None] = {}
        for d in range(-2, 10):
            a = datetime.combine(week.day(d), time(0), tz).utcoffset()
            b = datetime.combine(week.day(d + 1), time(0), tz).utcoffset()
            self.offsets[d] = int(a.total_seconds() // 60) if a == b else None

    def minute(self, when: datetime) -> int:
        return math.floor((when - self.epoch).total_seconds() / 60)

    def minute_up(self, when: datetime) -> int:
        return math.ceil((when - self.epoch).total_seconds() / 60)

    def instant(self, day: int, local: int) -> int | None:
        """The minute of a wall-clock time, or None when it does not exist (clocks go forward)."""
        if local >= _DAY:
            day, local = day + 1, local - _DAY
        off = self.offsets.get(day)
        if off is not None:
            return day * _DAY + local - off
        d = self.date(self._PROBE, day, local)
        return None if d.dst_shift == "gap" else self.minute(d.start)

    def date(self, session: Session, day: int, local: int) -> DatedSession:
        return date_session(session._replace(day=day, start=time(local // 60, local % 60)), self.week, self.tz)

    def slot(self, d: DatedSession) -> _Slot:
        monday = self.week.monday
        return _Slot(
            self.minute(d.utc_start),
            self.minute_up(d.utc_end),
            (d.start.date() - monday).days,
            d.start.hour * 60 + d.start.minute,
            (d.end.date() - monday).days,
            d.end.hour * 60 + d.end.minute,
        )

    def edge(self, day: int, local: int) -> int:
        """A window's edge as a minute; a wall time that does not exist moves later, as sessions do."""
        at = self.instant(day, local)
        return at if at is not None else self.minute(self.date(self._PROBE, day, local).start)

    def midnight(self, day: int) -> int:
        at = self.instant(day, 0)
        return at if at is not None else self.minute(datetime.combine(self.week.day(day), time(0), self.tz))

    def noon(self, day: int) -> int:
        at = self.instant(day, _NOON)
        return at if at is not None else self.minute(datetime.combine(self.week.day(day), NOON, self.tz))


class _Rules:
    """Where another session may not start, given one session at a slot: the pair semantics of ``rules.py``."""

    def __init__(self, wk: _Week, buffer: int, gap_hours: float, enforce: frozenset[str]) -> None:
        self.wk, self.buffer = wk, buffer
        self.gap = math.ceil(gap_hours * 60 - 1e-9)
        self.horizon = max(self.gap, int(ORDER_WINDOW.total_seconds() // 60))
        self.gap_on, self.order_on = "gap" in enforce, "order" in enforce

    def forbidden(self, p: _Who, ps: _Slot, q: _Who) -> list[tuple[int, int]]:
        """Half-open ranges of start minutes where ``q`` would clash with ``p`` at ``ps`` (buffers included)."""
        m, buf = q.minutes, self.buffer
        out = [(ps.start - buf - m + 1, ps.end + buf)]
        if p.kind_id == "strength" and q.run:
            if self.gap_on and self.gap:
                out.append((ps.end, ps.end + self.gap))  # a run too soon after the lift
            if self.order_on:
                zone = (ps.start - self.horizon - m + 1, ps.start - m + 1)  # a run ending before the lift
                hole = None
                if q.jog and ps.local >= _NOON:
                    hole = (self.wk.midnight(ps.day), self.wk.noon(ps.day) - m + 1)
                out += _minus(zone, hole)
        elif p.run and q.kind_id == "strength":
            if self.order_on:
                zone = (ps.end, ps.end + self.horizon)  # a lift after the run
                hole = None
                if p.jog and ps.day == ps.end_day and ps.end_local <= _NOON:
                    hole = (self.wk.noon(ps.day), self.wk.midnight(ps.day + 1))
                out += _minus(zone, hole)
            if self.gap_on and self.gap:
                out.append((ps.start - self.gap - m + 1, ps.start - m + 1))  # a lift ending too soon before the run
        return out


def _minus(zone: tuple[int, int], hole: tuple[int, int] | None) -> list[tuple[int, int]]:
    if hole is None or hole[1] <= zone[0] or hole[0] >= zone[1] or hole[0] >= hole[1]:
        return [zone]
    return [r for r in ((zone[0], hole[0]), (hole[1], zone[1])) if r[0] < r[1]]


def _subtract(ranges: list[tuple[int, int]], cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``ranges`` minus ``cuts`` (merged, sorted)."""
    out = []
    for lo, hi in ranges:
        for a, b in cuts:
            if b <= lo or a >= hi:
                continue
            if a > lo:
                out.append((lo, a))
            lo = max(lo, b)
            if lo >= hi:
                break
        if lo < hi:
            out.append((lo, hi))
    return out


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    end = None  # the end of the last range out
    for lo, hi in sorted(ranges):
        if lo >= hi:
            continue
        if end is not None and lo <= end:
            if hi > end:
                end = hi
                out[-1] = (out[-1][0], hi)
        else:
            end = hi
            out.append((lo, hi))
    return out


class _Piece(NamedTuple):
    """Candidate starts in one window, rising."""

    starts: list[int]  # minutes from the week's Monday 00:00 read as UTC
    locals: list[int]  # local starts, minutes from midnight
    day: int  # local date, days from Monday
    window: tuple[int, int]  # the availability window (as minutes) they lie in

    def cut(self, i: int, j: int) -> _Piece:
        return _Piece(self.starts[i:j], self.locals[i:j], self.day, self.window)


class _Domain:
    """A session's candidate slots, numbered in the order tried: preferred first, last week's time first, then earliest.

    They are kept as pieces (stretches of one window) and their start minutes:
    the search looks at most candidates only by their start, so a candidate
    becomes a ``_Slot`` when first asked for (``slot``). Its start minute, day
    and local start are the slot's even on a day with a clock change (a start
    in the gap is never a candidate); only the end is dated exactly there.
    """

    __slots__ = ("flex", "who", "wk", "pieces", "begins", "preferred", "stable", "moved", "days", "segments", "shelf",
                 "fixed_blockers", "starts", "run_end", "made")

    def __init__(
        self,
        flex: Flexible,
        who: _Who,
        wk: _Week,
        pieces: list[_Piece],  # the candidates, in the order tried
        preferred: int,  # how many candidates (the first ones) lie in the preferred time
        stable: int | None,  # index of last week's slot, if still possible
        moved: bool,  # last week's time was given and is not possible any more
        shelf: dict[str, list],  # candidates after each filter, for messages
        fixed_blockers: tuple[str, ...] = (),
    ) -> None:
        self.flex, self.who, self.wk, self.pieces = flex, who, wk, pieces
        self.stable, self.moved, self.shelf, self.fixed_blockers = stable, moved, shelf, fixed_blockers
        self.days = frozenset(p.day for p in pieces)  # local dates of its slots
        self.segments = frozenset(p.window for p in pieces)  # the availability windows its slots lie in
        self.begins = list(accumulate((len(p.starts) for p in pieces[:-1]), initial=0))  # each piece's first candidate
        starts = self.starts = list(chain.from_iterable(p.starts for p in pieces))  # the candidates' start minutes
        self.preferred = preferred  # candidates from this one on miss the preferred time
        # Per candidate, where the run of rising starts it is in ends: pieces rise, so only where one starts can a run.
        self.run_end: list[int] = []
        begin = 0
        for end in (*(b for b in self.begins[1:] if starts[b] < starts[b - 1]), len(starts)):
            self.run_end += [end] * (end - begin)
            begin = end
        self.made: dict[int, _Slot] = {}  # the slots asked for so far

    def piece(self, c: int) -> tuple[_Piece, int]:
        """The piece candidate ``c`` is in, and that piece's first candidate."""
        k = bisect_right(self.begins, c) - 1
        return self.pieces[k], self.begins[k]

    def slot(self, c: int) -> _Slot:
        s = self.made.get(c)
        if s is None:
            p, first = self.piece(c)
            at, day, t = self.starts[c], p.day, p.locals[c - first]
            m = self.who.minutes
            s = _exact(self.wk, self.flex.session, _Slot(at, at + m, day, t, day + (t + m) // _DAY, (t + m) % _DAY))
            self.made[c] = s
        return s


def place(
    week: IsoWeek,
    zone: ZoneInfo | str,
    flexible: list[Flexible] | tuple[Flexible, ...],
    availability: dict[int, tuple[Window, ...] | list[Window]],
    *,
    fixed: tuple[DatedSession, ...] | list[DatedSession] = (),
    busy: tuple[tuple[datetime, datetime], ...] | list[tuple[datetime, datetime]] = (),
    buffer_minutes: int = 15,
    min_gap_hours: float = 6.0,
    last: dict[str, tuple[int, time]] | None = None,
    enforce: frozenset[str] = frozenset({"overlap", "gap", "order"}),
    grid_minutes: int = GRID_MINUTES,
    budget: int = SEARCH_BUDGET,
) -> Placed:
    """Place ``flexible`` sessions in ``week``.

    ``availability`` maps a weekday (0 = Monday) to its windows; a day not in
    it has none. ``fixed`` are dated sessions that stand (of this week or its
    neighbours); ``busy`` are (start, end) aware datetimes; ``last`` maps a
    session key to its usual (weekday, start): last week's, or, as placing.py
    gives it, where it goes in the same week without busy time. ``enforce`` names
    the rules a placement must not break ("gap" and "order" may be left out
    when the plan disables them; overlap always holds).
    """
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    wk = _Week(week, tz)
    rules = _Rules(wk, buffer_minutes, min_gap_hours, enforce)
    busy_ranges = _merge([(wk.minute(a) - buffer_minutes, wk.minute_up(b) + buffer_minutes) for a, b in busy])
    fixed_slots = [(_who(d.session), wk.slot(d)) for d in fixed]
    last = last or {}
    domains = [_domain(f, wk, rules, availability, busy_ranges, fixed_slots, last.get(f.key), grid_minutes) for f in flexible]
    search = _Search(domains, rules, fixed_slots, budget, busy_ranges)

    unplaced: dict[int, Unplaced] = {}
    for i, dom in enumerate(domains):
        if not dom.starts:
            unplaced[i] = _why_empty(dom, buffer_minutes)
    # Lifts and hard runs first: the soft preferences between sessions are settled early in the search.
    order = sorted(
        (i for i in range(len(domains)) if i not in unplaced),
        key=lambda i: (not (domains[i].who.lower or domains[i].who.hard), len(domains[i].starts), domains[i].flex.key),
    )
    chosen = search.solve(order, improve=True)
    settled = True
    if chosen is None:
        kept, unsure, settled = _most_together(search, order)
        chosen = search.solve(kept, improve=True) or {}
        for i in order:
            if i not in kept:
                unplaced[i] = _why_together(domains[i], chosen, domains, search, i in unsure)

    optimal = search.optimal and settled
    placements = []
    for i in sorted(chosen, key=lambda i: (domains[i].starts[chosen[i]], domains[i].flex.key)):
        dom, c = domains[i], chosen[i]
        s = dom.slot(c)
        dated = wk.date(dom.flex.session, s.day, s.local)
        placements.append(Placement(dom.flex.key, dated, _reason(dom, c, chosen, domains, dated, buffer_minutes)))
    lost = tuple(unplaced[i] for i in sorted(unplaced, key=lambda i: domains[i].flex.key))
    return Placed(tuple(placements), lost, optimal)


def _most_together(search: _Search, order: list[int]) -> tuple[list[int], set[int], bool]:
    """The most sessions of ``order`` that can be placed together, when not all can.

    Returns them (in ``order``); the ones left out that are not proven unable
    to join them, since a search stopped at its step limit; and whether the
    answer is settled: no placement holds more sessions, or better ones.

    Which go is chosen in ``order``, the search's priority: lifts and hard runs
    first. First greedily, adding one session at a time and keeping it when it
    fits. A week that holds some sessions holds any fewer of them, so this
    keeps the best set by priority of those no session can be added to, and it
    is the answer when it leaves out one session, or as many as the count of
    sessions each window can hold (``_fits``) must. Otherwise sets that leave
    out fewer are tried, smallest first, each size in priority order (leaving
    out the last sessions first); a set that holds one already known not to
    fit, such as a pair of a kept and a left-out session that cannot share the
    week, is skipped without a search. The first that fits is the answer: the
    most sessions, and the best by priority among those. These tries stop
    after ``DROP_SETS`` sets, ``DROP_SEARCHES`` searches or ``DROP_BUDGET``
    steps, and the greedy answer stands, not settled.
    """
    misfits: list[frozenset[int]] = []  # sets of sessions proven not to fit together
    most = search.most_seated(order)  # no more fit: the windows hold no more
    searches = steps = 0
    doubt = False  # a search stopped at its step limit

    def fits(keep: list[int], limit: int = FIRST_BUDGET) -> bool:
        nonlocal searches, steps, doubt
        found = search.solve(keep, improve=False, first_budget=limit) is not None
        searches, steps = searches + 1, steps + search.steps
        if search.gave_up:
            doubt = True
        elif not found:
            misfits.append(frozenset(keep))
        return found

    def spare() -> int:
        return 0 if searches >= DROP_SEARCHES else max(0, DROP_BUDGET - steps)

    def answer(keep: list[int], settled: bool) -> tuple[list[int], set[int], bool]:
        unsure = {
            i for i in order if i not in keep and len(keep) < most and not any(m <= {*keep, i} for m in misfits)
        }
        return keep, unsure, settled and not doubt and not unsure

    kept: list[int] = []
    for i in order:
        if fits([*kept, i]):
            kept.append(i)
    left = [i for i in order if i not in kept]
    fewest = max(1, len(order) - most)
    if fewest >= len(left):
        return answer(kept, True)
    searches = steps = 0
    for i in left:  # the kept sessions each left-out one cannot share the week with, pair by pair
        for k in kept:
            if not spare():
                return answer(kept, False)
            fits([k, i], spare())
    sets = 0
    for size in range(fewest, len(left)):
        for out in _leave_out(order, size):
            sets += 1
            if sets > DROP_SETS or not spare():
                return answer(kept, False)
            keep = [i for i in order if i not in out]
            if not any(m.isdisjoint(out) for m in misfits) and fits(keep, spare()):
                return answer(keep, True)
    return answer(kept, True)


def _leave_out(order: list[int], size: int):
    """The sets of ``size`` sessions of ``order``, those leaving out its last sessions first.

    Of two sets, the one that keeps the earliest session where they differ
    comes first (colex order, counted from the back of ``order``).
    """
    back = order[::-1]

    def sets(k: int, below: int):
        if k == 0:
            yield ()
            return
        for top in range(k - 1, below):
            for rest in sets(k - 1, top):
                yield (*rest, back[top])

    return (frozenset(s) for s in sets(size, len(back)))


def _domain(
    flex: Flexible,
    wk: _Week,
    rules: _Rules,
    availability: dict,
    busy_ranges: list[tuple[int, int]],
    fixed_slots: list[tuple[_Who, _Slot]],
    last: tuple[int, time] | None,
    grid: int,
) -> _Domain:
    who = _who(flex.session)
    m = who.minutes
    windows = []  # (day, window, its first minute, its end minute)
    for day in sorted(set(flex.days)):
        for w in availability.get(day, ()):
            windows.append((day, w, wk.edge(day, w.start), wk.edge(day, w.end)))
    blocked: list[tuple[int, int]] = []
    owners: list[tuple[tuple[int, int], str]] = []
    for fw, fs in fixed_slots:
        for r in rules.forbidden(fw, fs, who):
            blocked.append(r)
            owners.append((r, fw.key))
    pieces = _pieces(wk, windows, m, grid, busy_ranges, _merge(blocked))

    shelf: dict[str, list] = {"days": [(day, w.start, w.end, end - first) for day, w, first, end in windows]}
    blockers: tuple[str, ...] = ()
    if not pieces:  # only a message needs to know which filter emptied it
        shelf["window"] = _starts(wk, windows, m, grid, [], [])
        shelf["busy"] = _starts(wk, windows, m, grid, busy_ranges, [])
        blockers = tuple(sorted({k for r, k in owners if any(r[0] <= x < r[1] for x in shelf["busy"])}))

    pref = flex.preferred
    lo, hi = (pref[0], pref[1] - m) if pref is not None else (-_DAY, _DAY)  # the starts that keep it in its preferred time
    usual = None if last is None else (last[0], last[1].hour * 60 + last[1].minute)
    tried = _tried if _apart(windows) else _tried_sorted
    pieces, preferred, stable = tried(pieces, lo, hi, usual)
    moved = last is not None and stable is None
    return _Domain(flex, who, wk, pieces, preferred, stable, moved, shelf, blockers)


def _tried(
    pieces: list[_Piece], lo: int, hi: int, usual: tuple[int, int] | None
) -> tuple[list[_Piece], int, int | None]:
    """The candidates in the order tried, how many lie in the preferred time (the first ones), which is the usual one.

    Preferred first (a local start from ``lo`` to ``hi``), the usual start
    (``(day, local start)``) first among its kind, then earliest. The windows
    are in order and apart, so their pieces are too, and in each piece the
    preferred starts are one stretch: the order is made by cutting the pieces
    there, not by sorting every start.
    """
    at_usual = None
    if usual is not None:
        for n, p in enumerate(pieces):
            k = bisect_left(p.locals, usual[1])
            if p.day == usual[0] and k < len(p.locals) and p.locals[k] == usual[1]:
                at_usual = p.cut(k, k + 1)
                pieces = [*pieces[:n], p.cut(0, k), p.cut(k + 1, len(p.locals)), *pieces[n + 1 :]]
                break
    preferred: list[_Piece] = []
    other: list[_Piece] = []
    for p in pieces:
        i, j = bisect_left(p.locals, lo), bisect_right(p.locals, hi)
        if i == 0 and j == len(p.locals):
            preferred.append(p)
        elif i == j:
            other.append(p)
        else:
            preferred.append(p.cut(i, j))
            other += [p.cut(0, i), p.cut(j, len(p.locals))]
    count = sum(len(p.starts) for p in preferred)
    if at_usual is None:
        stable = None
    elif lo <= usual[1] <= hi:
        preferred.insert(0, at_usual)
        count, stable = count + 1, 0
    else:
        other.insert(0, at_usual)
        stable = count
    return [p for p in (*preferred, *other) if p.starts], count, stable


def _tried_sorted(
    pieces: list[_Piece], lo: int, hi: int, usual: tuple[int, int] | None
) -> tuple[list[_Piece], int, int | None]:
    """``_tried`` for windows that overlap or are out of order: every start is ranked and sorted, a piece each."""
    kept = sorted({(at, p.day, t, p.window) for p in pieces for at, t in zip(p.starts, p.locals)})
    stable_at = None
    if usual is not None:
        stable_at = next((at for at, day, t, _ in kept if (day, t) == usual), None)
    rank = [(0 if lo <= t <= hi else 2) + (at != stable_at) for at, _, t, _ in kept]  # 2 * miss + not the usual start
    order = sorted(range(len(kept)), key=rank.__getitem__)  # stable: earliest first within a rank
    candidates = [kept[k] for k in order]
    stable = None if stable_at is None else next(k for k, x in enumerate(candidates) if x[0] == stable_at)
    preferred = sum(1 for r in rank if r < 2)
    return [_Piece((at,), (t,), day, window) for at, day, t, window in candidates], preferred, stable


def _pieces(
    wk: _Week, windows: list, m: int, grid: int, busy: list[tuple[int, int]], blocked: list[tuple[int, int]]
) -> list[_Piece]:
    """Per window with any, the grid starts of an ``m``-minute session in it.

    None that would overlap a ``busy`` range, or lies in a ``blocked`` range
    of starts (both merged and sorted). On a day without a clock change a
    start's minute is a fixed offset from its wall time, so the free
    stretches of each window are cut out first and only their grid starts are
    made.
    """
    busy_los, busy_his = [lo for lo, _ in busy], [hi for _, hi in busy]
    los, his = [lo for lo, _ in blocked], [hi for _, hi in blocked]
    pieces = []
    for day, w, first, last_end in windows:
        t0 = -(-w.start // grid) * grid
        offset = wk.offsets.get(day)
        base = day * _DAY - (offset or 0)
        lo, hi = (base + t0, base + w.end - m + 1) if offset is not None else (first, last_end - m + 1)
        # The busy ranges near [lo, hi), as the starts they rule out: their starts and ends both rise.
        near = busy[bisect_right(busy_his, lo) : bisect_left(busy_los, hi + m - 1)]
        cuts = [(a - m + 1, b) for a, b in near]
        ats: list[int] = []
        ts: list[int] = []
        if offset is not None:
            for a, b in _subtract(_subtract([(lo, hi)], cuts), blocked[bisect_right(his, lo) : bisect_left(los, hi)]):
                t1 = -(-(a - base) // grid) * grid
                ats += range(base + t1, b, grid)
                ts += range(t1, b - base, grid)
        else:
            cut_his = [b for _, b in cuts]
            for t in range(t0, w.end - m + 1, grid):
                at = wk.instant(day, t)
                if at is not None and first <= at and at + m <= last_end:
                    if not _inside(at, cuts, cut_his) and not _inside(at, blocked, his):
                        ats.append(at)
                        ts.append(t)
        if ats:
            pieces.append(_Piece(ats, ts, day, (first, last_end)))
    return pieces


def _starts(
    wk: _Week, windows: list, m: int, grid: int, busy: list[tuple[int, int]], blocked: list[tuple[int, int]]
) -> list[int]:
    """The start minutes of ``_pieces``, sorted and distinct."""
    out = [x for p in _pieces(wk, windows, m, grid, busy, blocked) for x in p.starts]
    return out if _apart(windows) else sorted(set(out))


def _apart(windows: list) -> bool:
    """Whether the windows are in order and apart, and so are their starts."""
    return all(a[3] <= b[2] for a, b in zip(windows, windows[1:]))


def _inside(x: int, ranges: list[tuple[int, int]], his: list[int]) -> bool:
    """Whether ``x`` lies in one of ``ranges`` (merged, sorted; ``his`` their ends)."""
    i = bisect_right(his, x)
    return i < len(ranges) and ranges[i][0] <= x


def _hits(x: int, ranges: list[tuple[int, int]]) -> bool:
    """Whether ``x`` lies in one of a few ``ranges``, in any order."""
    for lo, hi in ranges:
        if lo <= x < hi:
            return True
    return False


def _exact(wk: _Week, session: Session, s: _Slot) -> _Slot:
    """A slot on a day with a clock change, dated the way ``date_week`` dates it."""
    if wk.offsets.get(s.day) is not None:
        return s
    return wk.slot(wk.date(session, s.day, s.local))


class _Search:
    """Depth-first search with forward checking, then branch and bound on the soft preferences."""

    def __init__(
        self, domains: list[_Domain], rules: _Rules, fixed: list[tuple[_Who, _Slot]], budget: int, busy: list[tuple[int, int]]
    ) -> None:
        self.domains, self.rules, self.fixed, self.budget = domains, rules, fixed, budget
        self.gave_up = False
        taken = _merge([*busy, *((t.start - rules.buffer, t.end + rules.buffer) for _, t in fixed)])
        # Each window's free stretches, for the counting check in ``_fits``.
        self.stretches = {
            seg: _subtract([seg], taken) for seg in sorted({seg for d in domains for seg in d.segments})
        }

    def solve(self, order: list[int], improve: bool, first_budget: int = FIRST_BUDGET) -> dict[int, int] | None:
        self.order = order
        self.first_budget = first_budget
        self.forb: dict[int, list[tuple[int, int]]] = {i: [] for i in order}
        self.first: dict[int, int | None] = {i: 0 if self.domains[i].starts else None for i in order}  # see _first_free
        self.stable_free = {i: self.domains[i].stable is not None for i in order}  # its usual slot is not forbidden
        self.assigned: dict[int, int] = {}
        self.best: dict[int, int] | None = None
        self.best_cost: tuple | None = None
        self.improve = improve
        self.steps = 0
        self.gave_up = False
        self.optimal = True  # no placement is better by the soft preferences
        self.floor = None
        self.hard_on: dict[int, int] = {}
        # What one more session on a day (of the week, and more as they come) adds, for the bounds: lower-body
        # lifts within a day of it, and hard sessions (same-day, next-day pairs, packed as in _days_floor).
        self.lower_near: dict[int, int] = dict.fromkeys(range(7), 0)
        self.hard_cost: dict[int, int] = dict.fromkeys(range(7), 0)
        self.lower_starts: list[int] = []
        for w, t in self.fixed:
            self._count(w, t, 1)
        parts = self._rest_bounds(order)
        if parts is not None and self._fits(order):
            self.floor = tuple(sum(p[k] for p in parts) for k in range(5))  # no placement costs less
            days = self._hard_days_floor(order) if improve else None
            if days is not None:
                self.floor = (self.floor[0], self.floor[1], *days, self.floor[4])
            after = tuple(sum(p[k] for p in parts[1:]) for k in range(5))
            # Exact first; if that runs long, search again from the best so far, one start per day and class.
            self.per_day, self.limit = None, min(EXACT_BUDGET, self.budget)
            self._dfs(0, (0, 0, 0, 0, 0), after)
            if improve and self.best is not None and self.steps > self.limit and self.best_cost != self.floor:
                self.optimal = False
                self.per_day, self.limit, self.steps = PER_DAY, self.budget, 0
                self._dfs(0, (0, 0, 0, 0, 0), after)
                self.optimal = self.best_cost == self.floor
        return self.best

    def _hard_days_floor(self, order: list[int]) -> tuple[int, int] | None:
        """The fewest (same-day, next-day) pairs of hard sessions any placement of ``order`` makes, by days alone.

        Each hard session takes one of the days it has slots on, and the pairs
        are counted as ``_pairs`` counts them, with the fixed sessions too.
        Times, windows and the other sessions are left out, so no placement
        does better; on a week that needs a hard session on every day or two,
        this is what shows that the placement found is the best. Branch and
        bound over the days, for up to ``DAYS_BUDGET`` steps; None past them.
        """
        hard = sorted(
            (j for j in order if self.domains[j].who.hard),
            key=lambda j: (len(self.domains[j].days), sorted(self.domains[j].days), j),
        )
        days = tuple(tuple(sorted(self.domains[j].days)) for j in hard)
        return _days_floor(days, tuple(sorted(self.hard_on.items())))

    def _first_free(self, j: int, new: list[tuple[int, int]]) -> int | None:
        """The first of ``j``'s slots still free once ``new`` has joined its forbidden ranges.

        Ranges are only ever added on the way down (and taken off again on the
        way back), so the first free slot moves only later: look on from it.
        A slot inside a range has the slots after it that start before the
        range ends, in the same run of rising starts, inside it too: skip them.
        """
        first = self.first[j]
        if first is None:
            return None
        dom = self.domains[j]
        starts, run_end = dom.starts, dom.run_end
        if not _hits(starts[first], new):
            return first
        forb = self.forb[j]
        c = first + 1
        while c < len(starts):
            x = starts[c]
            for lo, hi in forb:
                if lo <= x < hi:
                    c = bisect_left(starts, hi, c + 1, run_end[c])
                    break
            else:
                return c
        return None

    def _done(self) -> bool:
        if self.best is None:
            if self.steps > self.first_budget:
                self.gave_up = True
                return True
            return False
        return not self.improve or self.best_cost == self.floor or self.steps > self.limit

    def _dfs(self, level: int, cost: _Cost, rest_lb: _Cost = (0, 0, 0, 0, 0)) -> None:
        """``rest_lb``: the least cost the sessions after this one can still add, per preference."""
        if level == len(self.order):
            if self.best_cost is None or cost < self.best_cost:
                self.best, self.best_cost = dict(self.assigned), cost
            return
        i = self.order[level]
        dom = self.domains[i]
        rest = self.order[level + 1 :]
        who = dom.who
        social = who.lower or who.hard
        r0, r1, r2, r3, r4 = rest_lb
        c0, c1, c2, c3, c4 = cost
        preferred, moved, stable = dom.preferred, dom.moved, dom.stable
        tried: dict[tuple[int, bool, int], int] = {}
        domains, forbidden = self.domains, self.rules.forbidden
        forb_of, first_of, stable_free = self.forb, self.first, self.stable_free
        forb = _merge(self.forb[i])  # fixed while this session's slots are tried
        forb_his = [hi for _, hi in forb]
        stop = self._stop(dom, (c0 + r0, c1 + r1, c2 + r2, c3 + r3, c4 + r4))
        starts, run_end = dom.starts, dom.run_end
        # Where a candidate's class (miss, unstable) can change: where misses start, at the usual start and after it.
        classes = (preferred,) if stable is None else (preferred, stable, stable + 1)
        passed = 0  # the candidates before it are counted as tried already
        for c, x in enumerate(starts):
            if c < passed:
                continue
            if self._done():
                return
            self.steps += 1
            if c >= stop:
                return
            k = bisect_right(forb_his, x)
            if k < len(forb) and forb[k][0] <= x:
                # A start in a forbidden range, and so are the next in its run that start before the range ends:
                # they take a step each, as far as the search goes on before its step limit or its floor stops it.
                passed = self._pass_over(c, bisect_left(starts, forb[k][1], c + 1, run_end[c]), stop)
                continue
            miss = int(c >= preferred)
            unstable = moved or (stable is not None and c != stable)
            if self.best_cost is not None:
                piece, first = dom.piece(c)
                group = (miss, unstable, piece.day)
                if self.per_day is not None and tried.get(group, 0) >= self.per_day:
                    # Its class has had its tries on that day, and so has the next start's while it is the same:
                    # in the same piece (one day's), short of where misses start or the usual start is.
                    end = min([first + len(piece.starts), *(e for e in classes if e > c)])
                    passed = self._pass_over(c, end, stop)
                    continue
                tried[group] = tried.get(group, 0) + 1
            s = dom.slot(c)
            lower, same, next_day = self._pairs(i, s) if social else (0, 0, 0)
            here = (c0 + miss, c1 + lower, c2 + same, c3 + next_day, c4 + unstable)
            if self.best_cost is not None and (
                (here[0] + r0, here[1] + r1, here[2] + r2, here[3] + r3, here[4] + r4) >= self.best_cost
            ):
                continue
            pushed = []
            for j in rest:
                dj = domains[j]
                ranges = forbidden(who, s, dj.who)
                forb_of[j] += ranges
                pushed.append((j, len(ranges), first_of[j], stable_free[j]))
                first_of[j] = self._first_free(j, ranges)
                if stable_free[j]:
                    stable_free[j] = not _hits(dj.starts[dj.stable], ranges)
            self._count(who, s, 1)
            self.assigned[i] = c
            parts = self._rest_bounds(rest)
            if parts is not None and self.best_cost is None and self.steps > COUNT_AFTER and not self._fits(rest):
                parts = None
            if parts is not None:
                total = list(map(sum, zip(*parts))) if parts else [0, 0, 0, 0, 0]
                bound = tuple(map(add, here, total))
                if self.best_cost is None or bound < self.best_cost:
                    self._dfs(level + 1, here, tuple(map(sub, total, parts[0])) if parts else (0, 0, 0, 0, 0))
                    stop = self._stop(dom, (c0 + r0, c1 + r1, c2 + r2, c3 + r3, c4 + r4))
            del self.assigned[i]
            self._count(who, s, -1)
            for j, n, first, free in pushed:
                del forb_of[j][len(forb_of[j]) - n :]
                first_of[j], stable_free[j] = first, free

    def _pass_over(self, c: int, end: int, stop: int) -> int:
        """Where the candidates after ``c``, up to ``end``, that would each take a step and be passed over, end.

        At ``end``, or before, where the step limit or the floor (``stop``)
        would stop the level; their steps are counted.
        """
        limit = self.first_budget if self.best is None else self.limit
        passed = min(end, stop, c + 2 + limit - self.steps)
        self.steps += passed - c - 1
        return passed

    def _stop(self, dom: _Domain, floor: _Cost) -> int:
        """The first of ``dom``'s candidates that cannot do better than the best placement so far, nor can any after it.

        ``floor`` is the cost so far plus the least the later sessions add. A
        candidate adds whether it misses its preferred time and whether it comes
        after the usual start; candidates are tried in that order, so these only
        ever grow, and only the candidates where one of them changes need a look.
        """
        n = len(dom.starts)
        if self.best_cost is None:
            return n
        for c in sorted({0, dom.preferred, n if dom.stable is None else dom.stable + 1}):
            later = dom.moved or (dom.stable is not None and c > dom.stable)
            if c < n and (floor[0] + (c >= dom.preferred), *floor[1:4], floor[4] + later) >= self.best_cost:
                return c
        return n

    def _rest_bounds(self, rest: list[int]) -> list[_Cost] | None:
        """Per later session, the least cost it can add with the sessions placed so far; None if one has no start left.

        Its pairs with sessions placed later are counted when those are placed,
        so they are not part of its bound. Its same-day and next-day hard pairs
        are bounded together, by the day that makes the least of them in that
        order: a sum of such bounds stays below the true cost (lexicographically).
        """
        parts = []
        for j in rest:
            first = self.first[j]
            if first is None:
                return None
            dj = self.domains[j]
            lower = min(map(self.lower_near.__getitem__, dj.days)) if dj.who.lower else 0
            same, next_day = divmod(min(map(self.hard_cost.__getitem__, dj.days)), _PACK) if dj.who.hard else (0, 0)
            stab = dj.moved or (dj.stable is not None and not self.stable_free[j])
            parts.append((int(first >= dj.preferred), lower, same, next_day, int(stab)))
        return parts

    def _fits(self, rest: list[int]) -> bool:
        """Whether the sessions still to place could each have a window, counting how many fit in each.

        A window's free stretches hold at most as many sessions as their
        shortest durations plus buffers allow; if no assignment of sessions to
        windows within those counts exists (a matching), no placement does.
        This settles weeks with more sessions than room quickly.
        """
        return len(rest) < 2 or self._seats(rest, stop=True) == len(rest)

    def most_seated(self, sessions: list[int]) -> int:
        """At most how many of ``sessions`` one placement holds, by the count ``_fits`` makes, none placed yet."""
        self.assigned = {}
        return self._seats(sessions, stop=False)

    def _seats(self, rest: list[int], stop: bool) -> int:
        """How many of ``rest`` the windows' counts seat at most (a largest matching); ``stop``: at the first left out."""
        buf = self.rules.buffer
        used = [(t.start - buf, t.end + buf) for t in (self.domains[j].slot(c) for j, c in self.assigned.items())]
        used = _merge(used)
        room: dict[tuple[int, int], int] = {}
        for seg, free in self.stretches.items():
            wanted = sorted(self.domains[j].who.minutes for j in rest if seg in self.domains[j].segments)
            if not wanted:
                continue
            count = 0
            for lo, hi in _subtract(free, used):
                total, k = -buf, 0
                for m in wanted:
                    if total + buf + m > hi - lo:
                        break
                    total += buf + m
                    k += 1
                count += k
            room[seg] = min(count, len(wanted))
        load: dict[tuple[int, int], list[int]] = {seg: [] for seg in room}

        def seat(j: int, seen: set) -> bool:
            for seg in self.domains[j].segments:
                if seg in seen or not room.get(seg):
                    continue
                seen.add(seg)
                if len(load[seg]) < room[seg]:
                    load[seg].append(j)
                    return True
                for k in list(load[seg]):
                    if seat(k, seen):
                        load[seg].remove(k)
                        load[seg].append(j)
                        return True
            return False

        seated = 0
        for j in rest:
            if seat(j, set()):
                seated += 1
            elif stop:
                break
        return seated

    def _count(self, who: _Who, slot: _Slot, step: int) -> None:
        """Add (or take back) a fixed or placed session in the tallies ``_pairs`` and the bounds read."""
        day = slot.day
        if who.lower:
            for d in (day - 1, day, day + 1):
                self.lower_near[d] = self.lower_near.get(d, 0) + step
            if step > 0:
                self.lower_starts.append(slot.start)
            else:
                self.lower_starts.remove(slot.start)
        if who.hard:
            self.hard_on[day] = self.hard_on.get(day, 0) + step
            self.hard_cost[day] = self.hard_cost.get(day, 0) + step * _PACK
            for d in (day - 1, day + 1):
                self.hard_cost[d] = self.hard_cost.get(d, 0) + step

    def _pairs(self, i: int, s: _Slot) -> tuple[int, int, int]:
        """Soft-preference pairs this slot makes with fixed and already placed sessions.

        (lower-body lifts under 48 h apart, hard sessions on the same day, hard
        sessions on consecutive days), each by the local date of its start.
        """
        who = self.domains[i].who
        lower = 0
        if who.lower:
            spacing = _LOWER_SPACING_MINUTES
            lower = sum(1 for start in self.lower_starts if abs(start - s.start) < spacing)
        if not who.hard:
            return lower, 0, 0
        on = self.hard_on
        return lower, on.get(s.day, 0), on.get(s.day - 1, 0) + on.get(s.day + 1, 0)


@lru_cache(maxsize=128)
def _days_floor(hard: tuple[tuple[int, ...], ...], hard_on: tuple[tuple[int, int], ...]) -> tuple[int, int] | None:
    """``_Search._hard_days_floor`` from the days of each hard session, in order, and the hard sessions fixed by day.

    Kept, since a run asks it of weeks alike: the usual week and the one it
    stands for have the same fixed sessions and, unless busy time takes a
    whole day, the same days.
    """
    on_days = dict(hard_on)
    # What one more hard session on a day costs, (same-day pairs, next-day pairs) packed in one number
    # (same * _PACK + next) so that sums and minimums stay whole numbers; a list indexed from the day before
    # the earliest day a neighbour week's session has (or Monday) to the day after the latest (or Sunday).
    low = min([*on_days, 0]) - 1
    on = [0] * (max([*on_days, 6]) - low + 2)
    for d, n in on_days.items():
        on[d - low] = n
    cost = [on[k] * _PACK + on[k - 1] + on[k + 1] for k in range(1, len(on) - 1)]
    cost = [0, *cost, 0]
    cost_of = cost.__getitem__
    days = [[d - low for d in ds] for ds in hard]
    twin = [n + 1 < len(days) and days[n + 1] == days[n] for n in range(len(days))]
    # The sessions from the n-th on as (days, how many have them): twins are next to each other.
    rest = [[(ks, len(list(same))) for ks, same in groupby(days[n:])] for n in range(len(days))]
    best: list[int | None] = [None]
    steps = 0

    def go(n: int, total: int, after: int) -> bool:
        nonlocal steps
        if n == len(hard):
            if best[0] is None or total < best[0]:
                best[0] = total
            return True
        if best[0] is not None and total + sum(min(map(cost_of, ks)) * count for ks, count in rest[n]) >= best[0]:
            return True
        for k in sorted(days[n], key=cost_of):
            if k < after:
                continue  # twins (the same days) take their days in order: the rest are the same placements
            steps += 1
            if steps > DAYS_BUDGET:
                return False
            here = cost[k]
            cost[k - 1] += 1
            cost[k] += _PACK
            cost[k + 1] += 1
            done = go(n + 1, total + here, k if twin[n] else -_DAY)
            cost[k - 1] -= 1
            cost[k] -= _PACK
            cost[k + 1] -= 1
            if not done:
                return False
        return True

    if not go(0, 0, -_DAY):
        return None
    return divmod(best[0], _PACK) if best[0] is not None else None


def _span(days) -> str:
    days = sorted(set(days))
    if days == list(range(7)):
        return "any day"
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAYS[days[0]]}–{DAYS[days[-1]]}"
    return ", ".join(DAYS[d] for d in days)


def _pref_text(flex: Flexible) -> str:
    if isinstance(flex.prefer, Window):
        return f"preferred {flex.prefer}"
    return f"preferred {flex.prefer}"


def _why_empty(dom: _Domain, buffer: int) -> Unplaced:
    f, m = dom.flex, dom.who.minutes
    on = f"on {_span(f.days)}"
    if not dom.shelf["days"]:
        return Unplaced(f.key, "days", f"{f.key}: no availability window {on}; add one or allow other days.")
    if not dom.shelf["window"]:
        longest = max(w[3] for w in dom.shelf["days"])
        return Unplaced(
            f.key, "window", f"{f.key}: no availability window {on} is {m} min long (the longest is {longest} min)."
        )
    if not dom.shelf["busy"]:
        return Unplaced(
            f.key, "busy", f"{f.key}: no {m}-min slot {on} is outside busy time with {buffer}-min buffers around it."
        )
    by = ", ".join(dom.fixed_blockers)
    return Unplaced(
        f.key,
        "fixed",
        f"{f.key}: every free {m}-min slot {on} clashes with fixed sessions ({by}): too close to them, "
        f"or it would break the lift-first gap or order rule.",
    )


def _why_together(dom: _Domain, chosen: dict[int, int], domains: list[_Domain], search: _Search, gave_up: bool) -> Unplaced:
    f, m = dom.flex, dom.who.minutes
    takers = []
    for j, c in sorted(chosen.items(), key=lambda jc: domains[jc[0]].starts[jc[1]]):
        s = domains[j].slot(c)
        ranges = search.rules.forbidden(domains[j].who, s, dom.who)
        if any(lo <= x < hi for x in dom.starts for lo, hi in ranges):
            takers.append(f"{domains[j].flex.key} ({DAYS[s.day % 7].capitalize()} {_hhmm(s.local)})")
    who = ", ".join(takers) or "the other sessions"
    verb = "is" if len(takers) == 1 else "are"
    if gave_up:
        return Unplaced(
            f.key,
            "search",
            f"{f.key}: no {m}-min slot on {_span(f.days)} was found next to {who} within the search limit; "
            f"the week is too full to settle. Allow more days or longer windows, or drop a session.",
        )
    return Unplaced(
        f.key,
        "together",
        f"{f.key}: no {m}-min slot on {_span(f.days)} is left once {who} {verb} placed; its free slots are "
        f"taken by {'it' if verb == 'is' else 'them'}, or too close to {'it' if verb == 'is' else 'them'} for the lift-first gap or order rule.",
    )


def _reason(dom: _Domain, c: int, chosen: dict[int, int], domains: list[_Domain], dated: DatedSession, buffer: int) -> str:
    f, m = dom.flex, dom.who.minutes
    parts = []
    if f.prefer is not None:
        if c >= dom.preferred:
            parts.append(f"no {_pref_text(f)} slot fits, so outside it")
        else:
            parts.append(f"in its {_pref_text(f)} time")
    if dom.stable is not None and c == dom.stable:
        parts.append("at its usual time")
    elif dom.moved:
        parts.append("its usual time is not free this week")
    elif dom.stable is not None:
        parts.append("moved from its usual time to fit the other sessions")
    free = f"slot on {_span(f.days)} free for {m} min + {buffer} min buffers"
    if len(dom.starts) == 1:
        parts.append(f"the only {free}")
    elif c == _earliest(dom):
        parts.append(f"the earliest {free}")
    else:
        parts.append(f"the earliest {free} that keeps the rules with the other sessions")
    return f"{dated.start:%a %H:%M}: " + "; ".join(parts)


def _earliest(dom: _Domain) -> int:
    """The first candidate with the earliest start: the first of a piece, since each piece rises."""
    earliest = min(p.starts[0] for p in dom.pieces)
    return next(b for b, p in zip(dom.begins, dom.pieces) if p.starts[0] == earliest)
