"""Whole-process timings of syncplan against baselines measured in the same run.

What a user waits for is a whole process: interpreter start, imports, work,
exit. So each measure spawns the command a user runs (the ``syncplan`` console
script next to this interpreter) and a baseline process that only imports what
syncplan cannot do without, alternating the two, and compares medians:

    syncplan export (1 week)    vs  python -c "import icalendar, click"   target <= 1.3x
    syncplan --help             vs  python -c "import click"              target <= 1.5x
    syncplan export --weeks 52  vs  python -c "import icalendar, click"   target <= 2x, peak RSS < 80 MB
    export of a 24-week block   vs  python -c "import icalendar, click"   target <= 2x
    syncplan export (placing)   vs  python -c "import icalendar, click"   target <= 1.5x

The placing measure exports one week of a plan with 12 flexible sessions
against a busy .ics of 200 blocks (ten meetings recurring every weekday, the
rest one-off), both written by ``placing_inputs`` into the temporary folder.

Exports use the built-in template (``--template four-day``), write to a fresh
temporary file each time, and run with SYNCPLAN_CONFIG_DIR (and the data and
state dirs) pointing at empty temporary directories. Peak memory is the
child's own ru_maxrss, from ``os.wait4`` on that one child.

It also runs ``syncplan export`` and ``syncplan --help`` under ``-X importtime``
and checks that neither imports the Google client or OAuth libraries.

Usage (from the repository, with the project installed in the venv):

    /tmp/venv/bin/python benchmarks/bench.py              # table; exit 0 unless a command fails
    /tmp/venv/bin/python benchmarks/bench.py --strict     # exit 1 when a target fails
    /tmp/venv/bin/python benchmarks/bench.py -r 21 --why  # more repetitions; always list the slowest imports

When a timing target fails, the slowest imports of that command are listed
(from ``-X importtime``) to say where the time goes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HEAVY_IMPORTS = ("googleapiclient", "google.auth", "google.oauth2", "google_auth_oauthlib", "google_auth_httplib2", "httplib2", "oauthlib")
MB = 1024 * 1024


@dataclass
class Run:
    seconds: float
    peak_bytes: int
    status: int


def spawn(argv: list[str], env: dict[str, str]) -> Run:
    """One child process, its wall time and its own peak RSS (ru_maxrss of that child only)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        seconds = time.perf_counter() - start
    finally:
        os.close(devnull)
    kb = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    return Run(seconds, usage.ru_maxrss * kb, os.waitstatus_to_exitcode(status))


def syncplan_command() -> list[str]:
    """The console script a user runs, run by this interpreter (as its shebang would)."""
    script = Path(sys.executable).with_name("syncplan")
    if script.is_file():
        return [sys.executable, str(script)]
    print(f"note: no console script at {script}; measuring `python -m syncplan` instead", file=sys.stderr)
    return [sys.executable, "-m", "syncplan"]


@dataclass
class Measure:
    name: str
    argv: list[str]
    baseline_name: str
    baseline: list[str]
    target: float
    max_peak_mb: float | None = None
    fresh_output: Path | None = None  # removed before each run, so every export really writes


PLACING_SESSIONS = [
    ("lift-a", "strength", 60, "lower", '["mon", "tue", "wed"]', "morning"),
    ("lift-b", "strength", 60, "lower", '["thu", "fri", "sat"]', "morning"),
    ("lift-c", "strength", 45, "upper", None, None),
    ("tempo", "tempo", 45, None, None, "evening"),
    ("intervals", "intervals", 50, None, None, "evening"),
    ("long", "long", 100, None, '["sat", "sun"]', "morning"),
    ("easy-1", "easy", 30, None, None, None),
    ("easy-2", "easy", 40, None, None, None),
    ("easy-3", "easy", 30, None, None, "morning"),
    ("easy-4", "easy", 45, None, None, None),
    ("mobility-1", "mobility", 20, None, None, None),
    ("mobility-2", "mobility", 30, None, None, "evening"),
]


