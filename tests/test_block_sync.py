"""Google sync over a training block, against the loopback fake: weeks that come and go."""

from __future__ import annotations

from datetime import datetime

import pytest

from syncplan.build import build
from syncplan.cli import main
from syncplan.plan import load_plan
from syncplan.week import resolve_weeks
from test_block import PLAN

SYNC = ["--week", "2026-W50", "--weeks", "3"]


def planned(path) -> set[tuple[str, str, str]]:
    plan = load_plan(path)
    weeks = resolve_weeks("2026-W50", 3, datetime(2026, 12, 1).date())
    return {(e.summary, e.start.isoformat(), e.end.isoformat()) for e in build(plan, weeks).events}


def in_google(fake) -> set[tuple[str, str, str]]:
    cal = fake.calendar_named("Training")
    return {
        (e["summary"], datetime.fromisoformat(e["start"]["dateTime"]).isoformat(), datetime.fromisoformat(e["end"]["dateTime"]).isoformat())
        for e in fake.live(cal.id).values()
    }


def zoned(events: set[tuple[str, str, str]]) -> set[tuple[str, float, float]]:
    """Compare instants, whatever offset notation each side writes."""
    return {(s, datetime.fromisoformat(a).timestamp(), datetime.fromisoformat(b).timestamp()) for s, a, b in events}


def test_a_block_week_skipped_then_restored_ends_with_exactly_the_planned_events(runner, fake_google, google_token, plan_file):
    path = plan_file(PLAN)
    first = runner.invoke(main, ["sync", str(path), *SYNC])
    assert first.exit_code == 0, first.output
    assert zoned(in_google(fake_google)) == zoned(planned(path))

    path.write_text(PLAN + '\n[[week]]\nnumber = 2\nrest = true\n\n[[week]]\nnumber = 3\nskip = ["thu-tempo"]\n')
    skipped = runner.invoke(main, ["sync", str(path), *SYNC, "--force"])
    assert skipped.exit_code == 0, skipped.output
    assert "deleted 6" in skipped.output  # five of the week off, and the skipped tempo run
    assert zoned(in_google(fake_google)) == zoned(planned(path))
    assert not [start for _, start, _ in in_google(fake_google) if "2026-12-14" <= start[:10] < "2026-12-21"]

    path.write_text(PLAN)
    restored = runner.invoke(main, ["sync", str(path), *SYNC])
    assert restored.exit_code == 0, restored.output
    assert zoned(in_google(fake_google)) == zoned(planned(path))
    again = runner.invoke(main, ["sync", str(path), *SYNC])
    assert again.output.strip().splitlines()[-1] == "created 0, updated 0, deleted 0, unchanged 15, conflicts 0"


def test_a_no_op_resync_of_a_24_week_block_costs_what_one_week_does(runner, fake_google, google_token, plan_file):
    path = plan_file(PLAN.replace('race = "2027-03-07"', 'race = "2027-05-16"'))
    args = ["sync", str(path), "--week", "2026-W50", "--weeks", "24"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    fake_google.reset_counts()
    again = runner.invoke(main, args)
    assert again.exit_code == 0
    assert again.output.strip().splitlines()[-1] == "created 0, updated 0, deleted 0, unchanged 120, conflicts 0"
    assert fake_google.writes == 0 and len(fake_google.api_requests()) <= 2


def test_a_week_the_block_declares_off_is_emptied_without_force(runner, fake_google, google_token, plan_file):
    path = plan_file(PLAN)
    assert runner.invoke(main, ["sync", str(path), *SYNC]).exit_code == 0
    path.write_text(PLAN + "\n[[week]]\nnumber = 2\nrest = true\n")
    off = runner.invoke(main, ["sync", str(path), *SYNC])
    assert off.exit_code == 0, off.output
    assert "deleted 5" in off.output
    assert zoned(in_google(fake_google)) == zoned(planned(path))
