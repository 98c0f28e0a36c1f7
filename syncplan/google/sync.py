"""What a sync must do, computed before anything is done.

``plan_sync`` is pure: the events the plan wants, the events Google holds and
the window being synced go in; a list of small actions comes out. ``--dry-run``
prints that list; a real run hands it to the client. Running it again on the
result gives only ``Unchanged`` actions.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from syncplan.errors import SyncplanError
from syncplan.events import Event, google_event_id
from syncplan.google.resource import (
    HASH,
    KEY,
    deleted_by_syncplan,
    edited_by_hand,
    from_resource,
    is_ours,
    private,
    written_hash,
)


@dataclass(frozen=True)
class Create:
    event: Event
    verb = "create"

    @property
    def event_id(self) -> str:
        return google_event_id(self.event.uid)

    def describe(self) -> str:
        return f"create     {_line(self.event)}"


@dataclass(frozen=True)
class Update:
    event: Event
    remote: dict
    reason: str = "plan changed"
    verb = "update"

    @property
    def event_id(self) -> str:
        return self.remote["id"]

    def describe(self) -> str:
        return f"update     {_line(self.event)} ({self.reason})"


@dataclass(frozen=True)
class Delete:
    remote: dict
    verb = "delete"

    @property
    def event_id(self) -> str:
        return self.remote["id"]

    def describe(self) -> str:
        return f"delete     {_remote_line(self.remote)} (no longer in the plan)"


@dataclass(frozen=True)
class Unchanged:
    event: Event
    verb = "unchanged"

    def describe(self) -> str:
        return f"unchanged  {_line(self.event)}"


@dataclass(frozen=True)
class Conflict:
    """Google holds something the user changed by hand; syncplan leaves it alone."""

    key: str
    reason: str
    event: Event | None = None
    remote: dict | None = None
    verb = "conflict"

    def describe(self) -> str:
        what = _line(self.event) if self.event else _remote_line(self.remote or {})
        return f"conflict   {what}: {self.reason}"


Action = Create | Update | Delete | Unchanged | Conflict
WRITES = (Create, Update, Delete)


class EmptyWeek(SyncplanError):
    """The plan yields nothing where syncplan's events exist: more likely a mistake than a wish."""


def plan_sync(
    desired: list[Event] | tuple[Event, ...],
    remote: list[dict],
    window: tuple[datetime, datetime],
    plan: str,
    overwrite_edits: bool = False,
    force: bool = False,
    weeks_off: frozenset[str] = frozenset(),
) -> list[Action]:
    """Actions that make Google show ``desired`` inside ``window``.

    Only events that carry this plan's marker on their own id and start inside
    the window are considered; everything else is not syncplan's to touch.
    ``weeks_off`` are weeks the plan itself declares empty (a training block's
    week off): emptying them is what was asked, so it needs no ``force``.
    """
    start, end = window
    wanted = {google_event_id(e.uid): e for e in desired if start <= e.start < end}
    ours = {r["id"]: r for r in remote if is_ours(r, plan) and _starts_inside(r, start, end)}
    actions: list[Action] = []
    for event_id, event in sorted(wanted.items(), key=lambda item: (item[1].start, item[1].key)):
        found = ours.get(event_id)
        actions.append(_reconcile(event, found, overwrite_edits) if found else Create(event))
    leftovers = [r for event_id, r in ours.items() if event_id not in wanted and r.get("status") != "cancelled"]
    for r in sorted(leftovers, key=lambda r: private(r).get(KEY, "")):
        if edited_by_hand(r) and not overwrite_edits:
            actions.append(Conflict(private(r).get(KEY, r["id"]), "edited by hand and no longer in the plan; left in place", remote=r))
        else:
            actions.append(Delete(r))
    if not force:
        _refuse_emptied_weeks(wanted.values(), actions, weeks_off)
    return actions


def reconcile(event: Event, remote: dict, overwrite_edits: bool = False) -> Action:
    """The action for one event whose id Google already holds (also after a 409 on insert)."""
    return _reconcile(event, remote, overwrite_edits)


