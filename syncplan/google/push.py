"""One sync run, start to end: lock, token, calendar, remote events, plan of actions, writes.

The command line calls ``push`` and prints what it returns; nothing here
prints, and the decisions themselves are ``sync.plan_sync``'s.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from syncplan.errors import AuthorisationNeeded, InvalidInput, SyncplanError
from syncplan.events import Event, google_event_id
from syncplan.google import auth
from syncplan.google.client import CalendarClient, CalendarGone, marked_for
from syncplan.google.resource import KEY, deleted_by_syncplan, from_resource, is_ours, private
from syncplan.google.state import CalendarIds, sync_lock
from syncplan.google.sync import WRITES, Action, plan_sync, summary_line, tally


PENDING = "pending"


@dataclass(frozen=True)
class Target:
    """Where the events go: syncplan's own calendar by name, or an existing one by id.

    ``renames`` says the name is the plan's own ``[calendar] name``, which an
    existing calendar of the plan takes. A name given for one run (``sync
    --calendar``) only names a calendar yet to be made: it must not rename,
    and so take over, the calendar every plan of the same identity syncs to.
    """

    name_or_id: str
    timezone: str
    renames: bool = True

    @property
    def is_id(self) -> bool:
        return auth.is_calendar_id(self.name_or_id)


class NotRenamed(InvalidInput):
    """The plan's calendar exists as ``current``, and the run's name ``wanted`` may not rename it.

    Raised before anything is written, in a dry run too; the command line
    words the fix, since it knows where the name came from.
    """

    def __init__(self, current: str, wanted: str):
        super().__init__(f"the plan's calendar is {current!r}; the name {wanted!r} given for this run does not rename it.")
        self.current, self.wanted = current, wanted


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
    weeks_off: frozenset[str] = frozenset(),
) -> Outcome:
    """Make the window of the target calendar show ``events``; see ``Outcome`` for what happened.

    ``plan`` is the plan's identity: it marks the events and syncplan's
    calendar, so a new display name of the plan's own (``target.renames``)
    renames that calendar; any other name there is ``NotRenamed``.
    ``progress``, for a progress bar, is called with the number of writes once
    they are known and returns None or a callable advanced by 1 per write.
    """
    notes: list[str] = []
    warning = auth.too_open(token_file)
    if warning:
        notes.append(warning)
    listing = _listing_window(window)
    with sync_lock():
        credentials, client = _connect(target, token_file, retry)
        token_before = credentials.token
        ids = CalendarIds(token_file)
        if not client.may_list_calendars and not target.is_id:
            notes.append(
                "the token does not allow calendar.calendarlist.readonly, so syncplan can find its calendar only "
                "through its state file; run `syncplan auth` to allow it"
            )
        try:
            calendar_id, remote = _calendar_and_events(client, ids, target, listing, plan, dry_run, notes)
        except CalendarGone:
            if target.is_id:
                raise InvalidInput(
                    f"--calendar {target.name_or_id}: Google has no calendar with that ID that this account can "
                    f"write to; copy the ID from the calendar's settings (Integrate calendar) or use primary."
                ) from None
            if not dry_run:
                ids.put(plan, None, legacy_name=target.name_or_id)
            notes.append(f"the calendar {target.name_or_id!r} syncplan remembered is gone")
            calendar_id, remote = _calendar_and_events(client, ids, target, listing, plan, dry_run, notes, forget=True)
        if dry_run and calendar_id:
            remote = _with_unlisted(client, calendar_id, events, window, remote)
        planned = plan_sync(events, remote, window, plan, overwrite_edits=overwrite_edits, force=force, weeks_off=weeks_off)
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


def held_events(
    window: tuple[datetime, datetime], plan: str, target: Target, token_file: Path, retry=None
) -> list[tuple[str, datetime, datetime]]:
    """syncplan's timed events of the plan in ``window`` as Google shows them now: ``(uid, start, end)``.

    For placing the first week next to the week before as it is in the
    calendar. It only reads (one events.list; nothing is made, renamed or
    tidied: that is ``push``'s, under its lock), and whatever stops it from
    reading (no calendar yet, one gone, a token that may not) gives nothing,
    so the week before is placed afresh and ``push`` alone says what
    authorisation is missing. A transient failure is still one.
    """
    try:
        credentials, client = _connect(target, token_file, retry)
        token_before = credentials.token
        calendar_id = _known_calendar(client, CalendarIds(token_file), target, plan)
        remote = client.list_events(calendar_id, window, plan) if calendar_id else []
    except (AuthorisationNeeded, CalendarGone):
        return []
    auth.save_if_refreshed(credentials, token_file, token_before)
    found = []
    for r in remote:
        if r.get("status") == "cancelled" or not is_ours(r, plan) or deleted_by_syncplan(r):
            continue
        event = from_resource(r)
        if event is not None and not event.all_day:
            found.append((event.uid, event.start, event.end))
    return found


def _connect(target: Target, token_file: Path, retry) -> tuple:
    """Credentials for what ``target`` needs, and a client knowing whether it may list calendars."""
    credentials = auth.load(token_file, auth.needed_for(target.name_or_id))
    may_list = auth.has_scope(credentials.granted_scopes, auth.CALENDAR_LIST)
    client = CalendarClient(credentials, auth.api_root(), retry, may_list=may_list)
    if target.is_id:
        client.events_scope = auth.EVENTS_OWNED
    return credentials, client


def _known_calendar(client, ids, target: Target, plan: str) -> str | None:
    """The plan's calendar as ``push`` would find it, changing nothing; None when there is none yet.

    The remembered id comes first, without asking Google: ``push`` keeps it
    current, and a stale one can only read as gone or empty (the listing
    asks for this plan's events), which places the week before afresh.
    """
    if target.is_id:
        return target.name_or_id
    remembered = ids.get(plan, legacy_name=target.name_or_id)
    if remembered and remembered["id"] != PENDING:
        return remembered["id"]
    looking = replace(target, renames=True)  # reading is not renaming; ``push`` refuses what it must
    calendar_id, _ = _find_or_make(client, ids, looking, plan, dry_run=True, notes=[], forget=False)
    return calendar_id


def _listing_window(window: tuple[datetime, datetime]) -> tuple[datetime, datetime]:
    """The span to ask Google for: the window and a day on each side.

    Google lists an all-day event by its dates in the calendar's own zone,
    which can lie up to 26 hours from the plan's: without the margin a
    Monday or Sunday rest-day note could go unlisted, and so never be
    updated, or deleted once the plan stops asking for notes (hence the
    margin for every plan). ``plan_sync`` still judges by the
    window itself, so the neighbours' events listed here are left alone.
    """
    day = timedelta(days=1)
    return window[0] - day, window[1] + day


def _with_unlisted(client, calendar_id: str, events, window, remote: list[dict]) -> list[dict]:
    """Google may list a deleted event without its properties, or not at all; the real run meets it as a 409.

    A dry run looks those ids up, so that it says "conflict" (or "restore")
    exactly where the real run would.
    """
    start, end = window
    listed = {r.get("id") for r in remote}
    missing = [google_event_id(e.uid) for e in events if start <= e.start < end and google_event_id(e.uid) not in listed]
    if not missing:
        return remote
    return remote + list(client.peek(calendar_id, missing).values())


def _calendar_and_events(client, ids, target: Target, window, plan: str, dry_run: bool, notes: list[str], forget: bool = False):
    if target.is_id:
        return target.name_or_id, client.list_events(target.name_or_id, window, plan)
    calendar_id, new = _find_or_make(client, ids, target, plan, dry_run, notes, forget)
    if calendar_id is None or new:
        return calendar_id, []  # a new calendar holds nothing yet
    return calendar_id, client.list_events(calendar_id, window, plan)


def _find_or_make(client, ids, target: Target, plan: str, dry_run: bool, notes: list[str], forget: bool):
    """syncplan's calendar for the plan: found by its marker, else remembered, else made (never twice)."""
    name = target.name_or_id
    remembered = None if forget else ids.get(plan, legacy_name=name)
    if client.may_list_calendars:
        found = client.own_calendars(plan, name)
        if found:
            if not target.renames:
                _refuse_rename(_adopt(client, found, remembered, plan, True, []).get("summary"), name)
            chosen = _adopt(client, found, remembered, plan, dry_run, notes)
            if chosen.get("summary") != name or marked_for(chosen) != plan:
                if dry_run:
                    notes.append(f"would rename the calendar {chosen.get('summary')!r} to {name!r}")
                else:
                    client.mark_calendar(chosen["id"], name, plan)
                    if chosen.get("summary") != name:
                        notes.append(f"renamed the calendar {chosen.get('summary')!r} to {name!r}")
            if not dry_run and (remembered or {}).get("id") != chosen["id"]:
                ids.put(plan, chosen["id"], name, legacy_name=name)
            return chosen["id"], False
    elif remembered and remembered["id"] != PENDING:
        if not target.renames and remembered.get("name") is not None:
            _refuse_rename(remembered["name"], name)
        if remembered.get("name") not in (None, name) and not dry_run:
            client.mark_calendar(remembered["id"], name, plan)
            ids.put(plan, remembered["id"], name, legacy_name=name)
            notes.append(f"renamed the calendar {remembered['name']!r} to {name!r}")
        return remembered["id"], False
    elif remembered:
        notes.append(
            f"an earlier run was interrupted while creating the calendar {name!r}; if Google now shows two "
            f"calendars of that name, delete the empty one (or allow calendar.calendarlist.readonly with "
            f"`syncplan auth`, and syncplan tidies it up itself)"
        )
    if dry_run:
        notes.append(f"would create the calendar {name!r}")
        return None, False
    if not client.may_list_calendars:
        ids.put(plan, PENDING, name, legacy_name=name)  # a lost answer leaves a calendar we cannot find again
    try:
        calendar_id = client.create_calendar(name, target.timezone, plan)
    except SyncplanError as exc:
        if not client.may_list_calendars and not getattr(exc, "answer_lost", False):
            ids.put(plan, None, legacy_name=name)  # refused cleanly: nothing was made, nothing is pending
        raise
    ids.put(plan, calendar_id, name, legacy_name=name)
    notes.append(f"created the calendar {name!r}")
    return calendar_id, True


def _refuse_rename(current: str | None, wanted: str) -> None:
    if current != wanted:
        raise NotRenamed(current or "(no name)", wanted)


def _adopt(client, found: list[dict], remembered: dict | None, plan: str, dry_run: bool, notes: list[str]) -> dict:
    """One calendar for the plan: the one holding its events; empty twins syncplan made are deleted."""
    if len(found) == 1:
        return found[0]
    holding = [c for c in found if client.holds_events(c["id"], plan)]
    known = (remembered or {}).get("id")
    pool = holding or found
    chosen = next((c for c in pool if c["id"] == known), pool[0])
    for other in found:
        if other is chosen:
            continue
        if other in holding:
            notes.append(
                f"two syncplan calendars hold events of this plan: {chosen['id']} (used) and {other['id']} "
                f"(left alone; delete it in Google if you do not need it)"
            )
        elif client.holds_events(other["id"]):
            notes.append(f"the duplicate calendar {other['id']} holds events you added; left alone")
        elif dry_run:
            notes.append(f"would delete the empty duplicate calendar {other['id']}")
        else:
            client.delete_calendar(other["id"])
            notes.append(f"deleted the empty duplicate calendar {other.get('summary')!r} ({other['id']})")
    return chosen


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
