"""The pure core in one call: plan -> dated weeks -> findings -> events.

No clock, no files beyond the description templates, no network: the caller
passes the weeks, so ``export`` and ``sync`` build exactly the same events.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from syncplan.errors import InvalidInput
from syncplan.events import Event, feed_identity, make_uid
from syncplan.notes import Notes, describe, load_notes, title
from syncplan.plan import DAYS, Plan
from syncplan.rules import Checked, Finding, examine
from syncplan.rules import has_errors as _has_errors
from syncplan.week import DatedWeek, IsoWeek, date_week


# Limits on what one run produces. Each plan limit (sessions, details, text
# lengths) is far from what a real week needs, but their product over many
# weeks is not: these keep one run to seconds and a few hundred MB. A real
# 10-session week over ten years (5,200 sessions, ~15 MB of text) passes.
MAX_RUN_SESSIONS = 10_000
MAX_RUN_TEXT = 25_000_000  # characters of event descriptions in one run


class Built(NamedTuple):
    weeks: tuple[DatedWeek, ...]
    findings: tuple[Finding, ...]
    events: tuple[Event, ...]
    # All-day protein notes on days without sessions ([calendar] rest_day_notes).
    # Kept apart from ``events``: .ics export and sync take ``calendar_events``.
    rest_days: tuple[Event, ...] = ()
    # Where each week's flexible sessions went and why (placing.WeekPlacement); empty without them.
    placements: tuple = ()

    @property
    def has_errors(self) -> bool:
        return _has_errors(list(self.findings))

    @property
    def calendar_events(self) -> tuple[Event, ...]:
        """Sessions and rest-day notes, in date order, for a calendar file or Google."""
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
    before: tuple | None = None,
) -> Built:
    """``busy`` holds (start, end) aware datetimes read at the edge; only flexible sessions heed them.

    ``before``: the week before the first as the calendar already holds it
    (DatedSessions read back at the edge), for placing next to it.
    """
    notes = notes or load_notes(notes_dir)
    sessions, count = len(plan.sessions) + len(plan.flexible), len(weeks)
    if sessions * count > MAX_RUN_SESSIONS:
        what = f"{sessions} sessions a week × {count} weeks = {sessions * count:,} sessions"
        raise _too_much(plan, count, what, f"{MAX_RUN_SESSIONS:,} sessions", MAX_RUN_SESSIONS // sessions)
    dated = tuple(date_week(plan, w) for w in weeks)
    # All weeks are checked together: a late Sunday and an early Monday are
    # neighbours. The plan repeats, so the weeks on either side are dated too,
    # as context: never exported, but their sessions are this range's neighbours.
    context = (date_week(plan, weeks[0].previous()), date_week(plan, weeks[-1].next())) if weeks else ()
    placements: tuple = ()
    if plan.flexible:
        from syncplan.placing import place_weeks

        dated, unplaced, placements, lead_in = place_weeks(plan, dated, busy, before)
        checked = examine(plan, dated, (lead_in, context[1]) if lead_in else context)
        checked.findings = sorted([*checked.findings, *unplaced], key=lambda f: f.sort_key)
    else:
        checked = examine(plan, dated, context)
    events, text = [], 0
    for done, week in enumerate(dated, 1):
        for d in week.sessions:
            events.append(_event(plan, week, d, notes, busy_only, checked))
            text += len(events[-1].description)
        if text > MAX_RUN_TEXT:
            # The plan repeats, so the weeks done so far say what each week costs.
            per_week = text / done
            what = f"{count} weeks of this plan's event texts come to about {round(per_week * count):,} characters"
            raise _too_much(plan, count, what, f"{MAX_RUN_TEXT:,} characters", int(MAX_RUN_TEXT // per_week))
    events = tuple(events)
    rest = () if busy_only or not plan.rest_day_notes else tuple(_rest_days(plan, dated, notes))
    return Built(dated, tuple(checked.findings), events, rest, placements)


def _too_much(plan: Plan, weeks: int, what: str, limit: str, fits: int) -> InvalidInput:
    return InvalidInput(
        f"{plan.source}: {what}, over the limit of {limit} for one run; ask for fewer weeks at a time "
        f"(--weeks {max(1, min(fits, weeks - 1))} or fewer) and run again for the rest."
    )


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
    return Event(
        uid=make_uid(feed_identity(plan.identity, busy_only), key),
        plan=plan.identity,
        key=key,
        start=d.start,
        end=d.end,
        summary=summary,
        description=description,
        categories=categories,
        reminders=() if busy_only else plan.reminders,  # an alarm would show its text on a shared screen
    )
