"""RFC 5545 value formats: the few that syncplan writes, by hand and on purpose.

Kept apart from ``ics.py`` so the VTIMEZONE writer shares them without a cycle.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def escape_text(value: str) -> str:
    """RFC 5545 TEXT: backslash, semicolon and comma escaped, any line break as ``\\n``.

    Control characters, which TEXT does not allow, become U+FFFD (the plan
    loader refuses them already; this keeps the file sound on its own).
    """
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return _CONTROL.sub("\ufffd", _LINE_BREAK.sub(r"\\n", value))


def fold(line: bytes, limit: int = 75) -> bytes:
    """RFC 5545 folding at 75 octets, on bytes.

    Cuts by byte offsets, never inside a UTF-8 sequence and never right after
    a backslash (some readers mis-join a split escape).
    """
    parts, start, width = [], 0, limit
    while len(line) - start > width:
        cut = start + width
        while line[cut] & 0xC0 == 0x80:  # continuation byte: back up to the character's start
            cut -= 1
        if line[cut - 1] == 0x5C:  # backslash
            cut -= 1
        parts.append(line[start:cut])
        start, width = cut, limit - 1  # continuation lines begin with a space
    parts.append(line[start:])
    return b"\r\n ".join(parts)


def local_stamp(moment: datetime) -> str:
    """DATE-TIME without a zone: a TZID parameter or a VTIMEZONE onset says which."""
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}"
    )


def utc_stamp(moment: datetime) -> str:
    return local_stamp(moment.astimezone(timezone.utc)) + "Z"


def utc_offset(delta: timedelta) -> str:
    """UTC-OFFSET: +HHMM, or +HHMMSS where an old local mean time has seconds."""
    seconds = round(delta.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{sign}{hours:02d}{minutes:02d}" + (f"{secs:02d}" if secs else "")
