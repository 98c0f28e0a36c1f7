"""The concurrent-training rules, as findings on dated weeks.

The facts behind them (from the seed article): lifting and running interfere
least when at least 6 hours apart or on different days; if both fall on one
day, lift first; an easy 20-30 minute jog in the morning before afternoon
lifting is fine; runners who want muscle need a hill or sprint session (or
high-intensity intervals) each week; two lower-body strength sessions a week is
the useful dose; protein goes over 3-5 meals.

Time between sessions is always elapsed time (UTC), never the weekday label:
a lift at 23:00 and a run at 01:00 are two hours apart, across midnight, a
clock change or the boundary of two exported weeks alike. The notes on each
event are written from the same ``Link``s the rules judge, so the calendar
says what ``check`` says.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import NamedTuple

from syncplan.kinds import LOWER_BODY_FOCUS
from syncplan.plan import Plan
from syncplan.week import DatedSession, DatedWeek, clock_text

SEVERITIES = ("error", "warning", "info")
EASY_JOG_MINUTES = 30  # the article's 20-30 min; a shorter easy jog is lighter still
NOON = time(12)  # a morning jog ends by noon; an afternoon lift starts at noon or later
ORDER_WINDOW = timedelta(hours=12)  # a run ending closer than this before a lift "comes before" it
MEALS = (3, 5)  # the article's spread of the day's protein
RAMP = 0.10  # the most a week's run minutes may grow over the last full week


class Finding(NamedTuple):
    rule: str
    severity: str  # error | warning | info
    message: str
    week: str
    sessions: tuple[str, ...] = ()  # keys; a session of another week is "<week>/<key>"
    at: datetime | None = None  # UTC start of the first session it is about; None for the week as a whole

    @property
    def sort_key(self) -> tuple:
        """Week by week; within a week in time order, then the findings about the whole week."""
        when = self.at.isoformat() if self.at else ""
        return (self.week, self.at is None, when, SEVERITIES.index(self.severity), self.rule, self.sessions)


class Placed(NamedTuple):
    """A dated session and the ISO week (label) it was dated for."""

    week: str
    d: DatedSession

    @property
    def ref(self) -> tuple[str, str]:
        return (self.week, self.d.key)


class Link(NamedTuple):
    """A lift and a run close enough in time for their order to matter.

    ``verdict`` is "ok" (lift first, far enough apart), "gap" (lift first, too
    soon), "order" (run first) or "easy-jog" (the allowed morning jog before
    afternoon lifting). ``between`` runs from the end of the first to the start
    of the second.
    """

    lift: Placed
    run: Placed
    between: timedelta
    verdict: str

    @property
    def lift_first(self) -> bool:
        return self.verdict in ("ok", "gap")


class Checked:
    """Findings plus the relations behind them, looked up by (week, session key)."""

    def __init__(self, findings: list[Finding], links: list[Link], overlaps: list[tuple[Placed, Placed]]) -> None:
        self.findings = findings
        self.links = links
        self.overlaps = overlaps
        self._links: dict[tuple[str, str], list[Link]] = {}
        self._overlaps: dict[tuple[str, str], list[Placed]] = {}
        for link in links:
            self._links.setdefault(link.lift.ref, []).append(link)
            self._links.setdefault(link.run.ref, []).append(link)
        for a, b in overlaps:
            self._overlaps.setdefault(a.ref, []).append(b)
            self._overlaps.setdefault(b.ref, []).append(a)

    def links_of(self, week: str, key: str) -> list[Link]:
        return self._links.get((week, key), [])

    def overlaps_of(self, week: str, key: str) -> list[Placed]:
        """The sessions this one overlaps."""
        return self._overlaps.get((week, key), [])


def check(plan: Plan, week: DatedWeek) -> list[Finding]:
    """Findings for one week on its own."""
    return examine_week(plan, week).findings


def examine_week(plan: Plan, week: DatedWeek) -> Checked:
    """One week, with the weeks around it as context (the plan repeats)."""
    from syncplan.week import date_week

    return examine(plan, [week], [date_week(plan, week.week.previous()), date_week(plan, week.week.next())])


def examine(
    plan: Plan, weeks: list[DatedWeek] | tuple[DatedWeek, ...], context: list[DatedWeek] | tuple[DatedWeek, ...] = ()
) -> Checked:
    """Check consecutive weeks together, so a clash across a week boundary is found too.

    The plan repeats, so ``context`` (the week before the first and the one
    after the last) takes part in the relations: a late Sunday lift before the
    first Monday's run is found, and a session's notes do not depend on which
    export window holds it. Context sessions get no findings of their own.
    """
    in_range = {w.week.label for w in weeks}
    placed = sorted(
        (Placed(w.week.label, d) for w in (*context, *weeks) for d in w.sessions),
        key=lambda p: (p.d.utc_start, p.week, p.d.key),
    )
    overlaps, links = _relations(plan, placed)
    links = [link for link in links if _rule_of(link) not in plan.disabled]
    if "overlap" in plan.disabled:
        overlaps = []
    findings = [*_overlap_findings(overlaps, in_range), *_link_findings(plan, links, in_range)]
    empty = not plan.sessions and not plan.flexible
    for i, week in enumerate(weeks):
        if i == 0:
            findings += [*_empty(plan, week), *_meals(plan, week)]
        if not empty and not (week.phase is not None and week.phase.rest):  # a week off asks for nothing
            findings += [*_hill_or_sprint(plan, week), *_strength_count(week)]
        findings += _dst(week)
    if plan.block is not None:
        findings += _block_findings(plan, weeks)
    kept = sorted((f for f in findings if f.rule not in plan.disabled), key=lambda f: f.sort_key)
    return Checked(kept, links, overlaps)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def is_easy_jog(run: DatedSession, lift: DatedSession) -> bool:
    """The article's "morning jog, afternoon lifting": an easy run of up to 30 min
    that ends by noon, on the same date as a lift starting at noon or later."""
    s = run.session
    return (
        s.kind.id == "easy"
        and s.minutes <= EASY_JOG_MINUTES
        and run.end.date() == lift.start.date() == run.start.date()
        and run.end.time() <= NOON <= lift.start.time()
    )


def _relations(plan: Plan, placed: list[Placed]) -> tuple[list[tuple[Placed, Placed]], list[Link]]:
    gap = timedelta(hours=plan.min_gap_hours)
    horizon = max(gap, ORDER_WINDOW)
    overlaps, links = [], []
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            if b.d.utc_start >= a.d.utc_end + horizon:
                break  # sorted by start: every later one is further away
            if b.d.utc_start < a.d.utc_end:
                overlaps.append((a, b))
                continue
            between = b.d.utc_start - a.d.utc_end
            ka, kb = a.d.session.kind, b.d.session.kind
            if ka.id == "strength" and kb.run:
                verdict = "gap" if between < gap else "ok" if between < ORDER_WINDOW else None
                if verdict:
                    links.append(Link(a, b, between, verdict))
            elif ka.run and kb.id == "strength" and between < horizon:
                links.append(Link(b, a, between, "easy-jog" if is_easy_jog(a.d, b.d) else "order"))
    return overlaps, links


def _ref(p: Placed, week: str) -> str:
    """A session's key as seen from ``week``: qualified when it belongs to another."""
    return p.d.key if p.week == week else f"{p.week}/{p.d.key}"


