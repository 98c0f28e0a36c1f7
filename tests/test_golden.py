"""Golden calendars: real .ics files kept as fixtures, compared field by field.

A change to titles, times, descriptions or alarms shows up here as a readable
diff of parsed fields. After an intended change, regenerate with
``SYNCPLAN_REGEN_GOLDEN=1 pytest tests/test_golden.py`` and review the diff.
"""

import os
from datetime import datetime, timezone

import icalendar
import pytest

from conftest import FIXTURES, PLANS
from syncplan.build import build
from syncplan.ics import to_ical
from syncplan.plan import load_plan
from syncplan.week import IsoWeek

GOLDEN = FIXTURES / "golden"
CASES = [("london.toml", IsoWeek(2026, 13)), ("new-york.toml", IsoWeek(2026, 44)), ("kolkata.toml", IsoWeek(2026, 49))]
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


def fields(data: bytes) -> dict:
    out = {}
    for ve in icalendar.Calendar.from_ical(data).walk("VEVENT"):
        out[str(ve["UID"])] = {
            "summary": str(ve["SUMMARY"]),
            "start": ve["DTSTART"].dt.astimezone(timezone.utc).isoformat(),
            "end": ve["DTEND"].dt.astimezone(timezone.utc).isoformat(),
            "tzid": ve["DTSTART"].params.get("TZID"),
            "description": str(ve.get("DESCRIPTION", "")),
            "categories": sorted(ve["CATEGORIES"].cats) if "CATEGORIES" in ve else [],
            "alarms": sorted(str(a["TRIGGER"].dt) for a in ve.walk("VALARM")),
        }
    return out


@pytest.mark.parametrize(("plan_name", "week"), CASES, ids=[f"{p}-{w.label}" for p, w in CASES])
def test_export_matches_the_golden_calendar(plan_name, week):
    plan = load_plan(PLANS / plan_name)
    data = to_ical(list(build(plan, [week]).events), plan.calendar_name, plan.timezone, NOW)
    golden = GOLDEN / f"{plan_name.removesuffix('.toml')}-{week.label}.ics"
    if os.environ.get("SYNCPLAN_REGEN_GOLDEN"):
        golden.write_bytes(data)
    assert fields(data) == fields(golden.read_bytes())
