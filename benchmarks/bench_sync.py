"""Requests and wall time of `sync` against the loopback fake of the Calendar API.

    python benchmarks/bench_sync.py [--repeat 3]

For 1 and 52 weeks of the london fixture plan: a first sync (the calendar is
created, every session inserted) and a no-op re-sync (nothing changed). The
requests column counts HTTP requests the fake received (a batch is one);
"calls" counts API calls including those inside batches. Times are the median
of the repeats, for the whole `push` (token load, client build, lock, HTTP).

The last row is a first sync of 52 weeks under a 429 storm: every third
request and every third call inside a batch is refused with 429. The backoff
is the real one with a short base (``--storm-base``, default 0.002 s, set
through SYNCPLAN_RETRY_BASE; the product's default base is 1 s), so the row
shows how many requests the storm costs while finishing in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from fake_calendar import FakeCalendar  # noqa: E402

from syncplan.build import build  # noqa: E402
from syncplan.google.auth import scopes_for  # noqa: E402
from syncplan.google.push import Target, push  # noqa: E402
from syncplan.plan import load_plan  # noqa: E402
from syncplan.week import IsoWeek  # noqa: E402

PLAN = ROOT / "tests" / "fixtures" / "plans" / "london.toml"


def span_of(weeks: int):
    span = [IsoWeek(2026, 1)]
    while len(span) < weeks:
        span.append(span[-1].next())
    return span


def measure(weeks: int, repeat: int) -> list[tuple[str, int, int, int, float]]:
    plan = load_plan(PLAN)
    span = span_of(weeks)
    built = build(plan, span)
    window = (span[0].window(plan.zone)[0], span[-1].window(plan.zone)[1])
    target = Target(plan.calendar_name, plan.timezone)
    rows: dict[str, list] = {"first sync": [], "no-op re-sync": []}
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as home:
            os.environ["SYNCPLAN_STATE_DIR"] = f"{home}/state"
            fake = FakeCalendar().start()
            os.environ["SYNCPLAN_GOOGLE_API_URL"] = fake.root
            token = Path(home) / "token.json"
            token.write_text(json.dumps(fake.token_info(scopes_for(None))))
            token.chmod(0o600)
            try:
                for label in rows:
                    fake.reset_counts()
                    started = time.perf_counter()
                    outcome = push(built.events, window, plan.identity, target, token)
                    elapsed = time.perf_counter() - started
                    assert outcome.counts["create" if label == "first sync" else "unchanged"] == len(built.events)
                    rows[label].append((len(fake.api_requests()), len(fake.calls), fake.writes, elapsed))
            finally:
                fake.stop()
    return [
        (label, runs[0][0], runs[0][1], runs[0][2], statistics.median(r[3] for r in runs), len(built.events))
        for label, runs in rows.items()
    ]


def storm(weeks: int, base: float) -> tuple[str, int, int, int, float, int]:
    """A first sync with a 429 on every third request and every third batch part."""
    plan = load_plan(PLAN)
    span = span_of(weeks)
    built = build(plan, span)
    window = (span[0].window(plan.zone)[0], span[-1].window(plan.zone)[1])
    with tempfile.TemporaryDirectory() as home:
        os.environ["SYNCPLAN_STATE_DIR"] = f"{home}/state"
        os.environ["SYNCPLAN_RETRY_BASE"] = str(base)
        fake = FakeCalendar().start()
        fake.fail_status, fake.fail_every, fake.part_fail_every = 429, 3, 3
        os.environ["SYNCPLAN_GOOGLE_API_URL"] = fake.root
        token = Path(home) / "token.json"
        token.write_text(json.dumps(fake.token_info(scopes_for(None))))
        token.chmod(0o600)
        try:
            started = time.perf_counter()
            outcome = push(built.events, window, plan.identity, Target(plan.calendar_name, plan.timezone), token)
            elapsed = time.perf_counter() - started
            assert outcome.counts["create"] == len(built.events)
            return ("429 storm", len(fake.api_requests()), len(fake.calls), fake.writes, elapsed, len(built.events))
        finally:
            fake.stop()
            del os.environ["SYNCPLAN_RETRY_BASE"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--storm-base", type=float, default=0.002, help="backoff base (s) for the 429-storm row")
    args = parser.parse_args()
    print(f"{'weeks':>5}  {'run':<14} {'events':>6} {'requests':>8} {'calls':>6} {'writes':>6} {'wall ms':>8}")
    for weeks in (1, 52):
        for label, requests, calls, writes, seconds, events in measure(weeks, args.repeat):
            print(f"{weeks:>5}  {label:<14} {events:>6} {requests:>8} {calls:>6} {writes:>6} {seconds * 1000:>8.1f}")
    label, requests, calls, writes, seconds, events = storm(52, args.storm_base)
    print(f"{52:>5}  {label:<14} {events:>6} {requests:>8} {calls:>6} {writes:>6} {seconds * 1000:>8.1f}")


if __name__ == "__main__":
    main()