def _when(d: DatedSession) -> str:
    """"Sun 01:30", with the zone when that wall time happens twice ("Sun 01:30 BST")."""
    return f"{d.start:%a} {clock_text(d.start)}"


def _rule_of(link: Link) -> str | None:
    """The rule a link breaks, if any."""
    return link.verdict if link.verdict in ("gap", "order") else None


def _home(sessions: list[Placed], in_range: set[str]) -> str | None:
    """The week a finding about ``sessions`` (in time order) is filed under: the first one in range."""
    return next((p.week for p in sessions if p.week in in_range), None)


def _overlap_findings(overlaps, in_range: set[str]):
    """One error per cluster of sessions that overlap, so a pile-up is one line, not every pair."""
    cluster: dict[tuple[str, str], list[Placed]] = {}
    for a, b in overlaps:
        group = cluster.setdefault(a.ref, [a])
        if b.ref not in cluster:
            group.append(b)
            cluster[b.ref] = group
        elif cluster[b.ref] is not group:
            other = cluster[b.ref]
            group.extend(other)
            for p in other:
                cluster[p.ref] = group
    seen = set()
    for group in cluster.values():
        if id(group) in seen:
            continue
        seen.add(id(group))
        first, *rest = sorted(group, key=lambda p: (p.d.utc_start, p.week, p.d.key))
        week = _home([first, *rest], in_range)
        if week is None:
            continue
        if len(rest) == 1:
            b = rest[0]
            text = f"{_ref(first, week)} ({_when(first.d)}, {first.d.session.minutes} min) and {_ref(b, week)} ({_when(b.d)}) overlap"
        else:
            names = ", ".join(f"{_ref(p, week)} ({_when(p.d)})" for p in rest[:-1])
            last = rest[-1]
            text = f"{len(group)} sessions overlap: {_ref(first, week)} ({_when(first.d)}), {names} and {_ref(last, week)} ({_when(last.d)})"
        refs = tuple(_ref(p, week) for p in [first, *rest])
        yield Finding("overlap", "error", f"{text}; move one of them.", week, refs, first.d.utc_start)


