"""Sync against the loopback fake of the Calendar API, through the real google-api-python-client."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from syncplan.build import build
from syncplan.errors import AuthorisationNeeded, SyncplanError
from syncplan.events import google_event_id
from syncplan.google.push import Target, push
from syncplan.google.resource import private
from syncplan.google.state import CalendarIds, sync_lock
from syncplan.google.sync import EmptyWeek
from syncplan.plan import load_plan, parse_plan
from syncplan.week import IsoWeek

PLANS = Path(__file__).parent / "fixtures" / "plans"
LONDON = (PLANS / "london.toml").read_text()
W49 = [IsoWeek(2026, 49)]


def week_of(plan, weeks=W49):
    built = build(plan, weeks)
    window = (weeks[0].window(plan.zone)[0], weeks[-1].window(plan.zone)[1])
    return built.events, window


def sync(token: Path, text: str = LONDON, weeks=W49, calendar: str | None = None, **options):
    plan = parse_plan(text, "plan.toml")
    events, window = week_of(plan, weeks)
    target = Target(calendar or plan.calendar_name, plan.timezone)
    return push(events, window, plan.identity, target, token, **options)


def training(fake):
    """syncplan's calendar. After a lost answer to its creation an empty twin may exist, and must stay empty."""
    named = [c for c in fake.calendars.values() if c.summary == "Training"]
    holding = [c for c in named if c.events]
    assert len(named) >= 1 and len(holding) <= 1
    return holding[0] if holding else fake.calendar_named("Training")


def assert_holds_exactly(fake, text: str = LONDON, weeks=W49):
    """Google shows exactly the planned events, once each, with syncplan's content."""
    plan = parse_plan(text, "plan.toml")
    events, _ = week_of(plan, weeks)
    live = fake.live(training(fake).id)
    assert sorted(live) == sorted(google_event_id(e.uid) for e in events)
    for e in events:
        held = live[google_event_id(e.uid)]
        assert held["summary"] == e.summary
        assert held["start"]["dateTime"] == e.start.isoformat()
        assert private(held)["syncplan_key"] == e.key
    everywhere = [ev for c in fake.calendars.values() for ev in c.events.values() if ev.get("status") != "cancelled"]
    assert len(everywhere) == len(events), "duplicates or strays in other calendars"


def test_first_sync_creates_the_calendar_and_every_session(fake_google, google_token):
    outcome = sync(google_token)
    assert outcome.summary() == "created 5, updated 0, deleted 0, unchanged 0, conflicts 0"
    assert outcome.notes == ["created the calendar 'Training'"]
    assert_holds_exactly(fake_google)
    assert training(fake_google).time_zone == "Europe/London"
    assert len(fake_google.api_requests()) <= 4
    assert [p for _, p in fake_google.api_requests()] == ["/calendar/v3/users/me/calendarList", "/calendar/v3/calendars", "/batch/calendar/v3"]
    assert CalendarIds(google_token).get("training")["id"] == training(fake_google).id


def test_rerun_writes_nothing_in_at_most_two_requests(fake_google, google_token):
    sync(google_token)
    fake_google.reset_counts()
    outcome = sync(google_token)
    assert outcome.summary() == "created 0, updated 0, deleted 0, unchanged 5, conflicts 0"
    assert fake_google.writes == 0
    assert len(fake_google.api_requests()) <= 2


def test_rerun_with_a_broader_token_and_no_memory_finds_the_calendar(fake_google, google_token, tmp_path):
    sync(google_token)
    broad = tmp_path / "broad.json"
    broad.write_text(json.dumps(fake_google.token_info(["https://www.googleapis.com/auth/calendar"])))
    fake_google.reset_counts()
    outcome = sync(broad)
    assert outcome.counts["unchanged"] == 5 and fake_google.writes == 0
    assert len(fake_google.api_requests()) == 2  # calendarList, events