def placing_inputs(folder: Path) -> Path:
    """A plan of 12 flexible sessions and a 200-block busy calendar (2026-W20, London) in ``folder``; the plan's path."""
    import random
    from datetime import date, timedelta

    rng = random.Random(20)
    monday = date(2026, 5, 11)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//syncplan bench//EN"]

    def event(uid: str, day: date, minute: int, length: int, rule: str = "") -> None:
        start = f"{day:%Y%m%d}T{minute // 60:02d}{minute % 60:02d}00"
        end_minute = minute + length
        end = f"{day:%Y%m%d}T{end_minute // 60:02d}{end_minute % 60:02d}00"
        lines.extend(["BEGIN:VEVENT", f"UID:{uid}@bench", "DTSTAMP:20260501T000000Z",
                      f"DTSTART;TZID=Europe/London:{start}", f"DTEND;TZID=Europe/London:{end}", *([rule] if rule else []),
                      "SUMMARY:Busy", "END:VEVENT"])

    for i in range(10):  # 50 instances
        event(f"series-{i}", monday - timedelta(days=28), rng.randint(9, 16) * 60 + rng.choice([0, 30]), rng.choice([15, 30]),
              "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR")
    for i in range(150):
        day = rng.randrange(7)
        first, last = (8, 17) if day < 5 else (10, 15)
        event(f"one-{i}", monday + timedelta(days=day), rng.randint(first, last) * 60 + rng.choice([0, 15, 30, 45]),
              rng.choice([15, 30, 45]))
    lines.append("END:VCALENDAR")
    (folder / "busy.ics").write_text("\r\n".join(lines) + "\r\n")
    plan = ['[athlete]', 'timezone = "Europe/London"', '[availability]', 'default = ["06:00-21:00"]',
            '[busy]', 'ics = ["busy.ics"]']
    for key, kind, minutes, focus, days, prefer in PLACING_SESSIONS:
        plan += ["[[session]]", f'id = "{key}"', f'kind = "{kind}"', f"minutes = {minutes}"]
        plan += [f'focus = "{focus}"'] if focus else []
        plan += [f"days = {days}"] if days else []
        plan += [f'prefer = "{prefer}"'] if prefer else []
    path = folder / "placing.toml"
    path.write_text("\n".join(plan) + "\n")
    return path


def run_measure(m: Measure, env: dict[str, str], repetitions: int, warmup: int) -> tuple[list[Run], list[Run]]:
    ours, base = [], []
    for i in range(warmup + repetitions):
        if m.fresh_output is not None:
            m.fresh_output.unlink(missing_ok=True)
        a = spawn(m.argv, env)
        b = spawn(m.baseline, env)
        if a.status != 0:
            raise SystemExit(f"{m.name}: exit status {a.status}: {' '.join(m.argv)}")
        if i >= warmup:
            ours.append(a)
            base.append(b)
    return ours, base


def import_times(argv: list[str], env: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """Module -> (self us, cumulative us, nesting depth), from -X importtime."""
    import subprocess

    proc = subprocess.run([argv[0], "-X", "importtime", *argv[1:]], capture_output=True, text=True, env=env)
    found = {}
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or line.count("|") != 2:
            continue
        _, self_us, cumulative, name = (part for part in line.replace("import time:", "|", 1).split("|"))
        if not self_us.strip().isdigit():
            continue  # the header line
        depth = (len(name) - len(name.lstrip(" "))) // 2
        found[name.strip()] = (int(self_us), int(cumulative), depth)
    return found


def heavy(modules: dict) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY_IMPORTS))


def show_offenders(name: str, argv: list[str], env: dict[str, str], top: int = 12) -> None:
    times = import_times(argv, env)
    total = sum(t[0] for t in times.values())
    print(f"\nSlowest imports of `{name}` (-X importtime, one run; total self time {total / 1000:.1f} ms):")
    print(f"  {'cumulative ms':>13}  {'self ms':>7}  module")
    outer = sorted(((c, s, m) for m, (s, c, depth) in times.items() if depth <= 1), reverse=True)[:top]
    for cumulative, self_us, module in outer:
        print(f"  {cumulative / 1000:13.1f}  {self_us / 1000:7.1f}  {module}")
    ours = sorted(((c, m) for m, (s, c, d) in times.items() if m.startswith("syncplan")), reverse=True)
    if ours:
        print("  syncplan modules: " + ", ".join(f"{m} {c / 1000:.1f} ms" for c, m in ours[:8]))


BLOCK_START = "2026-W53"