def run_phrase(kind) -> str:
    """How a message names a run that comes before lifting."""
    if kind.id == "long":
        return "a long run"
    return "a hard run" if kind.hard else "an easy run"


def _link_findings(plan: Plan, links: list[Link], in_range: set[str]):
    hours = f"{plan.min_gap_hours:g} h"
    for link in links:
        lift, run = link.lift, link.run
        week = _home([lift, run] if link.lift_first else [run, lift], in_range)
        if week is None:
            continue
        if link.verdict == "gap":
            yield Finding(
                "gap",
                "warning",
                f"{_ref(run, week)} ({_when(run.d)}) starts {hours_text(link.between)} after {_ref(lift, week)} "
                f"ends; leave at least {hours} between lifting and running, or put them on different days.",
                week,
                (_ref(lift, week), _ref(run, week)),
                lift.d.utc_start,
            )
        elif link.verdict == "order":
            yield Finding(
                "order",
                "warning",
                f"{_ref(run, week)} ({_when(run.d)}) is {run_phrase(run.d.session.kind)} ending "
                f"{hours_text(link.between)} before {_ref(lift, week)} ({_when(lift.d)}); lift first and run at least "
                f"{hours} later. Only an easy jog of up to {EASY_JOG_MINUTES} min in the morning before afternoon "
                f"lifting is fine.",
                week,
                (_ref(run, week), _ref(lift, week)),
                run.d.utc_start,
            )


def _empty(plan: Plan, week: DatedWeek):
    if not plan.sessions and not plan.flexible:
        yield Finding(
            "empty",
            "warning",
            "the plan has no sessions, so there is nothing to put in the calendar; add [[session]] tables to it.",
            week.week.label,
        )


def _meals(plan: Plan, week: DatedWeek):
    low, high = MEALS
    if plan.meals < low:
        each = protein_per_meal(plan, low)
        eaten = "one meal" if plan.meals == 1 else "two meals"
        yield Finding(
            "meals",
            "info",
            f"meals = {plan.meals}: the article advises spreading the day's protein over {low}-{high} meals and "
            f"snacks rather than {eaten}, for muscle building through the day; over {low}, each carries about "
            f"{each[0]}-{each[1]} g.",
            week.week.label,
        )
    elif plan.meals > high:
        each = protein_per_meal(plan)
        yield Finding(
            "meals",
            "info",
            f"meals = {plan.meals}: more than the {low}-{high} meals and snacks the article spreads the day's "
            f"protein over; at {plan.meals}, each carries about {each[0]}-{each[1]} g.",
            week.week.label,
        )


def protein_per_day(plan: Plan) -> tuple[int, int]:
    """The article's 1.6-2.2 g per kg of body weight, in grams."""
    return _round(plan.weight_kg * 1.6), _round(plan.weight_kg * 2.2)


def protein_per_meal(plan: Plan, meals: int | None = None) -> tuple[int, int]:
    """Grams at each meal over the plan's meals, or over ``meals``."""
    low, high = protein_per_day(plan)
    meals = meals or plan.meals
    return _round(low / meals), _round(high / meals)


def _round(x: float) -> int:
    """Half up, as people round grams (round() would make 38.5 g into 38)."""
    return int(x + 0.5)


def _hill_or_sprint(plan: Plan, week: DatedWeek):
    if plan.goal == "performance" or any(d.session.kind.hill_or_sprint for d in week.sessions):
        return
    yield Finding(
        "hill-or-sprint",
        "warning",
        "no hill, sprint or interval session this week; for muscle, make one run each week hills, sprints or "
        "high-intensity intervals.",
        week.week.label,
    )


