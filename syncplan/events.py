"""Calendar events: what the core hands to every output (the .ics writer, Google)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

try:
    # CPython's own SHA-256 (the same digests): importing hashlib loads OpenSSL,
    # about 2 ms of every export's 90 ms start-up.
    from _sha2 import sha256  # Python 3.12+
except ImportError:  # pragma: no cover - depends on the interpreter
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:
        from hashlib import sha256


class Event(NamedTuple):
    """One dated session, ready for a calendar.

    ``uid`` depends only on the plan identity, the ISO week and the session key,
    so editing a session's time, length or details keeps its identity.
    """

    uid: str
    plan: str  # Plan.identity ([calendar] id, or else the name), shared by all its events
    key: str  # "2026-W49/tue-lift": ISO week + session key
    start: datetime  # aware, in the plan's zone
    end: datetime
    summary: str
    description: str
    categories: tuple[str, ...] = ()
    reminders: tuple[int, ...] = ()  # minutes before start
    # A whole-day note (start and end at local midnight, written as dates),
    # and one that leaves the day free for anyone looking at busy times.
    all_day: bool = False
    transparent: bool = False

    @property
    def timezone(self) -> str:
        return self.start.tzinfo.key  # type: ignore[union-attr]

    def fingerprint(self) -> str:
        """A hash of everything syncplan writes, to tell a hand edit from our own."""
        content = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "tz": self.timezone,
            "summary": self.summary,
            "description": self.description,
            "categories": list(self.categories),
            "reminders": list(self.reminders),
        }
        # Only when set: the hashes of timed events, kept by Google, stay as they were.
        if self.all_day:
            content["all_day"] = True
        if self.transparent:
            content["transparent"] = True
        import json

        blob = json.dumps(content, sort_keys=True, ensure_ascii=False).encode()
        return sha256(blob).hexdigest()[:32]


def feed_identity(plan: str, busy_only: bool) -> str:
    """The identity a feed's UIDs are made under: a busy-only copy has its own, so apps never merge the two."""
    return plan + "/busy" if busy_only else plan


def make_uid(plan: str, key: str) -> str:
    digest = sha256(f"{plan}\x00{key}".encode()).hexdigest()[:32]
    return f"{digest}@syncplan"


def google_event_id(uid: str) -> str:
    """Deterministic Google event id: base32hex (a-v, 0-9) of a hash of the UID."""
    import base64

    raw = sha256(uid.encode()).digest()[:20]
    return base64.b32hexencode(raw).decode().lower().rstrip("=")
