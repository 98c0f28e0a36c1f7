"""Rest-day protein notes in Google Calendar: all-day, free, and synced like the sessions.

Everything runs through `syncplan sync` against the loopback fake, which
answers as Google does (it refuses a ``dateTime`` left beside a ``date``).
"""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest

from syncplan.build import build
from syncplan.cli import main
from syncplan.errors import EXIT_FAILURE
from syncplan.google.resource import to_resource
from syncplan.plan import load_plan
from syncplan.week import resolve_weeks
from test_block import PLAN as BLOCK_PLAN
from test_fuel import ATHLETE, SESSIONS, WEEK

REST = ATHLETE + "[calendar]\nrest_day_notes = true\n" + SESSIONS
PLAIN = ATHLETE + SESSIONS
TITLE = "Rest day · protein 112-154 g"
REST_DAYS = ["2026-11-30", "2026-12-02", "2026-12-04", "2026-12-06"]  # Mon, Wed, Fri, Sun of 2026-W49


def sync(runner, path, *extra):
    return runner.invoke(main, ["sync", str(path), "--week", WEEK, *extra])


def last_line(result) -> str:
    return result.output.strip().splitlines()[-1]


def training(fake):
    return fake.calendar_named("Training")


def notes_in_google(fake) -> dict[str, dict]:
    """The live rest-day notes, by the day they fall on."""
    live = fake.live(training(fake).id).values()
    return {e["start"]["date"]: e for e in live if "date" in e["start"]}


def test_a_second_sync_is_all_unchanged_and_costs_what_one_without_rest_days_does(runner, fake_google, google_token, plan_file):
    plain = plan_file(PLAIN, "plain.toml")
    assert sync(runner, plain).exit_code == 0
    fake_google.reset_counts()
    assert last_line(sync(runner, plain)) == "created 0, updated 0, deleted 0, unchanged 4, conflicts 0"
    without = [path for _, path in fake_google.api_requests()]

    rest = plan_file(REST)
    first = sync(runner, rest)
    assert last_line(first) == "created 4, updated 0, deleted 0, unchanged 4, conflicts 0", first.output
    fake_google.reset_counts()
    again = sync(runner, rest)
    assert again.exit_code == 0
    assert last_line(again) == "created 0, updated 0, deleted 0, unchanged 8, conflicts 0"
    assert fake_google.writes == 0
    assert [path for _, path in fake_google.api_requests()] == without


def test_a_rest_day_note_edited_by_hand_is_a_conflict_until_overwritten(runner, fake_google, google_token, plan_file):
    path = plan_file(REST)
    sync(runner, path)
    cal = training(fake_google)
    monday = notes_in_google(fake_google)["2026-11-30"]
    fake_google.edit_by_hand(cal.id, monday["id"], summary="Rest day · pizza night")
    result = sync(runner, path)
    assert result.exit_code == 0
    assert last_line(result) == "created 0, updated 0, deleted 0, unchanged 7, conflicts 1"
    assert any(line.startswith("conflict") and "@rest-mon" in line for line in result.output.splitlines())
    assert notes_in_google(fake_google)["2026-11-30"]["summary"] == "Rest day · pizza night"
    fixed = sync(runner, path, "--overwrite-edits")
    assert last_line(fixed) == "created 0, updated 1, deleted 0, unchanged 7, conflicts 0"
    assert notes_in_google(fake_google)["2026-11-30"]["summary"] == TITLE


