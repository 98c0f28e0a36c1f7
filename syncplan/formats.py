"""Renderings of findings and weeks for people (text, week grid) and programs (JSON).

Computing never prints; the CLI picks one of these.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import NamedTuple

from syncplan.build import Built
from syncplan.notes import title
from syncplan.rules import Finding
from syncplan.week import DatedWeek, clock_text

MARKS = {"error": "✗", "warning": "!", "info": "i"}

# C0 and C1 controls, DEL, line/paragraph separators and bidi overrides: a
# terminal would act on them (clear the screen, retitle the window, reorder a line).
# Patterns as strings: ``re`` compiles them on first use, which ``export``
# rarely reaches (printable text takes the fast path).
_UNSAFE = "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
_UNSAFE_IN_JSON = "[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"  # json escapes C0 itself


def terminal_safe(text: str, keep_lines: bool = True) -> str:
    """``text`` with every control character shown as its escape (``\\x1b``), never sent raw.

    ``keep_lines`` keeps newlines (a whole rendering); without it a field
    stays on its line.
    """

    def shown(match: re.Match) -> str:
        char = match.group()
        if keep_lines and char == "\n":
            return char
        return repr(char)[1:-1] if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    if text.isprintable():  # every character matched below is one Python calls unprintable
        return text
    return re.sub(_UNSAFE, shown, text)


def _json(data: object) -> str:
    """JSON escapes C0 controls itself; the other terminal controls get \\u escapes too."""
    import json  # only the --json answers need it: the export path does not load it

    text = json.dumps(data, indent=2, ensure_ascii=False)
    return re.sub(_UNSAFE_IN_JSON, lambda m: f"\\u{ord(m.group()):04x}", text)


def finding_line(f: Finding) -> str:
    return f"{f.week}  {f.severity:<7}  {f.rule}: {terminal_safe(f.message, keep_lines=False)}"


def findings_text(built: Built) -> str:
    lines = [finding_line(f) for f in built.findings]
    lines.append(tally(built.findings, len(built.weeks)))
    return "\n".join(lines)


def tally(findings: tuple[Finding, ...], weeks: int) -> str:
    counts = Counter(f.severity for f in findings)
    parts = [_plural(counts[s], s) for s in ("error", "warning", "info")]
    return f"{_plural(weeks, 'week')} checked: {', '.join(parts)}"


def _plural(n: int, word: str) -> str:
    if word == "info":
        return f"{n} info"
    return f"{n} {word}{'' if n == 1 else 's'}"


def error_json(exc: Exception) -> str:
    """An invalid plan still answers ``check --json`` in JSON, so scripts parse one shape."""
    return _json({"error": {"message": str(exc), "exit_code": getattr(exc, "exit_code", 1)}})


def findings_json(built: Built) -> str:
    # A flexible session says it was placed and why, as `syncplan place` prints it.
    placed = {(w.week, p.key): p.reason for w in built.placements for p in w.placed.placements}
    return _json(
        {
            "weeks": [w.week.label for w in built.weeks],
            "ok": not built.has_errors,
            "findings": [
                {
                    "week": f.week,
                    "rule": f.rule,
                    "severity": f.severity,
                    "message": f.message,
                    "sessions": list(f.sessions),
                }
                for f in built.findings
            ],
            "sessions": [
                {
                    "week": w.week.label,
                    "key": d.key,
                    "kind": d.session.kind.id,
                    "start": d.start.isoformat(),
                    "end": d.end.isoformat(),
                    "title": title(d),
                    **({"placed": placed[w.week.label, d.key]} if (w.week.label, d.key) in placed else {}),
                }
                for w in built.weeks
                for d in w.sessions
            ],
            # Flexible sessions that fit nowhere, with the constraint that stopped them (as `place` prints it).
            "unplaced": [
                {"week": w.week, "key": u.key, "constraint": u.constraint, "message": u.message}
                for w in built.placements
                for u in w.placed.unplaced
            ],
            # The numbers `show --block` draws, one entry per week.
            "week_totals": [
                {
                    "week": r.label,
                    "phase": r.phase,
                    "run_minutes": r.run_minutes,
                    "strength_minutes": r.strength_minutes,
                    "long_run_minutes": r.long_run_minutes,
                    "findings": {s: sum(1 for f in r.findings if f.severity == s) for s in SEVERITY_ORDER},
                }
                for r in week_rows(built)
            ],
        }
    )


def week_grid(week: DatedWeek, findings: tuple[Finding, ...]) -> str:
    """One row per day, sessions in time order, each marked with its worst finding."""
    mine = [f for f in findings if f.week == week.week.label]
    first, last = week.week.monday, week.week.day(6)
    lines = [f"{week.week.label}  {first:%d %b} – {last:%d %b %Y}  ({week.timezone})", ""]
    for day in range(7):
        date = week.week.day(day)
        todays = week.on_day(day)
        label = f"{date:%a %d %b}"
        if not todays:
            lines.append(f"{label}   ·  rest")
        for i, d in enumerate(todays):
            # A finding filed under the week before names this session as "<week>/<key>".
            qualified = f"{week.week.label}/{d.key}"
            severities = [f.severity for f in findings if (f.week == week.week.label and d.key in f.sessions) or qualified in f.sessions]
            mark = MARKS[min(severities, key=("error", "warning", "info").index)] if severities else " "
            prefix = label if i == 0 else " " * len(label)
            name = terminal_safe(title(d), keep_lines=False)
            span = f"{clock_text(d.start)}–{clock_text(d.end)}"  # "01:30 BST–01:30 GMT" on a fall-back night
            lines.append(f"{prefix} {mark} {span}  {name}  [{terminal_safe(d.key, False)}]")
    if mine:
        lines.append("")
        lines.extend(f"{MARKS[f.severity]} {f.rule}: {terminal_safe(f.message, keep_lines=False)}" for f in mine)
    return terminal_safe("\n".join(lines))


# The block chart -------------------------------------------------------------------

RUN_CELL, STRENGTH_CELL = "█", "▒"  # told apart by shape, so no colour is needed
BAR_WIDTH = 34
_CELL_MINUTES = (5, 10, 15, 20, 30, 45, 60, 90, 120)
SEVERITY_ORDER = ("error", "warning", "info")


class WeekRow(NamedTuple):
    """One week as the block chart draws it; a plain data shape any planner can fill.

    ``phase`` is "plan" for a plan repeated over ``--weeks N``; a training
    block fills in its own ("build", "deload", "taper", "race") by giving
    its weeks a ``phase`` attribute or by passing ``phase_of`` to ``week_rows``.
    """

    label: str  # ISO week, "2026-W49"
    phase: str
    run_minutes: int
    strength_minutes: int
    long_run_minutes: int  # the week's longest session of kind "long"; 0 without one
    findings: tuple[Finding, ...] = ()


def week_rows(built: Built, phase_of=None) -> list[WeekRow]:
    """Per-week totals from a build; ``phase_of(dated_week)`` names each week's phase."""
    phase_of = phase_of or (lambda w: getattr(w, "phase", None) or "plan")
    rows = []
    for w in built.weeks:
        runs = [d.session for d in w.sessions if d.session.kind.run]
        rows.append(
            WeekRow(
                label=w.week.label,
                phase=str(phase_of(w)),
                run_minutes=sum(s.minutes for s in runs),
                strength_minutes=sum(d.session.minutes for d in w.sessions if d.session.kind.id == "strength"),
                long_run_minutes=max((s.minutes for s in runs if s.kind.id == "long"), default=0),
                findings=tuple(f for f in built.findings if f.week == w.week.label),
            )
        )
    return rows