def test_editing_the_plan_updates_only_what_changed(fake_google, google_token):
    edited = LONDON.replace('start = "18:00"', 'start = "18:30"')
    before_events, _ = week_of(parse_plan(LONDON, "plan.toml"))
    after_events, _ = week_of(parse_plan(edited, "plan.toml"))
    # the run moves, and the lift's description names the run's time
    differ = {google_event_id(a.uid) for a, b in zip(before_events, after_events) if a != b}
    assert 0 < len(differ) < 5
    sync(google_token)
    cal = training(fake_google)
    before = {i: e["etag"] for i, e in fake_google.live(cal.id).items()}
    fake_google.reset_counts()
    outcome = sync(google_token, edited)
    assert outcome.counts == {"update": len(differ), "unchanged": 5 - len(differ)}
    assert fake_google.writes == len(differ)
    after = fake_google.live(cal.id)
    assert {i for i, e in after.items() if e["etag"] != before[i]} == differ
    assert any(e["start"]["dateTime"] == "2026-12-01T18:30:00+00:00" for e in after.values())
    assert_holds_exactly(fake_google, edited)


def test_removing_a_session_deletes_only_its_event(fake_google, google_token):
    sync(google_token)
    without_long_run = LONDON[: LONDON.index('[[session]]\nid = "sun-long"')]
    fake_google.reset_counts()
    outcome = sync(google_token, without_long_run)
    assert outcome.summary() == "created 0, updated 0, deleted 1, unchanged 4, conflicts 0"
    assert fake_google.writes == 2  # marked as syncplan's own deletion, then deleted
    assert_holds_exactly(fake_google, without_long_run)


def test_foreign_events_with_the_same_title_and_time_stay_untouched(fake_google, google_token):
    sync(google_token)
    cal = training(fake_google)
    ours = list(fake_google.live(cal.id).values())
    twins = []
    for event in ours:
        twin = {k: v for k, v in event.items() if k in ("summary", "description", "start", "end")}
        twins.append(fake_google.add_by_hand(cal.id, twin)["id"])
    outcome = sync(google_token, LONDON.replace('focus = "upper"', 'focus = "full"'))
    assert outcome.counts["update"] == 1
    emptied = LONDON[: LONDON.index("[[session]]")]
    sync(google_token, emptied, force=True)
    live = fake_google.live(cal.id)
    assert sorted(live) == sorted(twins)
    assert all(live[t]["sequence"] == 0 for t in twins)


def test_hand_edited_and_hand_deleted_events_are_reported_not_overwritten(fake_google, google_token):
    sync(google_token)
    cal = training(fake_google)
    events = sorted(fake_google.live(cal.id).values(), key=lambda e: e["start"]["dateTime"])
    edited, deleted = events[0]["id"], events[2]["id"]
    fake_google.edit_by_hand(cal.id, edited, summary="Lift at the other gym")
    fake_google.delete_by_hand(cal.id, deleted)
    changed_plan = LONDON.replace("minutes = 60\nfocus = \"lower\"", "minutes = 75\nfocus = \"lower\"")
    fake_google.reset_counts()
    outcome = sync(google_token, changed_plan)
    assert outcome.counts["conflict"] == 2
    assert fake_google.writes == outcome.counts["update"]  # the run's description names the lift's length
    reasons = {a.key: a.reason for a in outcome.conflicts}
    assert any("edited by hand" in r for r in reasons.values()) and any("deleted by hand" in r for r in reasons.values())
    assert fake_google.calendars[cal.id].events[edited]["summary"] == "Lift at the other gym"
    assert fake_google.calendars[cal.id].events[deleted]["status"] == "cancelled"

    outcome = sync(google_token, changed_plan, overwrite_edits=True)
    assert outcome.counts["update"] == 2 and outcome.counts["conflict"] == 0
    assert_holds_exactly(fake_google, changed_plan)
    assert sync(google_token, changed_plan).counts["unchanged"] == 5


def test_a_hand_deleted_event_google_lists_bare_is_found_through_the_409(fake_google, google_token):
    """Google only promises id and status for deleted events, so the listing may miss it."""
    sync(google_token)
    cal = training(fake_google)
    gone = sorted(fake_google.live(cal.id))[0]
    fake_google.delete_by_hand(cal.id, gone)
    fake_google.bare_deleted = True
    fake_google.reset_counts()
    outcome = sync(google_token)
    assert outcome.counts == {"unchanged": 4, "conflict": 1}
    assert "deleted by hand" in outcome.conflicts[0].reason
    assert fake_google.writes == 0 and fake_google.calendars[cal.id].events[gone]["status"] == "cancelled"
    assert sync(google_token, overwrite_edits=True).counts == {"unchanged": 4, "update": 1}
    assert_holds_exactly(fake_google)


