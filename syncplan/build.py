"""The pure core in one call: plan -> dated weeks -> findings -> events.

No clock, no files beyond the description templates, no network: the caller
passes the weeks, so ``export`` and ``sync`` build exactly the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from syncplan.events import Event, make_uid
from syncplan.notes import Notes, describe, load_notes, title
from syncplan.plan import Plan
from syncplan.rules import Checked, Finding, examine
from syncplan.rules import has_errors as _has_errors
from syncplan.week import DatedWeek, IsoWeek, date_week


@dataclass(frozen=True)
class Built:
    weeks: tuple[DatedWeek, ...]
    findings: tuple[Finding, ...]
    events: tuple[Event, ...]

    @property
    def has_errors(self) -> bool:
        return _has_errors(list(self.findings))


def build(
    plan: Plan,
    weeks: list[IsoWeek],
    notes_dir: Path | None = None,
    busy_only: bool = False,
    notes: Notes | None = None,
) -> Built:
    notes = notes or load_notes(notes_dir)
    dated = tuple(date_week(plan, w) for w in weeks)
    # All weeks are checked together: a late Sunday and an early Monday are neighbours.
    checked = examine(plan, dated)
    events = tuple(_event(plan, week, d, notes, busy_only, checked) for week in dated for d in week.sessions)
    return Built(dated, tuple(checked.findings), events)


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
