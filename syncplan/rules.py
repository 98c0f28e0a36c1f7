"""The concurrent-training rules, as findings on a dated week.

The facts behind them (from the seed article): lifting and running interfere
least when at least 6 hours apart or on different days; if both fall on one
day, lift first; an easy 20-30 minute morning jog before afternoon lifting is
fine; runners who want muscle need a hill or sprint session each week; two
strength sessions a week is the useful dose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations

from syncplan.plan import Plan
from syncplan.week import DatedSession, DatedWeek

SEVERITIES = ("error", "warning", "info")
EASY_JOG_MINUTES = 30


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # error | warning | info
    message: str
    week: str
    sessions: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple:
        return (self.week, SEVERITIES.index(self.severity), self.rule, self.sessions)


def check(plan: Plan, week: DatedWeek) -> list[Finding]:
    findings = [
        *_overlap(week),
        *_same_day(plan, week),
        *_hill_or_sprint(plan, week),
        *_strength_count(week),
        *_dst(week),
    ]
    return sorted((f for f in findings if f.rule not in plan.disabled), key=lambda f: f.sort_key)


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def _when(d: DatedSession) -> str:
    return f"{d.start:%a} {d.start:%H:%M}"


def _overlap(week: DatedWeek):
    for a, b in combinations(week.sessions, 2):
        if a.utc_start < b.utc_end and b.utc_start < a.utc_end:
            yield Finding(
                "overlap",
                "error",
                f"{a.key} ({_when(a)}, {a.session.minutes} min) and {b.key} ({_when(b)}) overlap; move one of them.",
                week.week.label,
                (a.key, b.key),
            )


def _same_day(plan: Plan, week: DatedWeek):
    gap = timedelta(hours=plan.min_gap_hours)
    hours = f"{plan.min_gap_hours:g} h"
    for day in range(7):
        todays = week.on_day(day)
        for lift in (d for d in todays if d.session.kind.id == "strength"):
            for run in (d for d in todays if d.session.kind.run):
                if run.utc_start >= lift.utc_end:
                    between = run.utc_start - lift.utc_end
                    if between < gap:
                        yield Finding(
                            "gap",
                            "warning",
                            f"{run.key} starts {_hours(between)} after {lift.key} ends; leave at least {hours} "
                            f"between lifting and running, or put them on different days.",
                            week.week.label,
                            (lift.key, run.key),
                        )
                elif run.utc_end <= lift.utc_start:
                    between = lift.utc_start - run.utc_end
                    easy_jog = not run.session.kind.hard and run.session.minutes <= EASY_JOG_MINUTES
                    if easy_jog and between >= gap:
                        continue
                    effort = "a hard run" if run.session.kind.hard else "a run"
                    yield Finding(
                        "order",
                        "warning",
                        f"{run.key} ({_when(run)}) is {effort} before {lift.key} ({_when(lift)}); lift first and run "
                        f"at least {hours} later. Only an easy jog of up to {EASY_JOG_MINUTES} min, {hours} or more "
                        f"before lifting, is fine.",
                        week.week.label,
                        (run.key, lift.key),
                    )


def _hill_or_sprint(plan: Plan, week: DatedWeek):
    if plan.goal == "performance" or any(d.session.kind.hill_or_sprint for d in week.sessions):
        return
    yield Finding(
        "hill-or-sprint",
        "warning",
        "no hill or sprint session this week; for muscle, make one run each week hills or sprints.",
        week.week.label,
    )


def _strength_count(week: DatedWeek):
    lifts = [d.key for d in week.sessions if d.session.kind.id == "strength"]
    if len(lifts) >= 2:
        return
    severity = "warning" if not lifts else "info"
    yield Finding(
        "strength-count",
        severity,
        f"{len(lifts)} strength session{'s' if len(lifts) != 1 else ''} this week; two a week is what builds muscle "
        f"and running economy.",
        week.week.label,
        tuple(lifts),
    )


def _dst(week: DatedWeek):
    for when, before, after in week.transitions:
        direction = "forward" if after > before else "back"
        old, new = (when + before).replace(tzinfo=None), (when + after).replace(tzinfo=None)
        yield Finding(
            "dst",
            "info",
            f"clocks go {direction} {_hours(abs(after - before))} on {old:%a %d %b}: {old:%H:%M} becomes "
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
        yield Finding("dst", "info", message, week.week.label, (d.key,))


def _hours(delta: timedelta) -> str:
    minutes = round(delta.total_seconds() / 60)
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