def test_invalid_grant_after_a_401_mid_run_asks_to_run_syncplan_auth(fake_google, google_token):
    fake_google.tokens.pop(json.loads(google_token.read_text())["token"])
    fake_google.invalid_grant = True
    with pytest.raises(AuthorisationNeeded, match="invalid_grant.*syncplan auth"):
        sync(google_token)


@pytest.mark.parametrize("status, reason", [(429, None), (503, None), (403, "userRateLimitExceeded"), (500, None)])
def test_errors_on_every_third_request_still_converge(fake_google, google_token, status, reason):
    fake_google.fail_every, fake_google.fail_status, fake_google.fail_reason = 3, status, reason
    fake_google.part_fail_every = 3
    many = [IsoWeek(2026, w) for w in range(40, 52)]  # 60 events: two batches
    outcome = sync(google_token, weeks=many)
    assert outcome.counts["create"] == 60
    fake_google.fail_every = fake_google.part_fail_every = 0
    assert_holds_exactly(fake_google, weeks=many)
    assert sync(google_token, weeks=many).counts["unchanged"] == 60


def test_a_lost_answer_to_an_insert_batch_is_reconciled_not_duplicated(fake_google, google_token):
    fake_google.lose_answers = {3}  # calendarList, the calendar, then the batch of inserts: done at Google, answer never arrives
    outcome = sync(google_token)
    assert outcome.summary() == "created 5, updated 0, deleted 0, unchanged 0, conflicts 0"
    gets = [c for c in fake_google.calls if c[0] == "GET" and "/events/" in c[1]]
    assert len(gets) == 5  # each 409 was looked at
    assert_holds_exactly(fake_google)


def _start_over(fake, token):
    fake.calendars = {cid: c for cid, c in fake.calendars.items() if c.primary}
    CalendarIds(token).put("training", None)
    fake.reset_counts()


@pytest.mark.parametrize("weeks", [W49, [IsoWeek(2026, w) for w in range(40, 52)]], ids=["1 week", "12 weeks"])
def test_connection_dropped_after_k_requests_for_every_k_then_rerun_converges(fake_google, google_token, weeks, monkeypatch):
    monkeypatch.setenv("SYNCPLAN_RETRY_LIMIT", "0.2")
    sync(google_token, weeks=weeks)
    requests = len(fake_google.api_requests())
    assert requests >= 2
    for k in range(requests):
        _start_over(fake_google, google_token)
        fake_google.drop_after = k
        with pytest.raises(SyncplanError) as broken:
            sync(google_token, weeks=weeks)
        assert "syncplan sync" in str(broken.value) and "again" in str(broken.value)
        fake_google.drop_after = None
        outcome = sync(google_token, weeks=weeks)
        # k <= 1: the calendar may be made with its id lost; it is found again by its marker, not made twice
        assert not any("interrupted" in n for n in outcome.notes)
        assert_holds_exactly(fake_google, weeks=weeks)
        assert len([c for c in fake_google.calendars.values() if c.summary == "Training"]) == 1
        assert sync(google_token, weeks=weeks).counts["unchanged"] == 5 * len(weeks)


def test_paged_listing_sees_every_event(fake_google, google_token):
    many = [IsoWeek(2026, w) for w in range(40, 44)]
    sync(google_token, weeks=many)
    fake_google.max_results = 3
    fake_google.reset_counts()
    outcome = sync(google_token, weeks=many)
    assert outcome.counts["unchanged"] == 20 and fake_google.writes == 0
    assert len(fake_google.api_requests()) == 8  # calendarList, 7 pages


def test_dry_run_writes_nothing(fake_google, google_token):
    outcome = sync(google_token, dry_run=True)
    assert outcome.counts["create"] == 5 and outcome.notes == ["would create the calendar 'Training'"]
    assert fake_google.writes == 0 and len(fake_google.calendars) == 1
    sync(google_token)
    fake_google.reset_counts()
    outcome = sync(google_token, LONDON.replace('start = "18:00"', 'start = "18:30"'), dry_run=True)
    assert outcome.counts["update"] >= 1 and fake_google.writes == 0
    assert [p.rsplit("/", 1)[-1] for _, p in fake_google.calls] == ["calendarList", "events"]