def _strength_count(week: DatedWeek):
    lifts = [d for d in week.sessions if d.session.kind.id == "strength"]
    lower = [d.key for d in lifts if d.session.focus in LOWER_BODY_FOCUS]
    if len(lower) >= 2:
        return
    upper = [d.key for d in lifts if d.session.focus not in LOWER_BODY_FOCUS]
    not_counted = f" Upper-body sessions ({', '.join(upper)}) do not count." if upper else ""
    yield Finding(
        "strength-count",
        "warning" if not lower else "info",
        f"{len(lower)} lower-body strength session{'s' if len(lower) != 1 else ''} (focus lower or full) this week; "
        f"two a week of lower-body compound lifting is what builds muscle and running economy.{not_counted}",
        week.week.label,
        tuple(lower),
    )


def _dst(week: DatedWeek):
    for when, before, after in week.transitions:
        direction = "forward" if after > before else "back"
        old, new = (when + before).replace(tzinfo=None), (when + after).replace(tzinfo=None)
        yield Finding(
            "dst",
            "info",
            f"clocks go {direction} {hours_text(abs(after - before))} on {old:%a %d %b}: {old:%H:%M} becomes "
            f"{new:%H:%M}; sessions keep their wall-clock times.",
            week.week.label,
        )
    for d in week.sessions:
        if d.dst_shift == "gap":
            message = (
                f"{d.key}: {d.session.start:%H:%M} does not exist on {d.start:%a %d %b} (clocks go forward); "
                f"it starts at {d.start:%H:%M} instead."
            )
        elif d.dst_shift == "fold":
            message = (
                f"{d.key}: {d.session.start:%H:%M} happens twice on {d.start:%a %d %b} (clocks go back); "
                f"the first one ({d.start:%H:%M %Z}) is used."
            )
        else:
            continue
        yield Finding("dst", "info", message, week.week.label, (d.key,), d.utc_start)


def _block_findings(plan: Plan, weeks):
    """``ramp`` on block weeks, and an ``info`` on weeks outside the block.

    The ramp is measured over the whole block, not only the weeks being
    checked, so one week exported alone gets the same finding as in a run of twelve.
    A week being checked counts as placed (an unplaced session does not run);
    the others count their flexible sessions as the block plans them.
    """
    from syncplan.block import block_totals, run_minutes

    block = plan.block
    totals = None
    placed = {w.phase.number: run_minutes(d.session for d in w.sessions) for w in weeks if w.phase is not None}
    for week in weeks:
        label = week.week.label
        if week.phase is None:
            last = block.first_monday + timedelta(weeks=block.weeks - 1)
            yield Finding(
                "block",
                "info",
                f"{label} is outside the training block ({_iso_label(block.first_monday)} to {_iso_label(last)}), "
                f"so this week uses the plan's sessions as written.",
                label,
            )
            continue
        if totals is None:
            planned = block_totals(plan)
            totals = [(p, placed.get(p.number, m)) for p, m in planned]
        number = week.phase.number
        minutes = totals[number - 1][1]
        base = next(
            ((p, m) for p, m in reversed(totals[: number - 1]) if p.name != "deload" and m > 0),
            None,
        )
        if base is None or minutes <= base[1] * (1 + RAMP):
            continue
        growth = f"{(minutes / base[1] - 1) * 100:.1f}".removesuffix(".0")
        overridden = any(o.number == number and o.sessions for o in block.overrides)
        fix = "the minutes of this week's [[week]] sessions" if overridden else "'progress'"
        meant = planned[base[0].number - 1][1]
        if base[1] < meant:  # the runs of that week that found no slot are what makes this one a jump
            advice = (
                f"week {base[0].number} ran short: {meant - base[1]} of its {meant} min found no slot; "
                f"make room for them there, or lower {fix}"
            )
        else:
            advice = f"lower {fix}"
        yield Finding(
            "ramp",
            "warning",
            f"week {number} of the block has {minutes} min of running, {growth}% more than the {base[1]} min of "
            f"week {base[0].number}; grow a week's running by at most {RAMP:.0%} over the last full week "
            f"({advice}).",
            label,
        )


def _iso_label(monday) -> str:
    iso = monday.isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def hours_text(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
