"""The README's sync promises, each against the loopback fake with the fault that used to break it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import PLANS
from syncplan.cli import main
from syncplan.errors import EXIT_AUTH, EXIT_FAILURE, EXIT_INVALID, SyncplanError
from syncplan.google.client import RetryPolicy
from syncplan.google.push import Target, push
FILE = "google-calendars.json"  # in the state directory
from syncplan.plan import parse_plan
from syncplan.week import IsoWeek
from test_google_client import LONDON, assert_holds_exactly, sync, training, week_of

APP_CREATED = "https://www.googleapis.com/auth/calendar.app.created"
EVENTS_OWNED = "https://www.googleapis.com/auth/calendar.events.owned"
CALENDAR_LIST = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
FREEBUSY = "https://www.googleapis.com/auth/calendar.freebusy"
TWELVE = [IsoWeek(2026, w) for w in range(40, 52)]  # 60 events: two batches
CLI_SYNC = ["sync", str(PLANS / "london.toml"), "--week", "2026-W49"]
WITHOUT_LONG_RUN = LONDON[: LONDON.index('[[session]]\nid = "sun-long"')]
EMPTY = LONDON[: LONDON.index("[[session]]")]


def calendars_named(fake, name="Training"):
    return [c for c in fake.calendars.values() if c.summary == name]


def token_with(fake, path: Path, scopes: list[str], **fields) -> Path:
    info = {**fake.token_info(scopes), **fields}
    path.write_text(json.dumps(info))
    path.chmod(0o600)
    return path


class Recorder:
    """Sleep and clock for the retry code: nothing really waits, the clock moves by what was slept."""

    def __init__(self):
        self.now, self.slept = 0.0, []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def clock(self):
        return self.now

    def policy(self, base=0.5, limit=120.0):
        return RetryPolicy(base=base, limit=limit, sleep=self.sleep, clock=self.clock)


# --- 1. syncplan's own deletions come back ------------------------------------------


@pytest.mark.parametrize("bare", [False, True], ids=["listed", "listed bare"])
def test_a_session_removed_then_restored_comes_back_silently(fake_google, google_token, bare):
    sync(google_token)
    assert sync(google_token, WITHOUT_LONG_RUN).counts["delete"] == 1
    fake_google.bare_deleted = bare  # Google need not list a deleted event's properties
    back = sync(google_token)
    assert back.counts == {"update": 1, "unchanged": 4}, back.planned
    assert not back.conflicts
    assert_holds_exactly(fake_google)
    assert sync(google_token).counts["unchanged"] == 5


def test_a_week_emptied_with_force_then_refilled_comes_back(fake_google, google_token):
    sync(google_token)
    sync(google_token, EMPTY, force=True)
    refilled = sync(google_token)
    assert refilled.counts == {"update": 5} and not refilled.conflicts
    assert_holds_exactly(fake_google)


def test_a_session_moved_away_and_back_comes_back(fake_google, google_token):
    moved = LONDON.replace('id = "sun-long"', 'id = "sat-long"').replace('day = "sun"', 'day = "sat"', 1)
    sync(google_token)
    sync(google_token, moved)
    again = sync(google_token)
    assert not again.conflicts and again.counts["update"] >= 1
    assert_holds_exactly(fake_google)


def test_a_hand_deletion_after_syncplan_restored_it_is_still_a_conflict(fake_google, google_token):
    sync(google_token)
    sync(google_token, WITHOUT_LONG_RUN)
    sync(google_token)
    cal = training(fake_google)
    restored = next(i for i, e in fake_google.live(cal.id).items() if e["extendedProperties"]["private"]["syncplan_key"].endswith("sun-long"))
    fake_google.delete_by_hand(cal.id, restored)
    outcome = sync(google_token)
    assert [c.reason for c in outcome.conflicts] == ["deleted by hand in Google; not recreated (use --overwrite-edits)"]


# --- 2. never a second calendar -------------------------------------------------------


def test_a_lost_answer_to_the_calendar_insert_is_tidied_by_the_next_run(fake_google, google_token):
    fake_google.lose_answers = {2}  # calendarList, then POST /calendars: done, unanswered, re-sent by httplib2
    sync(google_token)
    assert len(calendars_named(fake_google)) == 2  # what httplib2's own re-send does
    outcome = sync(google_token)
    assert len(calendars_named(fake_google)) == 1
    assert any("deleted the empty duplicate calendar" in n for n in outcome.notes)
    assert_holds_exactly(fake_google)


def test_a_lost_answer_to_deleting_the_empty_twin_is_not_an_error(fake_google, google_token):
    fake_google.lose_answers = {2}
    sync(google_token)
    fake_google.reset_counts()
    fake_google.lose_answers = {5}  # calendarList, two "holds events?" looks, "any at all?", then the DELETE (re-sent: 404)
    outcome = sync(google_token)
    assert outcome.counts["unchanged"] == 5
    assert len(calendars_named(fake_google)) == 1


def test_a_twin_holding_events_the_user_added_is_never_deleted(fake_google, google_token):
    fake_google.lose_answers = {2}
    sync(google_token)
    empty = next(c for c in calendars_named(fake_google) if not c.events)
    fake_google.add_by_hand(empty.id, {"summary": "Dentist", "start": {"dateTime": "2026-12-02T09:00:00Z"}, "end": {"dateTime": "2026-12-02T10:00:00Z"}})
    outcome = sync(google_token)
    assert empty.id in fake_google.calendars and any("holds events you added" in n for n in outcome.notes)
    assert outcome.counts["unchanged"] == 5


@pytest.mark.parametrize("k", range(1, 5))
def test_after_any_single_lost_answer_the_next_run_leaves_one_calendar(fake_google, google_token, k):
    fake_google.lose_answers = {k}
    try:
        sync(google_token, weeks=TWELVE)
    except SyncplanError:
        pass
    fake_google.lose_answers = set()
    sync(google_token, weeks=TWELVE)
    assert len(calendars_named(fake_google)) == 1
    assert_holds_exactly(fake_google, weeks=TWELVE)


@pytest.mark.parametrize("how", ["state file lost", "token at another path", "cron without the user's XDG dirs"])
def test_syncplan_finds_its_calendar_without_its_state(fake_google, isolated_user_dirs, tmp_path, monkeypatch, how):
    from syncplan.google.auth import scopes_for

    token = token_with(fake_google, tmp_path / "token.json", scopes_for(None))  # what `syncplan auth` asks for
    google_token = token
    sync(google_token)
    if how == "state file lost":
        (isolated_user_dirs / "state" / FILE).unlink()
    elif how == "token at another path":
        token = tmp_path / "elsewhere.json"
        shutil.copy(google_token, token)
    else:
        monkeypatch.setenv("SYNCPLAN_STATE_DIR", str(tmp_path / "cron-state"))
    outcome = sync(token)
    assert outcome.counts["unchanged"] == 5 and fake_google.writes == 5
    assert len(calendars_named(fake_google)) == 1


def test_a_calendar_made_before_markers_is_adopted_not_doubled(fake_google, google_token, isolated_user_dirs):
    cal = fake_google.add_calendar("old@group.calendar.google.com", "Training", "Europe/London")
    cal.by_app, cal.description = True, "Training sessions synced by syncplan."
    outcome = sync(google_token)
    assert outcome.calendar_id == cal.id and len(calendars_named(fake_google)) == 1
    assert "syncplan plan: training" in cal.description


def test_a_corrupt_state_file_is_an_error_that_says_what_to_do(runner, fake_google, google_token, isolated_user_dirs):
    assert runner.invoke(main, CLI_SYNC).exit_code == 0
    (isolated_user_dirs / "state" / FILE).write_text("{not json")
    result = runner.invoke(main, CLI_SYNC)
    assert result.exit_code == EXIT_FAILURE
    assert f"{isolated_user_dirs / 'state' / FILE}" in result.output and "Delete the file" in result.output
    assert "Traceback" not in result.output


# --- 3. renaming never duplicates ----------------------------------------------------


def push_as(token, identity_text: str, name: str, calendar: str | None = None, **options):
    """Events and identity of one plan, shown under another display name (what a plan with an `id` does)."""
    plan = parse_plan(identity_text, "plan.toml")
    events, window = week_of(plan)
    return push(events, window, plan.identity, Target(calendar or name, plan.timezone), token, **options)


@pytest.mark.parametrize("list_scope", [True, False], ids=["with calendar list", "state file only"])
def test_renaming_the_calendar_renames_it_in_google_and_keeps_its_events(fake_google, google_token, tmp_path, list_scope):
    token = google_token if list_scope else token_with(fake_google, tmp_path / "t.json", [APP_CREATED])
    push_as(token, LONDON, "Training")
    cal = training(fake_google)
    outcome = push_as(token, LONDON, "Running club")
    assert outcome.counts == {"unchanged": 5}
    assert "renamed the calendar 'Training' to 'Running club'" in outcome.notes
    assert fake_google.calendars[cal.id].summary == "Running club"
    assert [c.id for c in fake_google.calendars.values() if not c.primary] == [cal.id]


def test_renaming_with_calendar_primary_neither_orphans_nor_duplicates(fake_google, tmp_path):
    token = token_with(fake_google, tmp_path / "t.json", [APP_CREATED, EVENTS_OWNED, CALENDAR_LIST])
    push_as(token, LONDON, "Training", calendar="primary")
    again = push_as(token, LONDON, "Running club", calendar="primary")
    assert again.counts == {"unchanged": 5}
    assert len(fake_google.live("primary")) == 5 and len(fake_google.calendars) == 1


# --- 4. backoff that backs off, a budget per wait ------------------------------------


def test_throttled_batches_back_off_more_and_more(fake_google, google_token):
    clock = Recorder()
    fake_google.fail_status, fake_google.part_fail_every = 429, 3
    outcome = sync(google_token, weeks=TWELVE, retry=clock.policy(base=0.5))
    assert outcome.counts["create"] == 60
    waits = clock.slept
    assert len(waits) >= 3
    assert all(later >= earlier for earlier, later in zip(waits, waits[1:]))
    assert waits[-1] >= 4 * waits[0]


def test_retry_after_is_honoured(fake_google, google_token):
    clock = Recorder()
    fake_google.fail_status, fake_google.retry_after = 429, "7"
    fake_google.fail_parts = {3}
    sync(google_token, retry=clock.policy(base=0.01))
    assert any(w >= 7 for w in clock.slept)
    assert_holds_exactly(fake_google)


def test_retry_after_is_honoured_for_single_calls_within_the_budget(fake_google, google_token):
    clock = Recorder()
    fake_google.fail_status, fake_google.retry_after, fake_google.fail_requests = 503, "9", {1}  # the calendar list
    sync(google_token, retry=clock.policy(base=0.01))
    assert clock.slept and clock.slept[0] >= 9
    fake_google.reset_counts()
    fake_google.retry_after, fake_google.fail_requests = "600", {1}
    with pytest.raises(SyncplanError, match="longer than its retry limit of 120 s"):
        sync(google_token, retry=clock.policy(base=0.01))
    assert max(clock.slept) < 600


def test_quota_exceeded_stops_the_remaining_batches(runner, fake_google, google_token):
    fake_google.fail_status, fake_google.fail_reason, fake_google.part_fail_every = 403, "quotaExceeded", 3
    result = runner.invoke(main, [*CLI_SYNC, "--week", "2026-W40", "--weeks", "12"])
    assert result.exit_code == EXIT_FAILURE
    assert "quotaExceeded" in result.output and "try again later" in result.output
    assert [p for _, p in fake_google.api_requests()].count("/batch/calendar/v3") == 1


def test_the_retry_budget_belongs_to_one_failure_not_to_the_run(fake_google, google_token):
    """A long run (the clock moves 100 s per request) still retries one transient error at its end."""
    clock = Recorder()
    fake_google.on_request = lambda: setattr(clock, "now", clock.now + 100)
    fake_google.fail_status, fake_google.fail_parts = 503, {60}
    outcome = sync(google_token, weeks=TWELVE, retry=clock.policy(base=0.01, limit=120))
    assert outcome.counts["create"] == 60 and clock.slept
    assert_holds_exactly(fake_google, weeks=TWELVE)


# --- 5. the right exit code and message -----------------------------------------------


def test_a_token_endpoint_failing_for_now_is_exit_1_try_again_later(runner, fake_google, google_token):
    """Not exit 3: cron users alert on 3 and would re-authorise for nothing. (google-auth itself retries
    a 500/503/429 with 1 s and 2 s waits before giving up; the bare 502 shows the same path without them.)"""
    info = json.loads(google_token.read_text())
    info["expiry"] = "2020-01-01T00:00:00Z"
    google_token.write_text(json.dumps(info))
    fake_google.token_failures = [502]
    result = runner.invoke(main, CLI_SYNC)
    assert result.exit_code == EXIT_FAILURE, result.output
    assert "try again later" in result.output and "syncplan auth" not in result.output
    assert fake_google.writes == 0
    assert runner.invoke(main, CLI_SYNC).exit_code == 0  # the endpoint is back


def test_dry_run_never_writes_state(runner, fake_google, google_token, isolated_user_dirs):
    assert runner.invoke(main, CLI_SYNC).exit_code == 0
    state = isolated_user_dirs / "state" / FILE
    state.unlink()
    assert runner.invoke(main, [*CLI_SYNC, "--dry-run"]).exit_code == 0
    assert not state.exists()


def test_dry_run_says_conflict_exactly_where_the_real_run_would(fake_google, google_token):
    sync(google_token)
    cal = training(fake_google)
    gone = sorted(fake_google.live(cal.id))[0]
    fake_google.delete_by_hand(cal.id, gone)
    fake_google.bare_deleted = True  # the listing leaves the deleted event out; only a lookup finds it
    dry = sync(google_token, dry_run=True)
    real = sync(google_token)
    assert dry.counts == real.counts == {"unchanged": 4, "conflict": 1}


def test_a_calendar_create_refused_cleanly_leaves_no_pending_marker(fake_google, tmp_path):
    token = token_with(fake_google, tmp_path / "t.json", [APP_CREATED])
    fake_google.fail_every, fake_google.fail_status = 1, 400
    with pytest.raises(SyncplanError, match="400"):
        sync(token)
    fake_google.fail_every = 0
    outcome = sync(token)
    assert not any("interrupted" in n for n in outcome.notes)
    assert outcome.counts["create"] == 5


def test_a_calendar_id_that_does_not_exist_says_so_in_one_line(runner, fake_google, tmp_path):
    token = token_with(fake_google, tmp_path / "t.json", [APP_CREATED, EVENTS_OWNED])
    result = runner.invoke(main, [*CLI_SYNC, "--token", str(token), "--calendar", "nope@group.calendar.google.com"])
    assert result.exit_code == EXIT_INVALID
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "no calendar with that ID" in errors[0]
    assert "Traceback" not in result.output and not result.output.endswith("\n\n")


def test_insufficient_permissions_names_the_scope_and_the_auth_command(runner, fake_google, tmp_path):
    token = token_with(fake_google, tmp_path / "t.json", [APP_CREATED])
    info = json.loads(token.read_text())
    info["scopes"] = info["granted_scopes"] = [APP_CREATED, EVENTS_OWNED]  # the file claims more than Google gave
    token.write_text(json.dumps(info))
    result = runner.invoke(main, [*CLI_SYNC, "--token", str(token), "--calendar", "primary"])
    assert result.exit_code == EXIT_AUTH
    assert "calendar.events.owned" in result.output and "syncplan auth --calendar primary" in result.output


def test_a_token_readable_by_others_is_warned_about_and_tightened(runner, fake_google, google_token):
    info = json.loads(google_token.read_text())
    info["expiry"] = "2020-01-01T00:00:00Z"  # the refresh writes it back
    google_token.write_text(json.dumps(info))
    google_token.chmod(0o644)
    result = runner.invoke(main, CLI_SYNC)
    assert result.exit_code == 0
    assert "readable by others (mode 644)" in result.output
    assert google_token.stat().st_mode & 0o777 == 0o600


# --- issue 6: no traceback --------------------------------------------------------------


@pytest.mark.parametrize("field, value", [("scopes", 5), ("expiry", 12345), ("expiry", "soon"), ("scopes", [1, 2])])
def test_a_token_field_of_the_wrong_type_is_a_clean_exit_3(runner, fake_google, google_token, field, value):
    info = json.loads(google_token.read_text())
    info[field] = value
    google_token.write_text(json.dumps(info))
    for args in (CLI_SYNC, ["auth", "--status"]):
        result = runner.invoke(main, args)
        assert result.exit_code == EXIT_AUTH, result.output
        assert f"'{field}'" in result.output and str(google_token) in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_state_directory_that_cannot_be_made_is_a_clean_error(runner, fake_google, google_token, tmp_path, monkeypatch):
    """HOME=/nonexistent or a root-owned ~/.local/state fail the same mkdir; a file in the way does so even for root."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("SYNCPLAN_STATE_DIR", str(blocker / "state"))
    result = runner.invoke(main, CLI_SYNC)
    assert result.exit_code == EXIT_FAILURE
    assert f"{blocker / 'state'}: cannot create syncplan's state directory" in result.output
    assert "SYNCPLAN_STATE_DIR" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_state_parent_is_a_clean_error(runner, fake_google, google_token, tmp_path, monkeypatch):
    locked = tmp_path / "root-owned"
    locked.mkdir(mode=0o500)
    monkeypatch.setenv("SYNCPLAN_STATE_DIR", str(locked / "state"))
    result = runner.invoke(main, CLI_SYNC)
    assert result.exit_code == EXIT_FAILURE and "cannot create syncplan's state directory" in result.output


