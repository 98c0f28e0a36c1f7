"""Renderings of findings and weeks for people (text, week grid) and programs (JSON).

Computing never prints; the CLI picks one of these.
"""

from __future__ import annotations

import json
from collections import Counter

from syncplan.build import Built
from syncplan.notes import title
from syncplan.rules import Finding
from syncplan.week import DatedWeek

MARKS = {"error": "✗", "warning": "!", "info": "i"}


def finding_line(f: Finding) -> str:
    return f"{f.week}  {f.severity:<7}  {f.rule}: {f.message}"


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
    return json.dumps({"error": {"message": str(exc), "exit_code": getattr(exc, "exit_code", 1)}}, indent=2, ensure_ascii=False)


def findings_json(built: Built) -> str:
    return json.dumps(
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
        },
        indent=2,
        ensure_ascii=False,
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
            severities = [f.severity for f in mine if d.key in f.sessions]
            mark = MARKS[min(severities, key=("error", "warning", "info").index)] if severities else " "
            prefix = label if i == 0 else " " * len(label)
            lines.append(f"{prefix} {mark} {d.start:%H:%M}–{d.end:%H:%M}  {title(d)}  [{d.key}]")
    if mine:
        lines.append("")
        lines.extend(f"{MARKS[f.severity]} {f.rule}: {f.message}" for f in mine)
    return "\n".join(lines)
