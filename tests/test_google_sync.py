"""The pure diff: desired events + Google's events + window -> actions. No HTTP here."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncplan.events import Event, google_event_id, make_uid
from syncplan.google.resource import HASH, from_resource, private, to_resource
from syncplan.google.sync import (
    Conflict,
    Create,
    Delete,
    EmptyWeek,
    Unchanged,
    Update,
    plan_sync,
    summary_line,
    tally,
)

LONDON = ZoneInfo("Europe/London")
PLAN = "training"
WINDOW = (datetime(2026, 11, 30, tzinfo=LONDON), datetime(2026, 12, 7, tzinfo=LONDON))


def event(key: str, day: int = 1, hour: int = 7, minutes: int = 60, summary: str | None = None, plan: str = PLAN) -> Event:
    start = datetime(2026, 11, 30, hour, tzinfo=LONDON) + timedelta(days=day)
    full_key = f"2026-W49/{key}"
    return Event(
        uid=make_uid(plan, full_key),
        plan=plan,
        key=full_key,
        start=start,
        end=start + timedelta(minutes=minutes),
        summary=summary or f"Session {key}",
        description=f"What to do in {key}.\nWarm up first.",
        categories=("Training", "Strength"),
        reminders=(30, 10),
    )


def google_holds(*events: Event) -> list[dict]:
    """What Google returns after syncplan wrote these events (as the API echoes a resource)."""
    return [{**to_resource(e), "kind": "calendar#event", "etag": '"1"', "creator": {"email": "me@example.com"}} for e in events]


WEEK = [event("tue-lift", 1, 7), event("tue-run", 1, 18), event("thu-easy", 3, 7), event("sun-long", 6, 9)]


def verbs(actions) -> list[tuple[str, str]]:
    return [(a.verb, a.key if isinstance(a, Conflict) else (a.event.key if hasattr(a, "event") else private(a.remote)["syncplan_key"])) for a in actions]


def test_first_sync_creates_every_session_in_time_order():
    actions = plan_sync(WEEK, [], WINDOW, PLAN)
    assert all(isinstance(a, Create) for a in actions)
    assert [a.event.key for a in actions] == [e.key for e in sorted(WEEK, key=lambda e: e.start)]
    assert summary_line(tally(actions)) == "created 4, updated 0, deleted 0, unchanged 0, conflicts 0"


def test_resource_round_trips_to_the_same_hash():
    for e in WEEK:
        back = from_resource(google_holds(e)[0])
        assert back is not None and back.fingerprint() == private(to_resource(e))[HASH]


def test_rerun_is_all_unchanged():
    actions = plan_sync(WEEK, google_holds(*WEEK), WINDOW, PLAN)
    assert all(isinstance(a, Unchanged) for a in actions)
    assert summary_line(tally(actions)) == "created 0, updated 0, deleted 0, unchanged 4, conflicts 0"


def test_google_rendering_the_time_in_another_offset_is_not_an_edit():
    remote = google_holds(*WEEK)
    for r in remote:
        utc = datetime.fromisoformat(r["start"]["dateTime"]).astimezone(ZoneInfo("UTC"))
        r["start"]["dateTime"] = utc.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert {a.verb for a in plan_sync(WEEK, remote, WINDOW, PLAN)} == {"unchanged"}


def test_a_changed_session_is_updated_and_only_it():
    changed = [WEEK[0], WEEK[1]._replace(start=WEEK[1].start + timedelta(minutes=30), end=WEEK[1].end + timedelta(minutes=30)), *WEEK[2:]]
    actions = plan_sync(changed, google_holds(*WEEK), WINDOW, PLAN)
    updates = [a for a in actions if isinstance(a, Update)]
    assert [u.event.key for u in updates] == ["2026-W49/tue-run"]
    assert "time changed" in updates[0].describe()
    assert tally(actions)["unchanged"] == 3


def test_a_removed_session_is_deleted_and_only_it():
    actions = plan_sync(WEEK[:-1], google_holds(*WEEK), WINDOW, PLAN)
    deletes = [a for a in actions if isinstance(a, Delete)]
    assert [a.event_id for a in deletes] == [google_event_id(WEEK[-1].uid)]
    assert tally(actions) == {"unchanged": 3, "delete": 1}


def test_foreign_events_are_never_touched():
    same_time = {k: v for k, v in google_holds(WEEK[0])[0].items() if k != "extendedProperties"}
    same_time["id"] = "foreign00001"
    other_plan = google_holds(event("tue-lift", plan="someone-else"))[0]
    copied_in_ui = {**google_holds(WEEK[1])[0], "id": "copy0000001"}  # keeps our properties, not our id
    actions = plan_sync([], [same_time, other_plan, copied_in_ui], WINDOW, PLAN)
    assert actions == []


def test_events_outside_the_window_are_never_touched():
    next_week = event("tue-lift", day=8)
    actions = plan_sync(WEEK, google_holds(*WEEK, next_week), WINDOW, PLAN)
    assert {a.verb for a in actions} == {"unchanged"}
    assert plan_sync([next_week], [], WINDOW, PLAN) == []


def test_a_hand_edit_is_a_conflict_not_overwritten():
    remote = google_holds(*WEEK)
    remote[0]["summary"] = "Lift, moved to the gym downtown"
    actions = plan_sync(WEEK, remote, WINDOW, PLAN)
    conflicts = [a for a in actions if isinstance(a, Conflict)]
    assert [c.key for c in conflicts] == [WEEK[0].key]
    assert "edited by hand" in conflicts[0].describe()
    assert not any(isinstance(a, (Update, Delete, Create)) for a in actions)


def test_a_hand_edit_is_overwritten_when_asked():
    remote = google_holds(*WEEK)
    remote[0]["start"]["dateTime"] = "2026-12-01T08:00:00+00:00"
    actions = plan_sync(WEEK, remote, WINDOW, PLAN, overwrite_edits=True)
    assert [(a.verb, a.reason) for a in actions if isinstance(a, Update)] == [("update", "overwriting a hand edit")]


def test_a_hand_deleted_event_is_a_conflict_not_recreated():
    remote = google_holds(*WEEK)
    remote[2]["status"] = "cancelled"
    actions = plan_sync(WEEK, remote, WINDOW, PLAN)
    assert [(a.verb, a.key) for a in actions if isinstance(a, Conflict)] == [("conflict", WEEK[2].key)]
    assert "deleted by hand" in [a for a in actions if isinstance(a, Conflict)][0].reason
    restored = plan_sync(WEEK, remote, WINDOW, PLAN, overwrite_edits=True)
    assert [a.reason for a in restored if isinstance(a, Update)] == ["restoring an event deleted by hand"]


def test_a_deleted_event_of_a_removed_session_stays_deleted():
    remote = google_holds(*WEEK)
    remote[3]["status"] = "cancelled"
    assert tally(plan_sync(WEEK[:3], remote, WINDOW, PLAN)) == {"unchanged": 3}


def test_a_hand_edited_event_of_a_removed_session_is_left_in_place():
    remote = google_holds(*WEEK)
    remote[3]["description"] = "Did this one on Saturday instead"
    actions = plan_sync(WEEK[:3], remote, WINDOW, PLAN)
    assert tally(actions) == {"unchanged": 3, "conflict": 1}


def test_an_edit_matching_the_new_plan_just_refreshes_the_marker():
    moved = WEEK[0]._replace(summary="Lift (heavy)")
    remote = google_holds(*WEEK)
    remote[0]["summary"] = "Lift (heavy)"
    actions = plan_sync([moved, *WEEK[1:]], remote, WINDOW, PLAN)
    assert [a.reason for a in actions if isinstance(a, Update)] == ["already as planned; marker refreshed"]


def test_an_empty_week_refuses_to_delete_everything():
    with pytest.raises(EmptyWeek) as refused:
        plan_sync([], google_holds(*WEEK), WINDOW, PLAN)
    assert "2026-W49" in str(refused.value) and "--force" in str(refused.value) and "4 syncplan events" in str(refused.value)
    forced = plan_sync([], google_holds(*WEEK), WINDOW, PLAN, force=True)
    assert tally(forced) == {"delete": 4}


def test_deleting_some_sessions_needs_no_force():
    assert tally(plan_sync(WEEK[:1], google_holds(*WEEK), WINDOW, PLAN)) == {"unchanged": 1, "delete": 3}


def test_an_event_made_all_day_by_hand_is_an_edit():
    remote = google_holds(*WEEK)
    remote[1]["start"] = {"date": "2026-12-01"}
    remote[1]["end"] = {"date": "2026-12-02"}
    actions = plan_sync(WEEK, remote, WINDOW, PLAN)
    assert tally(actions) == {"unchanged": 3, "conflict": 1}


def test_reminder_order_from_google_does_not_matter():
    remote = google_holds(*WEEK)
    for r in remote:
        r["reminders"]["overrides"].reverse()
    assert {a.verb for a in plan_sync(WEEK, remote, WINDOW, PLAN)} == {"unchanged"}


def test_every_action_describes_itself_for_dry_run():
    remote = google_holds(*WEEK)
    remote[0]["summary"] = "edited"
    remote_removed = copy.deepcopy(remote)
    new = event("sat-hills", 5, 9)
    changed = WEEK[1]._replace(summary="Hills x8")
    actions = plan_sync([WEEK[0], changed, new, WEEK[2]], remote_removed, WINDOW, PLAN)
    lines = [a.describe() for a in actions]
    assert {line.split()[0] for line in lines} == {"create", "update", "delete", "unchanged", "conflict"}
    assert any("2026-W49/sat-hills" in line and "Sat 05 Dec 09:00" in line for line in lines)


def test_an_event_syncplan_deleted_itself_is_restored_when_the_plan_wants_it_again():
    remote = google_holds(*WEEK)
    remote[2]["status"] = "cancelled"
    remote[2]["extendedProperties"]["private"]["syncplan_deleted"] = "1"  # written by syncplan just before its delete
    actions = plan_sync(WEEK, remote, WINDOW, PLAN)
    assert tally(actions) == {"unchanged": 3, "update": 1}
    assert [a.reason for a in actions if isinstance(a, Update)] == ["back in the plan; restoring the event syncplan deleted"]
    restored = [a for a in actions if isinstance(a, Update)][0]
    assert private(to_resource(restored.event))["syncplan_deleted"] == ""  # a later hand delete is a conflict again


def test_a_delete_marked_but_not_done_is_cleared_when_the_session_stays():
    remote = google_holds(*WEEK)
    remote[1]["extendedProperties"]["private"]["syncplan_deleted"] = "1"
    actions = plan_sync(WEEK, remote, WINDOW, PLAN)
    assert [a.reason for a in actions if isinstance(a, Update)] == ["clearing the mark of an unfinished delete"]


# Rest-day notes: all-day and free -----------------------------------------------


def rest_note(day: int, zone: ZoneInfo = LONDON, week: str = "2026-W49", monday: datetime = datetime(2026, 11, 30)) -> Event:
    """An all-day note as build.py makes it: local midnight to the next local midnight, free."""
    date = (monday + timedelta(days=day)).date()
    key = f"{week}/@rest-{['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][day]}"
    return Event(
        uid=make_uid(PLAN, key),
        plan=PLAN,
        key=key,
        start=datetime.combine(date, datetime.min.time(), zone),
        end=datetime.combine(date + timedelta(days=1), datetime.min.time(), zone),
        summary="Rest day · protein 112-154 g",
        description="Protein still counts today.",
        categories=("Training", "Rest day"),
        all_day=True,
        transparent=True,
    )


NOTES = [rest_note(0), rest_note(2), rest_note(6)]  # Monday and Sunday: both edges of the window


def test_a_rest_day_note_is_written_as_dates_and_read_back_as_the_same_event():
    resource = to_resource(NOTES[0])
    assert resource["start"] == {"date": "2026-11-30"} and resource["end"] == {"date": "2026-12-01"}
    assert resource["transparency"] == "transparent"
    assert resource["reminders"] == {"useDefault": False, "overrides": []}
    assert from_resource(resource) == NOTES[0]
    assert from_resource(resource).fingerprint() == private(resource)[HASH]


def test_rest_day_notes_at_the_edges_of_the_window_rerun_as_unchanged():
    assert tally(plan_sync(WEEK + NOTES, [], WINDOW, PLAN)) == {"create": 7}
    assert tally(plan_sync(WEEK + NOTES, google_holds(*WEEK, *NOTES), WINDOW, PLAN)) == {"unchanged": 7}


def test_a_rest_day_note_on_a_day_whose_midnight_is_skipped_reruns_as_unchanged():
    havana = ZoneInfo("America/Havana")  # clocks jump from 00:00 to 01:00 on Sunday 8 March 2026
    note = rest_note(6, havana, "2026-W10", datetime(2026, 3, 2))
    window = (datetime(2026, 3, 2, tzinfo=havana), datetime(2026, 3, 9, tzinfo=havana))
    assert tally(plan_sync([note], google_holds(note), window, PLAN)) == {"unchanged": 1}


def test_a_rest_day_note_made_busy_by_hand_is_an_edit_but_a_session_marked_free_is_not():
    remote = google_holds(*WEEK, *NOTES)
    remote[0]["transparency"] = "transparent"  # the user marked the Tuesday lift "free"
    remote[4]["transparency"] = "opaque"  # and Monday's rest note "busy"
    actions = plan_sync(WEEK + NOTES, remote, WINDOW, PLAN)
    assert tally(actions) == {"unchanged": 6, "conflict": 1}
    assert [a.key for a in actions if isinstance(a, Conflict)] == ["2026-W49/@rest-mon"]


def test_a_rest_day_note_syncplan_deleted_is_restored():
    remote = google_holds(*WEEK, *NOTES)
    remote[5]["status"] = "cancelled"
    remote[5]["extendedProperties"]["private"]["syncplan_deleted"] = "1"
    actions = plan_sync(WEEK + NOTES, remote, WINDOW, PLAN)
    assert [a.reason for a in actions if isinstance(a, Update)] == ["back in the plan; restoring the event syncplan deleted"]


def test_removed_rest_day_notes_are_deleted_without_force_but_cannot_hide_an_emptied_week():
    assert tally(plan_sync(WEEK, google_holds(*WEEK, *NOTES), WINDOW, PLAN)) == {"unchanged": 4, "delete": 3}
    with pytest.raises(EmptyWeek):
        plan_sync(NOTES, google_holds(*WEEK, *NOTES), WINDOW, PLAN)


def test_a_rest_day_note_describes_itself_as_all_day():
    (action,) = plan_sync(NOTES[:1], [], WINDOW, PLAN)
    assert "2026-W49/@rest-mon" in action.describe() and "Mon 30 Nov all day" in action.describe()


@given(st.sampled_from(sorted(available_timezones())), st.dates(date(2000, 1, 3), date(2037, 12, 28)))
@settings(max_examples=200, deadline=None)
def test_every_rest_day_note_reads_back_unchanged_whatever_its_zone_and_day(zone, day):
    """Midnights that DST skips or repeats included: the dates and the zone give back the very same event."""
    tz = ZoneInfo(zone)
    monday = datetime.combine(day - timedelta(days=day.weekday()), datetime.min.time())
    note = rest_note(day.weekday(), tz, "2026-W49", monday)
    window = (datetime.combine(monday.date(), datetime.min.time(), tz), datetime.combine(monday.date() + timedelta(days=7), datetime.min.time(), tz))
    assert tally(plan_sync([note], google_holds(note), window, PLAN)) == {"unchanged": 1}
    assert from_resource(to_resource(note)) == note