def block_chart(rows: list[WeekRow], title: str = "") -> str:
    """One line per week, at most 80 columns: a bar of run then strength minutes, the totals, a findings mark.

    The findings follow the chart, wrapped to the same width, so the marks can be looked up.
    """
    import textwrap

    cell = _cell_minutes(max((r.run_minutes + r.strength_minutes for r in rows), default=0))
    lines = [title] if title else []
    lines += [
        f"{RUN_CELL} run  {STRENGTH_CELL} strength  (one cell = {cell} min)   marks: {MARKS['error']} error  "
        f"{MARKS['warning']} warning  {MARKS['info']} info",
        "",
        f"{'week':<8}  {'phase':<7}  {'run + strength':<{BAR_WIDTH}}  {'run':>4} {'lift':>4} {'long':>4}",
    ]
    for r in rows:
        bar = RUN_CELL * _cells(r.run_minutes, cell) + STRENGTH_CELL * _cells(r.strength_minutes, cell)
        long_run = str(r.long_run_minutes) if r.long_run_minutes else "–"
        phase = terminal_safe(r.phase, keep_lines=False)[:7]
        lines.append(
            f"{r.label:<8}  {phase:<7}  {bar:<{BAR_WIDTH}}  {_minutes(r.run_minutes):>4} "
            f"{_minutes(r.strength_minutes):>4} {long_run:>4}  {_mark(r.findings)}".rstrip()
        )
    # The same finding in many weeks is said once, with the weeks it is in.
    found: dict[tuple[str, str, str], list[str]] = {}
    for f in (f for r in rows for f in r.findings):
        found.setdefault((f.severity, f.rule, f.message), []).append(f.week)
    if found:
        lines.append("")
    for (severity, rule, message), weeks in found.items():
        where = ", ".join(weeks) if len(weeks) <= 3 else f"{weeks[0]}, {weeks[1]} and {len(weeks) - 2} more weeks"
        text = f"{MARKS[severity]} {rule} ({where}): {terminal_safe(message, keep_lines=False)}"
        lines.extend(textwrap.wrap(text, 80, subsequent_indent="    ", break_on_hyphens=False))
    return terminal_safe("\n".join(lines))


def _cell_minutes(most: int) -> int:
    """The smallest usual step that fits the fullest week in the bar."""
    for step in _CELL_MINUTES:
        if most <= step * (BAR_WIDTH - 1):
            return step
    return -(-most // (60 * (BAR_WIDTH - 1))) * 60


def _cells(minutes: int, cell: int) -> int:
    """Cells for ``minutes``, rounded; a non-zero amount always shows."""
    return max(int(minutes / cell + 0.5), 1) if minutes else 0


def _minutes(n: int) -> str:
    """Totals stay in their 4 columns: 10000 minutes and more as hours."""
    return str(n) if n < 10000 else f"{n // 60}h"


def _mark(findings: tuple[Finding, ...]) -> str:
    if not findings:
        return ""
    worst = min((f.severity for f in findings), key=SEVERITY_ORDER.index)
    return f"{MARKS[worst]}{len(findings)}"


def placement_lines(week) -> list[str]:
    """Where each flexible session of a week went and why, then the ones that fit nowhere (a placing.WeekPlacement)."""
    lines = ["Placed:" if week.placed.placements else "Placed: nothing"]
    for p in week.placed.placements:
        lines.append(terminal_safe(f"  {p.key}: {p.reason}", keep_lines=False))
    for u in week.placed.unplaced:
        lines.append(terminal_safe(f"  ✗ {u.key} not placed ({u.constraint}): {u.message}", keep_lines=False))
    if not week.placed.optimal:
        lines.append("  (the search for a better placement hit its limit; this one keeps every rule)")
    return lines