def test_an_empty_plan_refuses_to_delete_everything_without_force(fake_google, google_token):
    sync(google_token)
    emptied = LONDON[: LONDON.index("[[session]]")]
    fake_google.reset_counts()
    with pytest.raises(EmptyWeek, match="--force"):
        sync(google_token, emptied)
    assert fake_google.writes == 0
    assert sync(google_token, emptied, force=True).counts["delete"] == 5
    assert fake_google.live(training(fake_google).id) == {}


def test_a_deleted_calendar_is_made_again(fake_google, google_token):
    sync(google_token)
    old = training(fake_google).id
    del fake_google.calendars[old]
    outcome = sync(google_token)
    assert outcome.counts["create"] == 5 and training(fake_google).id != old
    assert CalendarIds(google_token).get("training")["id"] == training(fake_google).id


def test_primary_calendar_needs_the_events_owned_scope(fake_google, google_token, tmp_path):
    with pytest.raises(AuthorisationNeeded, match=r"syncplan auth --calendar primary"):
        sync(google_token, calendar="primary")
    owned = tmp_path / "owned.json"
    owned.write_text(json.dumps(fake_google.token_info([
        "https://www.googleapis.com/auth/calendar.app.created",
        "https://www.googleapis.com/auth/calendar.events.owned",
    ])))
    assert sync(owned, calendar="primary").counts["create"] == 5
    assert len(fake_google.live("primary")) == 5 and len(fake_google.calendars) == 1


def test_an_expired_token_is_refreshed_at_the_token_endpoint_and_saved(fake_google, google_token):
    info = json.loads(google_token.read_text())
    info["expiry"] = "2020-01-01T00:00:00Z"
    google_token.write_text(json.dumps(info))
    os.chmod(google_token, 0o600)
    sync(google_token)
    assert ("POST", "/token") in fake_google.log
    saved = json.loads(google_token.read_text())
    assert saved["token"] != info["token"] and saved["token"] in fake_google.tokens
    assert saved["token_uri"] == "https://oauth2.googleapis.com/token"
    assert saved["refresh_token"] == info["refresh_token"]
    assert google_token.stat().st_mode & 0o777 == 0o600


def test_a_revoked_access_token_is_refreshed_after_a_401(fake_google, google_token):
    info = json.loads(google_token.read_text())
    fake_google.tokens.pop(info["token"])
    assert sync(google_token).counts["create"] == 5
    assert ("POST", "/token") in fake_google.log
    assert json.loads(google_token.read_text())["token"] in fake_google.tokens


def test_invalid_grant_asks_to_run_syncplan_auth(fake_google, google_token):
    info = json.loads(google_token.read_text())
    info["expiry"] = "2020-01-01T00:00:00Z"
    google_token.write_text(json.dumps(info))
    fake_google.invalid_grant = True
    with pytest.raises(AuthorisationNeeded) as refused:
        sync(google_token)
    assert refused.value.exit_code == 3
    assert "invalid_grant" in str(refused.value) and "syncplan auth" in str(refused.value)
    assert not any(s in str(refused.value) for s in fake_google.secret_values())


def test_a_missing_token_asks_to_run_syncplan_auth(fake_google, tmp_path):
    with pytest.raises(AuthorisationNeeded, match="no Google token at .*syncplan auth"):
        sync(tmp_path / "none.json")


def test_a_second_sync_waits_for_no_one(fake_google, google_token):
    with sync_lock():
        with pytest.raises(SyncplanError, match="another `syncplan sync` is running"):
            sync(google_token)
    assert sync(google_token).counts["create"] == 5


def test_the_real_plan_loader_and_a_template_sync_end_to_end(fake_google, google_token):
    from syncplan.templates import template_path

    plan = load_plan(template_path("hybrid"))
    events, window = week_of(plan)
    outcome = push(events, window, plan.identity, Target(plan.calendar_name, plan.timezone), google_token)
    assert outcome.counts["create"] == len(events) > 5
