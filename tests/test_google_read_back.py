"""`sync` places its first week next to the week before as Google already shows it."""

from __future__ import annotations

from datetime import datetime

from syncplan.cli import main
from tests.test_placing import CRON_FLIP, HEAD  # placed afresh, its W20 has the Sunday lifts elsewhere than a W20-W21 run puts them


def held(fake) -> dict[str, tuple[datetime, datetime, str]]:
    """The live events of the plan's calendar in the fake's store: id -> (start, end, summary)."""
    (cal,) = [c for c in fake.calendars.values() if c.events]
    return {
        i: (datetime.fromisoformat(e["start"]["dateTime"]), datetime.fromisoformat(e["end"]["dateTime"]), e["summary"])
        for i, e in fake.live(cal.id).items()
        if "dateTime" in e["start"]
    }


def on(events: dict, day: str, summary: str = "") -> dict:
    return {i: v for i, v in events.items() if v[0].isoformat()[:10] == day and v[2].startswith(summary)}


def test_the_weekly_sync_places_next_week_next_to_the_week_google_already_shows(runner, fake_google, google_token, plan_file):
    """Two Sundays of `sync --weeks 2`: the second reads W20 back from Google, so W21 stays as the first wrote it."""
    path = plan_file(HEAD + CRON_FLIP)
    first = runner.invoke(main, ["sync", str(path), "--week", "2026-W20", "--weeks", "2"])
    assert first.exit_code == 0, first.output
    before = held(fake_google)
    week21 = {i: v for i, v in before.items() if "2026-05-18" <= v[0].isoformat()[:10] <= "2026-05-24"}
    assert week21

    second = runner.invoke(main, ["sync", str(path), "--week", "2026-W21", "--weeks", "2"])
    assert second.exit_code == 0, second.output
    assert ", updated 0, deleted 0," in second.output.strip().splitlines()[-1]
    after = held(fake_google)
    assert {i: after[i] for i in week21} == week21
    lifts = on(after, "2026-05-17", "Strength")
    (intervals,) = on(after, "2026-05-18", "Intervals").values()
    assert lifts and all((intervals[0] - end).total_seconds() >= 10 * 3600 for _, end, _ in lifts.values())

    fake_google.reset_counts()
    again = runner.invoke(main, ["sync", str(path), "--week", "2026-W21", "--weeks", "2"])
    assert again.output.strip().splitlines()[-1] == "created 0, updated 0, deleted 0, unchanged 8, conflicts 0"
    assert fake_google.writes == 0 and len(fake_google.api_requests()) <= 3  # one events.list more than a plan without flexible sessions

