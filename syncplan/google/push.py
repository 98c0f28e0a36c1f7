"""One sync run, start to end: lock, token, calendar, remote events, plan of actions, writes.

The command line calls ``push`` and prints what it returns; nothing here
prints, and the decisions themselves are ``sync.plan_sync``'s.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from syncplan.errors import SyncplanError
from syncplan.events import Event
from syncplan.google import auth
from syncplan.google.client import CalendarClient, CalendarGone
from syncplan.google.resource import KEY, private
from syncplan.google.state import CalendarIds, sync_lock
from syncplan.google.sync import WRITES, Action, plan_sync, summary_line, tally


PENDING = "pending"


@dataclass(frozen=True)
class Target:
    """Where the events go: syncplan's own calendar by name, or an existing one by id."""

    name_or_id: str
    timezone: str

    @property
    def is_id(self) -> bool:
        return auth.is_calendar_id(self.name_or_id)


@dataclass
class Outcome:
    calendar_id: str | None
    planned: list[Action]
    done: list[Action] = field(default_factory=list)
    failed: list[tuple[Action, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. "created calendar 'Training'"
    dry_run: bool = False

    @property
    def counts(self) -> Counter:
        return tally(self.planned if self.dry_run else self.done)

    @property
    def conflicts(self) -> list[Action]:
        return [a for a in (self.planned if self.dry_run else self.done) if a.verb == "conflict"]

    def summary(self) -> str:
        return summary_line(self.counts)


def push(
    events: list[Event] | tuple[Event, ...],
    window: tuple[datetime, datetime],
    plan: str,
    target: Target,
    token_file: Path,
    dry_run: bool = False,
    overwrite_edits: bool = False,
    force: bool = False,
    progress=None,
    retry=None,
) -> Outcome:
    """Make the window of the target calendar show ``events``; see ``Outcome`` for what happened.

    ``progress``, for a progress bar, is called with the number of writes once
    they are known and returns None or a callable advanced by 1 per write.
    """
    with sync_lock():
        credentials = auth.load(token_file, auth.scopes_for(target.name_or_id))
        token_before = credentials.token
        client = CalendarClient(credentials, auth.api_root(), retry)
        ids = CalendarIds(token_file)
        notes: list[str] = []
        try:
            calendar_id, remote = _calendar_and_events(client, ids, target, window, plan, dry_run, notes)
        except CalendarGone:
            ids.put(target.name_or_id, None)
            notes.append(f"the calendar {target.name_or_id!r} syncplan remembered is gone")
            calendar_id, remote = _calendar_and_events(client, ids, target, window, plan, dry_run, notes)
        planned = plan_sync(events, remote, window, plan, overwrite_edits=overwrite_edits, force=force)
        outcome = Outcome(calendar_id, planned, notes=notes, dry_run=dry_run)
        if dry_run:
            return outcome
        advance = progress(sum(isinstance(a, WRITES) for a in planned)) if progress else None
        applied = client.apply(calendar_id, planned, overwrite_edits=overwrite_edits, progress=advance)
        auth.save_if_refreshed(credentials, token_file, token_before)
        if client.account:
            auth.record_account(token_file, client.account)
    outcome.done, outcome.failed = applied.done, applied.failed
    if applied.failed:
        raise SyncplanError(_unfinished(outcome))
    return outcome


def _calendar_and_events(client, ids, target: Target, window, plan: str, dry_run: bool, notes: list[str]):
    if target.is_id:
        return target.name_or_id, client.list_events(target.name_or_id, window, plan)
    name = target.name_or_id
    calendar_id = ids.get(name)
    if calendar_id == PENDING:
        notes.append(
            f"an earlier run was interrupted while creating the calendar {name!r}; if Google now shows two "
            f"calendars of that name, delete the empty one"
        )
        calendar_id = None
    if calendar_id:
        return calendar_id, client.list_events(calendar_id, window, plan)
    calendar_id = client.find_calendar(name) if client.may_list_calendars else None
    if calendar_id:
        ids.put(name, calendar_id)
        return calendar_id, client.list_events(calendar_id, window, plan)
    if dry_run:
        notes.append(f"would create the calendar {name!r}")
        return None, []
    ids.put(name, PENDING)  # a lost answer leaves a calendar we cannot find again; say so next time
    calendar_id = client.create_calendar(name, target.timezone)
    ids.put(name, calendar_id)
    notes.append(f"created the calendar {name!r}")
    return calendar_id, []  # a new calendar holds nothing yet


def _unfinished(outcome: Outcome) -> str:
    done = summary_line(outcome.counts)
    left = "; ".join(f"{a.verb} {_key(a)} ({why})" for a, why in outcome.failed[:10])
    more = f" and {len(outcome.failed) - 10} more" if len(outcome.failed) > 10 else ""
    return (
        f"the sync did not finish. Done: {done}. Not done, or done but not confirmed by Google "
        f"({len(outcome.failed)}): {left}{more}. "
        f"Run `syncplan sync` again to finish: it picks up where this run stopped and never makes duplicates."
    )


def _key(action: Action) -> str:
    event = getattr(action, "event", None)
    if event is not None:
        return event.key
    return private(getattr(action, "remote", {}) or {}).get(KEY, "?")
