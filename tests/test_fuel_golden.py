"""Plans without the fuel fields write the same bytes as before the fuel work.

The files in fixtures/golden-fuel/ were written from this branch's starting
point; the comparison is byte for byte (DTSTAMP is fixed by ``NOW``), so
neither a new line in a description nor a reordered property slips through.
Regenerate only for an intended change: ``SYNCPLAN_REGEN_GOLDEN=1 pytest tests/test_fuel_golden.py``.
"""

import os
from datetime import datetime, timezone

import pytest

from conftest import FIXTURES, PLANS
from syncplan.build import build
from syncplan.google.resource import to_resource
from syncplan.ics import to_ical
from syncplan.plan import load_plan
from syncplan.templates import templates_dir
from syncplan.week import IsoWeek

GOLDEN = FIXTURES / "golden-fuel"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)
WEEKS = [IsoWeek(2026, 13), IsoWeek(2026, 14)]  # a spring-forward week and the one after
PLAN_FILES = sorted(PLANS.glob("*.toml")) + sorted((templates_dir() / "plans").glob("*.toml"))


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.stem)
@pytest.mark.parametrize("busy_only", [False, True], ids=["full", "busy"])
def test_plans_without_fuel_fields_export_the_same_bytes(path, busy_only):
    plan = load_plan(path)
    built = build(plan, WEEKS, busy_only=busy_only)
    data = to_ical(list(built.events), plan.calendar_name, plan.timezone, NOW, private=busy_only)
    golden = GOLDEN / f"{path.stem}{'-busy' if busy_only else ''}.ics"
    if os.environ.get("SYNCPLAN_REGEN_GOLDEN"):
        golden.write_bytes(data)
    assert data == golden.read_bytes()


@pytest.mark.parametrize("path", PLAN_FILES, ids=lambda p: p.stem)
def test_plans_without_fuel_fields_send_google_the_same_events(path):
    """The hash Google keeps must not move, or a no-op sync would rewrite every event."""
    import json

    plan = load_plan(path)
    bodies = [to_resource(e) for e in build(plan, WEEKS).events]
    data = json.dumps(bodies, sort_keys=True, ensure_ascii=False, indent=1).encode()
    golden = GOLDEN / f"{path.stem}-google.json"
    if os.environ.get("SYNCPLAN_REGEN_GOLDEN"):
        golden.write_bytes(data)
    assert data == golden.read_bytes()
