"""Busy time from Google: one ``freeBusy.query`` for the calendars a plan names under ``[busy] google``.

An adapter at the edge, like ``availability.py`` for .ics files: it returns
intervals for the placing step. freeBusy shows only when a calendar is busy,
never what is on it, so syncplan asks for ``calendar.freebusy`` and nothing
more, and only a plan that names Google calendars under [busy] needs it
(``syncplan auth --busy`` asks for it).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from syncplan.errors import AuthorisationNeeded, InvalidInput, SyncplanError

MAX_CALENDARS = 50  # Google's calendarExpansionMax


def read_freebusy(
    token_file: Path,
    calendars: tuple[str, ...],
    start: datetime,
    end: datetime,
    zone: ZoneInfo,
    source: str = "the plan",
    timeout: float = 60,
) -> list[tuple[datetime, datetime]]:
    """Busy intervals of ``calendars`` between ``start`` and ``end``, in ``zone``, from one query.

    ``source`` names the plan file in messages.
    """
    import google_auth_httplib2
    import httplib2
    from googleapiclient.discovery import build
    from googleapiclient.errors import HttpError

    from syncplan.google import auth

    credentials = auth.load(token_file, [auth.FREEBUSY])
    http = google_auth_httplib2.AuthorizedHttp(credentials, http=httplib2.Http(timeout=timeout))
    service = build(
        "calendar",
        "v3",
        http=http,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": auth.api_root() + "calendar/v3/"},
    )
    body = {
        "timeMin": _rfc3339(start),
        "timeMax": _rfc3339(end),
        "timeZone": zone.key,
        "items": [{"id": c} for c in calendars[:MAX_CALENDARS]],
    }
    token_before = credentials.token
    try:
        answer = service.freebusy().query(body=body).execute(num_retries=3)
    except HttpError as exc:
        status = getattr(exc.resp, "status", None)
        if status in (401, 403):
            raise AuthorisationNeeded(
                f"Google refused the busy-time query (HTTP {status}); run `syncplan auth --busy` to allow "
                f"calendar.freebusy."
            ) from None
        raise SyncplanError(f"Google's busy-time query failed (HTTP {status}); try again later.") from None
    except (OSError, httplib2.HttpLib2Error) as exc:
        raise SyncplanError(f"could not reach Google for busy times ({type(exc).__name__}); try again later.") from None
    auth.save_if_refreshed(credentials, token_file, token_before)
    return intervals(answer, calendars, zone, source)


def intervals(answer: dict, calendars: tuple[str, ...], zone: ZoneInfo, source: str = "the plan") -> list[tuple[datetime, datetime]]:
    """The busy intervals of a freeBusy answer; a calendar Google could not read is the plan's to fix."""
    found = []
    for cid in calendars:
        entry = (answer.get("calendars") or {}).get(cid)
        if entry is None or entry.get("errors"):
            reason = ", ".join(e.get("reason", "?") for e in (entry or {}).get("errors", [])) or "no answer"
            raise InvalidInput(
                f"{source}: [busy] field 'google': Google could not read the busy times of {cid!r} ({reason}); check the calendar id "
                f"(its settings, under Integrate calendar) and that this account can see it."
            )
        for block in entry.get("busy", []):
            found.append((_parse(block["start"]).astimezone(zone), _parse(block["end"]).astimezone(zone)))
    return found


def _rfc3339(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