def block_plan(work: Path) -> Path:
    """The built-in race-block template stretched to 24 weeks: its race moved to the 24th week's Sunday."""
    template = Path(__file__).resolve().parent.parent / "templates" / "plans" / "race-block.toml"
    text = template.read_text(encoding="utf-8")
    # Its block starts on 2026-12-28, the Monday of 2026-W53.
    lines = ['race = "2027-06-13"' if line.startswith("race =") else line for line in text.splitlines()]
    path = work / "block-24.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument("-r", "--repetitions", type=int, default=11, help="measured runs per command (median)")
    parser.add_argument("--warmup", type=int, default=2, help="unmeasured runs first, to warm the file cache")
    parser.add_argument("--why", action="store_true", help="list the slowest imports even when targets pass")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="syncplan-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SYNCPLAN_"))}
    for var in ("CONFIG", "DATA", "STATE"):
        path = work / var.lower()
        path.mkdir()
        env[f"SYNCPLAN_{var}_DIR"] = str(path)

    py = sys.executable
    syncplan = syncplan_command()
    out1, out52, out24, out_placed = work / "week.ics", work / "year.ics", work / "block.ics", work / "placed.ics"
    placing_plan = placing_inputs(work)
    icalendar_click = [py, "-c", "import icalendar, click"]
    measures = [
        Measure("syncplan export", [*syncplan, "export", "--template", "four-day", "-o", str(out1)],
                "import icalendar, click", icalendar_click, 1.3, fresh_output=out1),
        Measure("syncplan --help", [*syncplan, "--help"], "import click", [py, "-c", "import click"], 1.5),
        Measure("syncplan export --weeks 52", [*syncplan, "export", "--template", "four-day", "--weeks", "52", "-o", str(out52)],
                "import icalendar, click", icalendar_click, 2.0, max_peak_mb=80, fresh_output=out52),
        Measure("export of a 24-week block", [*syncplan, "export", str(block_plan(work)), "--week", BLOCK_START,
                                              "--weeks", "24", "-o", str(out24)],
                "import icalendar, click", icalendar_click, 2.0, fresh_output=out24),
        Measure("syncplan export (placing)", [*syncplan, "export", str(placing_plan), "--week", "2026-W20", "-o", str(out_placed)],
                "import icalendar, click", icalendar_click, 1.5, fresh_output=out_placed),
    ]

    print(f"python {sys.version.split()[0]} at {py}; command: {' '.join(Path(a).name for a in syncplan)}; "
          f"{args.repetitions} runs each after {args.warmup} warm-up, alternating with the baseline\n")
    header = f"{'measure':<28} {'median s':>9} {'baseline':<24} {'base s':>7} {'ratio':>6} {'target':>12} {'peak MB':>8} {'result':>6}"
    print(header)
    print("-" * len(header))
    failed = []
    for m in measures:
        ours, base = run_measure(m, env, args.repetitions, args.warmup)
        t, tb = statistics.median(r.seconds for r in ours), statistics.median(r.seconds for r in base)
        peak = max(r.peak_bytes for r in ours) / MB
        ratio = t / tb
        ok = ratio <= m.target and (m.max_peak_mb is None or peak < m.max_peak_mb)
        target = f"<={m.target:g}x" + (f", <{m.max_peak_mb:g}MB" if m.max_peak_mb else "")
        print(f"{m.name:<28} {t:9.3f} {m.baseline_name:<24} {tb:7.3f} {ratio:5.2f}x {target:>12} {peak:8.1f} {'PASS' if ok else 'FAIL':>6}")
        if not ok:
            failed.append(m)

    print()
    clean = True
    for name, argv in (("syncplan export", measures[0].argv), ("syncplan --help", measures[1].argv)):
        found = heavy(import_times(argv, env))
        clean &= not found
        print(f"{name}: {'no Google/OAuth imports' if not found else 'IMPORTS ' + ', '.join(found[:8])}: {'PASS' if not found else 'FAIL'}")

    for m in measures if args.why else failed:
        show_offenders(m.name, m.argv, env)
        show_offenders(m.baseline_name, m.baseline, env, top=5)

    if not clean:
        failed.append("imports")
    if failed:
        print(f"\n{len(failed)} target(s) failed" + ("" if args.strict else " (pass --strict to exit non-zero)"))
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
