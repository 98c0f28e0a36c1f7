"""An ``Event`` as a Google Calendar event resource, and back.

Google has no categories and keeps reminder overrides as a set of at most
five, so what syncplan writes (and hashes) is the event with its reminders
sorted, de-duplicated and capped: the hash then describes exactly what Google
holds, and reading the resource back gives the same hash unless someone
edited it.

An all-day event (a rest-day note) is written with ``date`` starts and ends,
as Google wants it; Google keeps no zone for those, so the plan's zone rides
along in a private property and turns the dates back into the same local
midnights the plan made. Timed events are written exactly as before.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncplan.events import Event, google_event_id

MARK = "syncplan"  # value: the plan identity
KEY = "syncplan_key"
HASH = "syncplan_hash"
UID = "syncplan_uid"
CATEGORIES = "syncplan_categories"
DELETED = "syncplan_deleted"  # "1": syncplan itself deleted this event (written just before the delete)
ZONE = "syncplan_zone"  # all-day events only: the plan's zone, for reading their dates back

MAX_REMINDERS = 5  # Google rejects more overrides


def as_written(event: Event) -> Event:
    return event._replace(reminders=tuple(sorted(set(event.reminders)))[:MAX_REMINDERS])


def written_hash(event: Event) -> str:
    return as_written(event).fingerprint()


def to_resource(event: Event) -> dict:
    e = as_written(event)
    resource = {
        "id": google_event_id(e.uid),
        "status": "confirmed",
        "summary": e.summary,
        "description": e.description,
        "start": {"dateTime": e.start.isoformat(), "timeZone": e.timezone},
        "end": {"dateTime": e.end.isoformat(), "timeZone": e.end.tzinfo.key},  # type: ignore[union-attr]
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": m} for m in e.reminders]},
        "extendedProperties": {
            "private": {
                MARK: e.plan,
                KEY: e.key,
                UID: e.uid,
                HASH: e.fingerprint(),
                CATEGORIES: ",".join(e.categories),
                DELETED: "",
            }
        },
    }
    if e.all_day:
        resource["start"] = {"date": e.start.date().isoformat()}
        resource["end"] = {"date": e.end.date().isoformat()}
        resource["extendedProperties"]["private"][ZONE] = e.timezone
    if e.all_day or e.transparent:
        resource["transparency"] = "transparent" if e.transparent else "opaque"
    return resource


def private(remote: dict) -> dict:
    return (remote.get("extendedProperties") or {}).get("private") or {}


def is_ours(remote: dict, plan: str) -> bool:
    """Carries our marker for this plan, on the id syncplan gave it.

    The id check keeps out copies a user made in Google's UI: a copy keeps
    the private properties but gets a new id, and it is the user's event.
    """
    props = private(remote)
    uid = props.get(UID)
    return props.get(MARK) == plan and bool(uid) and remote.get("id") == google_event_id(uid)


def from_resource(remote: dict) -> Event | None:
    """The event as Google holds it now, or None if it no longer fits syncplan's shape."""
    props = private(remote)
    all_day = _all_day(remote)
    try:
        if all_day:
            zone = ZoneInfo(props[ZONE])
            start, end = _midnight(remote["start"], zone), _midnight(remote["end"], zone)
        else:
            start = _when(remote["start"])
            end = _when(remote["end"])
    except (KeyError, ValueError, TypeError, ZoneInfoNotFoundError):
        return None
    reminders = remote.get("reminders") or {}
    if reminders.get("useDefault", False):
        return None
    categories = props.get(CATEGORIES, "")
    return Event(
        uid=props.get(UID, ""),
        plan=props.get(MARK, ""),
        key=props.get(KEY, ""),
        start=start,
        end=end,
        summary=remote.get("summary", ""),
        description=remote.get("description", ""),
        categories=tuple(categories.split(",")) if categories else (),
        reminders=tuple(sorted(o.get("minutes", -1) for o in reminders.get("overrides", []))),
        all_day=all_day,
        # Read for all-day notes only: a session the user marked free stays theirs to mark, not an edit.
        transparent=all_day and remote.get("transparency") == "transparent",
    )


def deleted_by_syncplan(remote: dict) -> bool:
    return bool(private(remote).get(DELETED))


def edited_by_hand(remote: dict) -> bool:
    now = from_resource(remote)
    return now is None or now.fingerprint() != private(remote).get(HASH)


def _all_day(remote: dict) -> bool:
    start = remote.get("start") or {}
    return start.get("date") is not None and start.get("dateTime") is None


def _midnight(value: dict, zone: ZoneInfo) -> datetime:
    return datetime.combine(date.fromisoformat(value["date"]), time(), zone)


def _when(value: dict) -> datetime:
    zone = ZoneInfo(value["timeZone"])
    return datetime.fromisoformat(value["dateTime"]).astimezone(zone)