def test_a_rest_day_note_moved_to_a_time_by_hand_becomes_all_day_again(runner, fake_google, google_token, plan_file):
    """The update must clear the dateTime: Google refuses a date and a dateTime side by side."""
    path = plan_file(REST)
    sync(runner, path)
    cal = training(fake_google)
    event_id = notes_in_google(fake_google)["2026-12-02"]["id"]
    fake_google.edit_by_hand(
        cal.id,
        event_id,
        start={"date": None, "dateTime": "2026-12-02T12:00:00+00:00", "timeZone": "Europe/London"},
        end={"date": None, "dateTime": "2026-12-02T13:00:00+00:00", "timeZone": "Europe/London"},
    )
    assert last_line(sync(runner, path)).endswith("conflicts 1")
    fixed = sync(runner, path, "--overwrite-edits")
    assert fixed.exit_code == 0, fixed.output
    assert last_line(fixed) == "created 0, updated 1, deleted 0, unchanged 7, conflicts 0"
    note = fake_google.calendars[cal.id].events[event_id]
    assert note["start"] == {"date": "2026-12-02"} and note["end"] == {"date": "2026-12-03"}
    assert last_line(sync(runner, path)) == "created 0, updated 0, deleted 0, unchanged 8, conflicts 0"


def test_a_session_made_all_day_by_hand_gets_its_times_back(runner, fake_google, google_token, plan_file):
    """The mirror case: the update clears the date, or Google would refuse it."""
    path = plan_file(REST)
    sync(runner, path)
    cal = training(fake_google)
    event_id, session = next((i, e) for i, e in fake_google.live(cal.id).items() if e["summary"] == "Long run · 90 min")
    times = dict(session["start"]), dict(session["end"])
    fake_google.edit_by_hand(cal.id, event_id, start={"date": "2026-12-05", "dateTime": None, "timeZone": None},
                             end={"date": "2026-12-06", "dateTime": None, "timeZone": None})
    fixed = sync(runner, path, "--overwrite-edits")
    assert last_line(fixed) == "created 0, updated 1, deleted 0, unchanged 7, conflicts 0", fixed.output
    held = fake_google.calendars[cal.id].events[event_id]
    assert (held["start"], held["end"]) == times


def test_the_fake_refuses_a_patch_that_leaves_a_date_time_beside_a_date(fake_google):
    cal = fake_google.add_calendar("plain@example.com", "Plain")
    event = fake_google.add_by_hand(cal.id, {"start": {"date": "2026-12-02"}, "end": {"date": "2026-12-03"}, "summary": "Rest"})
    token = fake_google.issue_token(["https://www.googleapis.com/auth/calendar"])
    body = json.dumps({"start": {"dateTime": "2026-12-02T12:00:00Z"}, "end": {"dateTime": "2026-12-02T13:00:00Z"}}).encode()
    status, answer = fake_google.dispatch(
        "PATCH", f"/calendar/v3/calendars/{cal.id}/events/{event['id']}", body, {"Authorization": f"Bearer {token}"}
    )
    assert status == 400 and answer["error"]["message"] == "Invalid start time."
    assert fake_google.calendars[cal.id].events[event["id"]]["start"] == {"date": "2026-12-02"}  # left as it was


@pytest.mark.parametrize("bare_deleted", [False, True], ids=["listed", "bare"])
def test_rest_day_notes_switched_off_are_deleted_and_come_back_when_switched_on(runner, fake_google, google_token, plan_file, bare_deleted):
    """Also when Google lists deleted events bare (id and status only): the restore then goes through a 409."""
    fake_google.bare_deleted = bare_deleted
    rest, plain = plan_file(REST), plan_file(PLAIN.replace("[athlete]", "[calendar]\nrest_day_notes = false\n\n[athlete]"), "off.toml")
    sync(runner, rest)
    off = sync(runner, plain)
    assert off.exit_code == 0, off.output  # no --force: the week keeps its sessions
    assert last_line(off) == "created 0, updated 0, deleted 4, unchanged 4, conflicts 0"
    assert notes_in_google(fake_google) == {}
    assert "Would be: created 0, updated 4, deleted 0, unchanged 4" in sync(runner, rest, "--dry-run").output
    on = sync(runner, rest)
    assert last_line(on) == "created 0, updated 4, deleted 0, unchanged 4, conflicts 0"  # restored under their own ids
    assert sorted(notes_in_google(fake_google)) == REST_DAYS


