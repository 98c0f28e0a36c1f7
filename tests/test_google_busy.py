"""Busy time from Google: one freeBusy query per sync, through the loopback fake."""

from __future__ import annotations

import json
import os
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from fake_calendar import APP_CREATED, CALENDAR_LIST, FREEBUSY
from syncplan.cli import main
from syncplan.errors import EXIT_AUTH, EXIT_INVALID
from test_placing import AVAILABILITY, HEAD, SESSIONS, WEEK

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def busy_token(fake_google, isolated_user_dirs, monkeypatch):
    """A token that allows calendar.freebusy besides syncplan's usual scopes."""

    def write(scopes):
        path = isolated_user_dirs / "data" / "token.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(fake_google.token_info(scopes), out)
        monkeypatch.setenv("SYNCPLAN_TOKEN_FILE", str(path))
        return path

    return write


def lift_start(fake) -> str:
    cal = fake.calendar_named("Training")
    for event in fake.live(cal.id).values():
        if event["summary"].startswith("Strength"):
            return datetime.fromisoformat(event["start"]["dateTime"]).astimezone(LONDON).strftime("%a %H:%M")
    raise AssertionError("no lift synced")


def test_sync_places_around_google_busy_time_with_one_freebusy_query(runner, fake_google, busy_token, plan_file):
    busy_token([APP_CREATED, CALENDAR_LIST, FREEBUSY])
    fake_google.busy["primary"] = [("2026-05-11T04:00:00Z", "2026-05-11T08:00:00Z")]  # 05:00-09:00 BST
    path = plan_file(HEAD + AVAILABILITY + '[busy]\ngoogle = ["primary"]\n' + SESSIONS)
    result = runner.invoke(main, ["sync", str(path), "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert len(fake_google.freebusy_queries) == 1
    assert [i["id"] for i in fake_google.freebusy_queries[0]["items"]] == ["primary"]
    assert lift_start(fake_google) == "Tue 06:00"


def test_without_google_busy_time_the_lift_keeps_monday(runner, fake_google, busy_token, plan_file):
    busy_token([APP_CREATED, CALENDAR_LIST, FREEBUSY])
    path = plan_file(HEAD + AVAILABILITY + '[busy]\ngoogle = ["primary"]\n' + SESSIONS)
    assert runner.invoke(main, ["sync", str(path), "--week", WEEK]).exit_code == 0
    assert lift_start(fake_google) == "Mon 06:00"


def test_a_token_without_freebusy_asks_for_auth_busy(runner, fake_google, busy_token, plan_file):
    busy_token([APP_CREATED, CALENDAR_LIST])
    path = plan_file(HEAD + AVAILABILITY + '[busy]\ngoogle = ["primary"]\n' + SESSIONS)
    result = runner.invoke(main, ["sync", str(path), "--week", WEEK])
    assert result.exit_code == EXIT_AUTH
    assert "calendar.freebusy" in result.stderr and "syncplan auth" in result.stderr
    assert fake_google.freebusy_queries == []


def test_a_plan_without_google_busy_sources_never_queries_freebusy(runner, fake_google, busy_token, plan_file):
    busy_token([APP_CREATED, CALENDAR_LIST])  # no freebusy scope, and none needed
    result = runner.invoke(main, ["sync", str(plan_file(HEAD + AVAILABILITY + SESSIONS)), "--week", WEEK])
    assert result.exit_code == 0, result.output
    assert fake_google.freebusy_queries == []


def test_an_unknown_google_calendar_under_busy_names_the_plan_and_field(runner, fake_google, busy_token, plan_file):
    busy_token([APP_CREATED, CALENDAR_LIST, FREEBUSY])
    path = plan_file(HEAD + AVAILABILITY + '[busy]\ngoogle = ["nobody@example.com"]\n' + SESSIONS)
    result = runner.invoke(main, ["sync", str(path), "--week", WEEK])
    assert result.exit_code == EXIT_INVALID
    assert str(path) in result.stderr and "[busy] field 'google'" in result.stderr and "nobody@example.com" in result.stderr


def test_auth_status_says_how_to_allow_busy_times(runner, fake_google, busy_token):
    busy_token([APP_CREATED, CALENDAR_LIST])
    result = runner.invoke(main, ["auth", "--status"])
    assert "calendar.freebusy: not asked for (`syncplan auth --busy` asks)" in result.output


def test_sync_refuses_a_week_with_an_unplaced_session_unless_allowed(runner, fake_google, busy_token, plan_file):
    busy_token([APP_CREATED, CALENDAR_LIST, FREEBUSY])
    fake_google.busy["primary"] = [("2026-05-10T23:00:00Z", "2026-05-11T23:00:00Z")]  # all of Monday, BST
    only_monday = '[[session]]\nid = "lift-a"\nkind = "strength"\nminutes = 60\ndays = ["mon"]\n'
    path = plan_file(HEAD + '[busy]\ngoogle = ["primary"]\n' + only_monday + SESSIONS.split("[[session]]\nid = \"lift-a\"")[0])
    refused = runner.invoke(main, ["sync", str(path), "--week", WEEK])
    assert refused.exit_code == 1
    assert "unplaced" in refused.stderr and "lift-a" in refused.stderr
    assert all(c.summary != "Training" for c in fake_google.calendars.values())  # nothing was made or written
    allowed = runner.invoke(main, ["sync", str(path), "--week", WEEK, "--allow-errors"])
    assert allowed.exit_code == 0, allowed.output
    cal = fake_google.calendar_named("Training")
    assert [e["summary"] for e in fake_google.live(cal.id).values()] == ["Long run · 100 min"]


def test_a_session_moved_by_new_busy_time_is_updated_in_place(runner, fake_google, busy_token, plan_file):
    busy_token([APP_CREATED, CALENDAR_LIST, FREEBUSY])
    path = plan_file(HEAD + AVAILABILITY + '[busy]\ngoogle = ["primary"]\n' + SESSIONS)
    first = runner.invoke(main, ["sync", str(path), "--week", WEEK])
    assert first.exit_code == 0, first.output
    assert lift_start(fake_google) == "Mon 06:00"
    fake_google.busy["primary"] = [("2026-05-11T04:00:00Z", "2026-05-11T08:00:00Z")]
    second = runner.invoke(main, ["sync", str(path), "--week", WEEK])
    assert second.exit_code == 0, second.output
    assert second.output.strip().splitlines()[-1].startswith("created 0, updated 1, deleted 0")
    assert lift_start(fake_google) == "Tue 06:00"