def _reconcile(event: Event, remote: dict, overwrite_edits: bool) -> Action:
    if remote.get("status") == "cancelled":
        if deleted_by_syncplan(remote):
            return Update(event, remote, "back in the plan; restoring the event syncplan deleted")
        if overwrite_edits:
            return Update(event, remote, "restoring an event deleted by hand")
        return Conflict(event.key, "deleted by hand in Google; not recreated (use --overwrite-edits)", event, remote)
    wanted = written_hash(event)
    if edited_by_hand(remote):
        now = from_resource(remote)
        if now is not None and now.fingerprint() == wanted:
            return Update(event, remote, "already as planned; marker refreshed")
        if overwrite_edits:
            return Update(event, remote, "overwriting a hand edit")
        return Conflict(event.key, "edited by hand in Google; left as it is (use --overwrite-edits)", event, remote)
    if deleted_by_syncplan(remote):
        return Update(event, remote, "clearing the mark of an unfinished delete")
    if private(remote).get(HASH) == wanted:
        return Unchanged(event)
    return Update(event, remote, _changes(event, remote))


def _changes(event: Event, remote: dict) -> str:
    now = from_resource(remote)
    if now is None:
        return "plan changed"
    fields = [
        name
        for name, old, new in (
            ("time", (now.start, now.end), (event.start, event.end)),
            ("title", now.summary, event.summary),
            ("description", now.description, event.description),
            ("reminders", now.reminders, tuple(sorted(set(event.reminders)))),
            ("categories", now.categories, event.categories),
        )
        if old != new
    ]
    return ", ".join(fields) + " changed" if fields else "plan changed"


def _refuse_emptied_weeks(wanted, actions: list[Action], weeks_off: frozenset[str] = frozenset()) -> None:
    """Counted in sessions: rest-day notes fill a week the plan emptied by mistake, and are cheap to lose."""
    planned = {_week_of(e.key) for e in wanted if _is_session(e.key)}
    doomed = Counter(
        _week_of(key) for a in actions if isinstance(a, Delete) and _is_session(key := private(a.remote).get(KEY, ""))
    )
    emptied = sorted(week for week in doomed if week not in planned and week not in weeks_off)
    if emptied:
        count = sum(doomed[w] for w in emptied)
        raise EmptyWeek(
            f"the plan has no sessions in {', '.join(emptied)}, where Google holds {count} syncplan "
            f"event{'s' if count != 1 else ''}; refusing to delete them all. If the week is meant to be empty, "
            f"run again with --force."
        )


def _week_of(key: str) -> str:
    return key.split("/", 1)[0]


def _is_session(key: str) -> bool:
    """Not a rest-day note: those keys are "<week>/@rest-<day>", and no session id may hold an '@'."""
    return not key.partition("/")[2].startswith("@")


def _starts_inside(remote: dict, start: datetime, end: datetime) -> bool:
    when = remote.get("start") or {}
    try:
        if when.get("dateTime") is not None:
            instant = datetime.fromisoformat(when["dateTime"])
        elif when.get("date") is not None:  # a rest-day note, or made all-day by hand: midnight where the window is
            instant = datetime.combine(date.fromisoformat(when["date"]), time(), start.tzinfo)
        else:
            # Deleted events need not keep their times; their id ties them to a week.
            return remote.get("status") == "cancelled"
    except (TypeError, ValueError):
        return False
    return start <= instant < end


def tally(actions: list[Action]) -> Counter:
    return Counter(a.verb for a in actions)


def summary_line(counts: Counter) -> str:
    return ", ".join(
        f"{label} {counts.get(verb, 0)}"
        for verb, label in (
            ("create", "created"),
            ("update", "updated"),
            ("delete", "deleted"),
            ("unchanged", "unchanged"),
            ("conflict", "conflicts"),
        )
    )


def _line(event: Event) -> str:
    when = f"{event.start:%a %d %b} all day" if event.all_day else f"{event.start:%a %d %b %H:%M}"
    return f"{event.key:<28} {when}  {event.summary}"


def _remote_line(remote: dict) -> str:
    key = private(remote).get(KEY) or remote.get("id", "?")
    start = remote.get("start") or {}
    when = start.get("dateTime") or ""
    try:
        if when:
            when = f"{datetime.fromisoformat(when):%a %d %b %H:%M}"
        elif start.get("date"):
            when = f"{date.fromisoformat(start['date']):%a %d %b} all day"
    except (TypeError, ValueError):
        pass
    return f"{key:<28} {when}  {remote.get('summary', '')}".rstrip()
