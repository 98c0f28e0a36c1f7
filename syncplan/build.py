"""The pure core in one call: plan -> dated weeks -> findings -> events.

No clock, no files beyond the description templates, no network: the caller
passes the weeks, so ``export`` and ``sync`` build exactly the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from syncplan.events import Event, make_uid
from syncplan.notes import Notes, describe, load_notes, title
from syncplan.plan import DAYS, Plan
from syncplan.rules import Checked, Finding, examine
from syncplan.rules import has_errors as _has_errors
from syncplan.week import DatedWeek, IsoWeek, date_week


@dataclass(frozen=True)
class Built:
    weeks: tuple[DatedWeek, ...]
    findings: tuple[Finding, ...]
    events: tuple[Event, ...]
    # All-day protein notes on days without sessions ([calendar] rest_day_notes).
    # Kept apart from ``events``: only the .ics export writes them for now.
    rest_days: tuple[Event, ...] = ()
    # Where each week's flexible sessions went and why (placing.WeekPlacement); empty without them.
    placements: tuple = ()

    @property
    def has_errors(self) -> bool:
        return _has_errors(list(self.findings))

    @property
    def calendar_events(self) -> tuple[Event, ...]:
        """Sessions and rest-day notes, in date order, for a calendar file."""
        if not self.rest_days:
            return self.events
        return tuple(sorted(self.events + self.rest_days, key=lambda e: (e.start.date(), not e.all_day)))


def build(
    plan: Plan,
    weeks: list[IsoWeek],
    notes_dir: Path | None = None,
    busy_only: bool = False,
    notes: Notes | None = None,
    busy: tuple = (),
) -> Built:
    """``busy`` holds (start, end) aware datetimes read at the edge; only flexible sessions heed them."""
    notes = notes or load_notes(notes_dir)
    dated = tuple(date_week(plan, w) for w in weeks)
    placements: tuple = ()
    if plan.flexible:
        from syncplan.placing import place_weeks, with_flexible

        dated, unplaced, placements = place_weeks(plan, dated, busy)
        checked = examine(with_flexible(plan), dated)
        checked.findings = sorted([*checked.findings, *unplaced], key=lambda f: f.sort_key)
    else:
        # All weeks are checked together: a late Sunday and an early Monday are neighbours.
        checked = examine(plan, dated)
    events = tuple(_event(plan, week, d, notes, busy_only, checked) for week in dated for d in week.sessions)
    rest = () if busy_only or not plan.rest_day_notes else tuple(_rest_days(plan, dated, notes))
    return Built(dated, tuple(checked.findings), events, rest, placements)


def _rest_days(plan: Plan, dated: tuple[DatedWeek, ...], notes: Notes):
    """One all-day, free note per day on which no session starts."""
    from datetime import datetime, timedelta

    from syncplan.notes import rest_day

    summary, description = rest_day(plan, notes)
    for week in dated:
        busy = {d.start.date() for d in week.sessions}
        for index in range(7):
            day = week.week.day(index)
            if day in busy:
                continue
            # A key no session id can take ('@' is not allowed in ids).
            key = f"{week.week.label}/@rest-{DAYS[index]}"
            start = datetime.combine(day, datetime.min.time(), plan.zone)
            yield Event(
                uid=make_uid(plan.identity, key),
                plan=plan.identity,
                key=key,
                start=start,
                end=datetime.combine(day + timedelta(days=1), datetime.min.time(), plan.zone),
                summary=summary,
                description=description,
                categories=("Training", "Rest day"),
                all_day=True,
                transparent=True,
            )


def _event(plan: Plan, week: DatedWeek, d, notes: Notes, busy_only: bool, checked: Checked) -> Event:
    key = f"{week.week.label}/{d.key}"
    if busy_only:
        summary, description, categories = notes.render("note", "busy"), "", ()
    else:
        summary = title(d)
        description = describe(plan, week, d, notes, checked)
        kind = d.session.kind
        categories = ("Training", "Running" if kind.run else kind.title, *(("Hard",) if kind.hard else ()))
    # A busy-only copy lives in another calendar; its own UIDs keep apps that
    # index by UID from merging it with the full one.
    return Event(
        uid=make_uid(plan.identity + ("/busy" if busy_only else ""), key),
        plan=plan.identity,
        key=key,
        start=d.start,
        end=d.end,
        summary=summary,
        description=description,
        categories=categories,
        reminders=() if busy_only else plan.reminders,  # an alarm would show its text on a shared screen
    )