# --- 6. the fake knows what each scope allows --------------------------------------------


def test_the_fake_enforces_each_scope_per_method(fake_google, tmp_path):
    from googleapiclient.discovery import build
    from googleapiclient.errors import HttpError
    import google_auth_httplib2
    import httplib2
    from google.oauth2.credentials import Credentials

    def service(scopes):
        creds = Credentials(fake_google.issue_token(scopes))
        http = google_auth_httplib2.AuthorizedHttp(creds, http=httplib2.Http())
        return build("calendar", "v3", http=http, static_discovery=True, client_options={"api_endpoint": fake_google.root + "calendar/v3/"})

    def allowed(call) -> bool:
        try:
            call.execute()
            return True
        except HttpError as exc:
            assert exc.status_code == 403 and exc.error_details[0]["reason"] == "insufficientPermissions"
            return False

    app = service([APP_CREATED])
    mine = app.calendars().insert(body={"summary": "Mine"}).execute()["id"]
    theirs = fake_google.add_calendar("theirs@group.calendar.google.com", "Theirs").id
    event = {"start": {"dateTime": "2026-12-01T08:00:00Z"}, "end": {"dateTime": "2026-12-01T09:00:00Z"}}
    assert allowed(app.events().insert(calendarId=mine, body=event))
    assert not allowed(app.events().list(calendarId=theirs))
    assert not allowed(app.calendarList().list())
    assert not allowed(app.calendars().patch(calendarId=theirs, body={"summary": "x"}))
    lister = service([CALENDAR_LIST])
    assert allowed(lister.calendarList().list())
    assert not allowed(lister.events().list(calendarId=mine))
    assert not allowed(lister.calendars().insert(body={"summary": "No"}))
    owned = service([EVENTS_OWNED])
    assert allowed(owned.events().list(calendarId="primary"))
    assert not allowed(owned.calendars().insert(body={"summary": "No"}))
    busy = service([FREEBUSY])
    assert allowed(busy.freebusy().query(body={"timeMin": "2026-12-01T00:00:00Z", "timeMax": "2026-12-02T00:00:00Z", "items": [{"id": "primary"}]}))
    assert not allowed(busy.events().list(calendarId="primary"))


def test_a_state_file_from_before_identities_still_finds_the_calendar(fake_google, tmp_path, isolated_user_dirs):
    """Written by the previous syncplan (name -> id) with a token that cannot list calendars."""
    token = token_with(fake_google, tmp_path / "t.json", [APP_CREATED])
    sync(token)
    cal = training(fake_google)
    state = isolated_user_dirs / "state" / FILE
    state.write_text(json.dumps({str(token.resolve()): {"Training": cal.id}}))
    outcome = sync(token)
    assert outcome.counts == {"unchanged": 5} and len(calendars_named(fake_google)) == 1