def test_a_week_emptied_of_sessions_still_needs_force_though_rest_day_notes_fill_it(runner, fake_google, google_token, plan_file):
    sync(runner, plan_file(REST))
    empty = plan_file(ATHLETE + "[calendar]\nrest_day_notes = true\n", "empty.toml")
    refused = sync(runner, empty)
    assert refused.exit_code == EXIT_FAILURE
    assert "refusing to delete them all" in refused.output
    assert len(fake_google.live(training(fake_google).id)) == 8
    forced = sync(runner, empty, "--force")
    assert last_line(forced) == "created 3, updated 0, deleted 4, unchanged 4, conflicts 0"


def test_rest_days_at_both_edges_of_the_window_are_synced_whatever_the_calendars_zone(runner, fake_google, google_token, plan_file):
    """Google lists an all-day event by its dates in the calendar's zone, which may be a day away from the plan's."""
    path = plan_file(REST.replace("Europe/London", "Pacific/Kiritimati"))  # UTC+14
    sync(runner, path)
    training(fake_google).time_zone = "Pacific/Pago_Pago"  # UTC-11: the user changed the calendar's zone
    fake_google.reset_counts()
    again = sync(runner, path)
    assert last_line(again) == "created 0, updated 0, deleted 0, unchanged 8, conflicts 0"
    assert fake_google.writes == 0 and len(fake_google.api_requests()) <= 2
    off = sync(runner, plan_file(PLAIN.replace("Europe/London", "Pacific/Kiritimati"), "off.toml"))
    assert last_line(off) == "created 0, updated 0, deleted 4, unchanged 4, conflicts 0"  # Monday's and Sunday's too


def test_dry_run_shows_rest_day_notes_as_all_day(runner, fake_google, google_token, plan_file):
    result = sync(runner, plan_file(REST), "--dry-run")
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if "@rest-" in line]
    assert len(lines) == 4 and all(line.startswith("create") and "all day" in line and TITLE in line for line in lines)
    assert "Would be: created 8," in result.output


def test_a_block_week_taken_off_and_given_back_ends_with_exactly_the_planned_notes_and_sessions(runner, fake_google, google_token, plan_file):
    """A week off fills with rest-day notes; giving it back restores its sessions."""
    text = BLOCK_PLAN.replace("[athlete]", "[calendar]\nrest_day_notes = true\n\n[athlete]")
    args = ["--week", "2026-W50", "--weeks", "3"]

    def planned(path):
        built = build(load_plan(path), resolve_weeks("2026-W50", 3, date(2026, 12, 1)))
        return sorted((e.summary, _when(to_resource(e))) for e in built.calendar_events)

    def held():
        return sorted((e["summary"], _when(e)) for e in fake_google.live(training(fake_google).id).values())

    path = plan_file(text)
    assert runner.invoke(main, ["sync", str(path), *args]).exit_code == 0
    assert held() == planned(path)
    path.write_text(text + "\n[[week]]\nnumber = 2\nrest = true\n")
    off = runner.invoke(main, ["sync", str(path), *args])  # a week the block declares off needs no --force
    assert off.exit_code == 0, off.output
    assert held() == planned(path)
    path.write_text(text)
    back = runner.invoke(main, ["sync", str(path), *args])
    assert back.exit_code == 0, back.output
    assert held() == planned(path)
    again = runner.invoke(main, ["sync", str(path), *args])
    assert last_line(again).startswith("created 0, updated 0, deleted 0,") and last_line(again).endswith("conflicts 0")


def _when(resource: dict) -> tuple:
    """Dates for all-day events; instants (whatever the offset notation) for timed ones."""
    start, end = resource["start"], resource["end"]
    if "date" in start:
        return (start["date"], end["date"])
    return (datetime.fromisoformat(start["dateTime"]).timestamp(), datetime.fromisoformat(end["dateTime"]).timestamp())
