"""Solver time of the placement search on busy, random weeks.

Each week: 12 flexible sessions (two lower-body lifts, an upper-body lift, a
tempo run, intervals, a long run, four easy runs, two mobility sessions, with
random allowed days and preferences), a fixed long run, availability of
06:00-21:00 with some days cut short, and 200 busy blocks: meetings that
recur every weekday plus one-off events, in a zone whose clocks may change
that week. Only ``place()`` is timed; building the inputs is not.

    python benchmarks/bench_place.py                 # 1,000 weeks, p95 target 50 ms
    python benchmarks/bench_place.py --weeks 200 --seed 7 --strict

``--strict`` exits 1 when the p95 misses the target.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time as clock
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from syncplan.kinds import KINDS
from syncplan.place import Flexible, Window, place
from syncplan.plan import Session
from syncplan.week import IsoWeek, date_session

TARGET_MS = 50.0
ZONES = ["Europe/London", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney"]
SESSIONS = [
    ("lift-a", "strength", 60, "lower"),
    ("lift-b", "strength", 60, "lower"),
    ("lift-c", "strength", 45, "upper"),
    ("tempo", "tempo", 45, None),
    ("intervals", "intervals", 50, None),
    ("long", "long", 100, None),
    ("easy-1", "easy", 30, None),
    ("easy-2", "easy", 40, None),
    ("easy-3", "easy", 30, None),
    ("easy-4", "easy", 45, None),
    ("mobility-1", "mobility", 20, None),
    ("mobility-2", "mobility", 30, None),
]


def random_week(rng: random.Random) -> dict:
    zone = ZoneInfo(rng.choice(ZONES))
    week = IsoWeek(2026, rng.randint(1, 52))
    availability = {}
    for day in range(7):
        if rng.random() < 0.15:
            availability[day] = (Window.parse("06:00-08:30"), Window.parse("17:30-21:00"))
        else:
            availability[day] = (Window.parse("06:00-21:00"),)
    busy = []
    recurring = [(rng.randint(8, 17) * 60 + rng.choice([0, 30]), rng.choice([15, 30, 60])) for _ in range(6)]
    for day in range(5):
        for start, minutes in recurring:
            busy.append((day, start, minutes))
    while len(busy) < 200:  # mostly working hours, some evenings and weekends
        if rng.random() < 0.85:
            busy.append((rng.randrange(5), rng.randrange(8 * 4, 18 * 4) * 15, rng.choice([15, 30, 45, 60, 90])))
        else:
            busy.append((rng.randrange(7), rng.randrange(7 * 4, 22 * 4) * 15, rng.choice([30, 60, 90, 120])))
    blocks = []
    for day, start, minutes in busy:
        at = datetime.combine(week.day(day), time(0), zone) + timedelta(minutes=start)
        blocks.append((at, at + timedelta(minutes=minutes)))
    flexible = []
    for key, kind, minutes, focus in SESSIONS:
        days = tuple(sorted(rng.sample(range(7), rng.randint(2, 7))))
        if kind == "long":
            days = (5, 6)
        prefer = rng.choice([None, None, "morning", "evening", "midday"])
        flexible.append(Flexible(Session(key, 0, time(0), KINDS[kind], minutes, focus), days, prefer))
    fixed = [date_session(Session("club-run", 3, time(19, 0), KINDS["easy"], 45), week, zone)]
    return dict(week=week, zone=zone, flexible=flexible, availability=availability, busy=blocks, fixed=fixed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    times, unplaced, full = [], 0, 0
    for _ in range(args.weeks):
        w = random_week(rng)
        start = clock.perf_counter()
        result = place(w["week"], w["zone"], w["flexible"], w["availability"], fixed=w["fixed"], busy=w["busy"],
                       buffer_minutes=15, min_gap_hours=6)
        times.append((clock.perf_counter() - start) * 1000)
        unplaced += len(result.unplaced)
        full += not result.unplaced
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    print(f"{args.weeks} weeks, 12 flexible sessions, 200 busy blocks each")
    print(f"solver time: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms "
          f"(target p95 <= {TARGET_MS:g} ms: {'ok' if p95 <= TARGET_MS else 'MISSED'})")
    print(f"weeks with every session placed: {full}; sessions left unplaced: {unplaced}")
    return 1 if args.strict and p95 > TARGET_MS else 0


if __name__ == "__main__":
    sys.exit(main())
