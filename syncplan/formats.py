"""Renderings of findings and weeks for people (text, week grid) and programs (JSON).

Computing never prints; the CLI picks one of these.
"""

from __future__ import annotations

import json
import re
from collections import Counter

from syncplan.build import Built
from syncplan.notes import title
from syncplan.rules import Finding
from syncplan.week import DatedWeek

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
                }
                for w in built.weeks
                for d in w.sessions
            ],
            "week_totals": [week_totals(w, built.findings) for w in built.weeks],  # what `show --block` draws
        }
    )


def week_totals(week: DatedWeek, findings: tuple[Finding, ...]) -> dict:
    """One week's volume and phase ("plan" outside a training block)."""
    sessions = [d.session for d in week.sessions]
    runs = [s for s in sessions if s.kind.run]
    counts = Counter(f.severity for f in findings if f.week == week.week.label)
    return {
        "week": week.week.label,
        "phase": str(week.phase or "plan"),
        "run_minutes": sum(s.minutes for s in runs),
        "strength_minutes": sum(s.minutes for s in sessions if s.kind.id == "strength"),
        "long_run_minutes": max((s.minutes for s in runs if s.kind.id == "long"), default=0),
        "findings": {s: counts[s] for s in ("error", "warning", "info")},
    }


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
            severities = [f.severity for f in mine if d.key in f.sessions]
            mark = MARKS[min(severities, key=("error", "warning", "info").index)] if severities else " "
            prefix = label if i == 0 else " " * len(label)
            name = terminal_safe(title(d), keep_lines=False)
            lines.append(f"{prefix} {mark} {d.start:%H:%M}–{d.end:%H:%M}  {name}  [{terminal_safe(d.key, False)}]")
    if mine:
        lines.append("")
        lines.extend(f"{MARKS[f.severity]} {f.rule}: {terminal_safe(f.message, keep_lines=False)}" for f in mine)
    return terminal_safe("\n".join(lines))
